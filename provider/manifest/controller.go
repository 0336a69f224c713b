package manifest

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	k8serrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/terrax/terraform-provider-fargate/provider/internal/topology"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// controllerReadTimeout bounds the plan's look for the controller in a
// cluster made elsewhere: a cluster that does not answer leaves it unknown.
const controllerReadTimeout = 15 * time.Second

// withController says in topo whether the cluster has the AWS Load
// Balancer Controller when a manifest needs to know (it has an object the
// controller serves) and fargate_cluster's plan did not say: the topology
// reads a cluster made elsewhere once per run, through the Kubernetes API.
func (r *Resource) withController(ctx context.Context, name string, objs []kubeobj.Object, topo topology.Cluster) topology.Cluster {
	if topo.LoadBalancerController == nil && servedByController(objs) {
		topo.LoadBalancerController = r.client.Topology.LoadBalancerController(ctx, name, r.controllerInstalled)
	}
	return topo
}

// servedByController reports whether objs hold a Service or an Ingress
// that only the controller serves.
func servedByController(objs []kubeobj.Object) bool {
	for _, o := range objs {
		switch o.GetKind() {
		case "Service":
			var svc corev1.Service
			if runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &svc) == nil && svc.Spec.Type == corev1.ServiceTypeLoadBalancer &&
				placement.NeedsLoadBalancerController(svc.Annotations, deref(svc.Spec.LoadBalancerClass)) != "" {
				return true
			}
		case "Ingress":
			var ing networkingv1.Ingress
			if runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &ing) == nil &&
				placement.IngressNeedsLoadBalancerController(ing.Annotations, deref(ing.Spec.IngressClassName)) {
				return true
			}
		}
	}
	return false
}

// controllerInstalled is the topology's ControllerReader: the controller is
// there when its Deployment is, by the name fargate_cluster and the
// controller's Helm chart give it (kube-system/aws-load-balancer-controller)
// or, installed under another name, by its chart's name label. Nil when
// the cluster cannot be asked (not reachable, or the caller may not read
// Deployments): then nothing is concluded.
func (r *Resource) controllerInstalled(ctx context.Context, name string) *bool {
	ctx, cancel := context.WithTimeout(ctx, controllerReadTimeout)
	defer cancel()
	a, err := r.connect(ctx, name)
	if err != nil {
		return nil
	}
	deployments := a.kc.Kube.AppsV1().Deployments
	_, err = deployments(placement.LBCNamespace).Get(ctx, placement.LBCName, metav1.GetOptions{})
	if err == nil || !k8serrors.IsNotFound(err) {
		return answer(err == nil, err)
	}
	l, err := deployments("").List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=" + placement.LBCName, Limit: 1})
	if err != nil {
		return nil
	}
	return answer(len(l.Items) > 0, nil)
}

// answer is v, or nil (unknown) after an error.
func answer(v bool, err error) *bool {
	if err != nil {
		return nil
	}
	return &v
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
