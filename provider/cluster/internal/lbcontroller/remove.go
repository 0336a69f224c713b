package lbcontroller

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	k8serrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// Dependent is a Service or Ingress whose load balancer is the
// controller's, or a TargetGroupBinding someone made by hand (the
// controller registers targets in a target group of theirs, and its
// finalizer keeps the binding until it has deregistered them).
type Dependent struct {
	Kind, Namespace, Name string
	delete                func(context.Context) error
}

func (d Dependent) String() string { return d.Kind + " " + d.Namespace + "/" + d.Name }

// InUse lists the Services (type LoadBalancer, asking for the controller),
// Ingresses (class alb) and TargetGroupBindings of the cluster that are the
// controller's; the bindings it makes for those Services and Ingresses go
// with them and are not listed.
func InUse(ctx context.Context, kc *kubeclient.Client) ([]Dependent, error) {
	var out []Dependent
	svcs, err := kc.Kube.CoreV1().Services("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing Services: %w", err)
	}
	for _, s := range svcs.Items {
		if s.Spec.Type == corev1.ServiceTypeLoadBalancer && placement.ServiceNeedsLoadBalancerController(&s) != "" {
			out = append(out, Dependent{"Service", s.Namespace, s.Name, func(ctx context.Context) error {
				return kc.Kube.CoreV1().Services(s.Namespace).Delete(ctx, s.Name, metav1.DeleteOptions{})
			}})
		}
	}
	ings, err := kc.Kube.NetworkingV1().Ingresses("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing Ingresses: %w", err)
	}
	for _, i := range ings.Items {
		if placement.IngressIsALB(&i) {
			out = append(out, Dependent{"Ingress", i.Namespace, i.Name, func(ctx context.Context) error {
				return kc.Kube.NetworkingV1().Ingresses(i.Namespace).Delete(ctx, i.Name, metav1.DeleteOptions{})
			}})
		}
	}
	tgbs, err := kc.Dynamic.Resource(targetGroupBindings).Namespace("").List(ctx, metav1.ListOptions{})
	if err != nil && !k8serrors.IsNotFound(err) { // NotFound: no CRD, so none
		return nil, fmt.Errorf("listing TargetGroupBindings: %w", err)
	}
	if err == nil {
		for _, b := range tgbs.Items {
			if ofADependent(b.GetLabels(), out, ings.Items) {
				continue
			}
			out = append(out, Dependent{"TargetGroupBinding", b.GetNamespace(), b.GetName(), func(ctx context.Context) error {
				return kc.Dynamic.Resource(targetGroupBindings).Namespace(b.GetNamespace()).Delete(ctx, b.GetName(), metav1.DeleteOptions{})
			}})
		}
	}
	return out, nil
}

// targetGroupBindings is the API resource of the controller's
// TargetGroupBinding (its CRD, served as v1beta1 in both versions here).
var targetGroupBindings = schema.GroupVersionResource{Group: "elbv2.k8s.aws", Version: "v1beta1", Resource: "targetgroupbindings"}

// ofADependent tells a binding the controller made for a Service or an
// Ingress that is in deps (it goes with them): its stack labels name one
// (`service.k8s.aws/stack-namespace` and `-name`, `ingress.k8s.aws/...`
// the same, or `ingress.k8s.aws/stack` an Ingress group). People label
// hand-made bindings the same way, so labels alone do not make it the
// controller's.
func ofADependent(labels map[string]string, deps []Dependent, ings []networkingv1.Ingress) bool {
	for _, d := range deps {
		prefix := map[string]string{"Service": "service.k8s.aws/", "Ingress": "ingress.k8s.aws/"}[d.Kind]
		if prefix != "" && labels[prefix+"stack-namespace"] == d.Namespace && labels[prefix+"stack-name"] == d.Name {
			return true
		}
	}
	group := labels["ingress.k8s.aws/stack"]
	for _, i := range ings {
		if group != "" && placement.IngressIsALB(&i) && i.Annotations["alb.ingress.kubernetes.io/group.name"] == group {
			return true
		}
	}
	return false
}

// Remove takes the controller out of the cluster, in the order that
// leaves no load balancer behind: while it runs, the Services and
// Ingresses that are its own are deleted and waited for (it deletes their
// load balancers, then lets them go); then its webhooks (which would refuse
// Ingresses and pods with no one to answer), its Deployment and the rest
// but its CRDs, and last its role.
func (l *Controller) Remove(ctx context.Context, ob *observed.Record) error {
	kc, err := Kube(l.c, ob)
	if err != nil {
		return err
	}
	if err := l.drain(ctx, kc); err != nil {
		return err
	}
	objs, err := render("webhooks.yaml", Spec{})
	if err != nil {
		return err
	}
	for _, f := range []string{"ingressclass.yaml", "controller.yaml"} {
		more, err := render(f, Spec{})
		if err != nil {
			return err
		}
		objs = append(objs, more...)
	}
	// Its CRDs stay, as `helm uninstall` leaves a chart's CRDs: deleting
	// one deletes every object of its kind, which may be the user's.
	for _, o := range objs {
		err := kc.Dynamic.Resource(resources[o.GetKind()]).Namespace(o.GetNamespace()).Delete(ctx, o.GetName(), metav1.DeleteOptions{})
		if err != nil && !k8serrors.IsNotFound(err) {
			return fmt.Errorf("deleting %s %s of the AWS Load Balancer Controller: %w", o.GetKind(), name(o), err)
		}
	}
	if err := l.roles.Delete(ctx, roles.LoadBalancerController); err != nil {
		return err
	}
	ob.SetLoadBalancerController(observed.LoadBalancerController{})
	return nil
}

// drain deletes the controller's Services, Ingresses and hand-made
// TargetGroupBindings and waits until they are gone, while the controller runs: their finalizers keep them
// until it has deleted their load balancers. A controller not running
// could not; their load balancers are then left to the network's teardown
// (by their cluster tags).
func (l *Controller) drain(ctx context.Context, kc *kubeclient.Client) error {
	d, err := kc.Kube.AppsV1().Deployments(placement.LBCNamespace).Get(ctx, placement.LBCName, metav1.GetOptions{})
	if k8serrors.IsNotFound(err) || (err == nil && d.Status.AvailableReplicas == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading Deployment %s/%s: %w", placement.LBCNamespace, placement.LBCName, err)
	}
	deps, err := InUse(ctx, kc)
	if err != nil {
		return err
	}
	for _, dep := range deps {
		if err := dep.delete(ctx); err != nil && !k8serrors.IsNotFound(err) {
			return fmt.Errorf("deleting %s so that the AWS Load Balancer Controller deletes its load balancer: %w", dep, err)
		}
	}
	var left []Dependent
	err = wait.Until(ctx, l.c.Timing.Poll, func(ctx context.Context) (bool, error) {
		left, err = InUse(ctx, kc)
		return len(left) == 0, err
	})
	if err != nil {
		return fmt.Errorf("waiting for the AWS Load Balancer Controller to delete the load balancers of %s: %w", Names(left), err)
	}
	return nil
}

// Names lists dependents for a message.
func Names(deps []Dependent) string {
	s := make([]string, len(deps))
	for i, d := range deps {
		s[i] = d.String()
	}
	return strings.Join(s, ", ")
}
