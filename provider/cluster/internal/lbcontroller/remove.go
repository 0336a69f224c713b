package lbcontroller

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	k8serrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// Dependent is a Service or Ingress whose load balancer is the
// controller's.
type Dependent struct {
	Kind, Namespace, Name string
	delete                func(context.Context) error
}

func (d Dependent) String() string { return d.Kind + " " + d.Namespace + "/" + d.Name }

// InUse lists the Services (type LoadBalancer, asking for the controller)
// and Ingresses (class alb) of the cluster that are the controller's.
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
	return out, nil
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

// drain deletes the controller's Services and Ingresses and waits until
// they are gone, while the controller runs: their finalizers keep them
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
