package manifest

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/terrax/terraform-provider-fargate/provider/internal/topology"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// Summaries of the load balancer findings.
const (
	noController = "Load balancer needs a controller EKS does not install"
	noTarget     = "Load balancer cannot reach these pods"
)

// checkLoadBalancers checks each LoadBalancer Service of objs. One that
// asks for the AWS Load Balancer Controller is refused: EKS does not
// install it, nor can this provider yet (said only once the cluster's
// add-ons are known, that is once the provider knows what the cluster
// runs). A legacy one gets a load balancer with instance targets, which
// reaches Fargate pods only through a node group's nodes: in front of
// Fargate pods only, on a cluster without node groups, it is warned of.
// The pods are those of objs and of the manifests planned before.
func checkLoadBalancers(objs []kubeobj.Object, placements map[kubeobj.ID]string, topo topology.Cluster) []finding {
	workloads := workloads(objs, placements)
	for id, w := range topo.Workloads {
		if _, ok := workloads[id]; !ok {
			workloads[id] = w
		}
	}
	var out []finding
	for _, o := range objs {
		if o.GetKind() != "Service" {
			continue
		}
		var svc corev1.Service
		if runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &svc) != nil || svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
			continue
		}
		class := ""
		if svc.Spec.LoadBalancerClass != nil {
			class = *svc.Spec.LoadBalancerClass
		}
		if how := placement.NeedsLoadBalancerController(svc.Annotations, class); how != "" {
			if topo.AddonsKnown() {
				out = append(out, finding{err: true, summary: noController, msg: fmt.Sprintf("%s asks for the AWS Load Balancer Controller (%s), "+
					"which EKS does not install and this provider cannot install yet: the Service would never get an address. Use a legacy "+
					"LoadBalancer Service instead: remove the %s annotation and the loadBalancerClass, and EKS makes a load balancer with "+
					"instance targets, which reaches the pods through the node group's nodes", o.ID().Short(), how, placement.LoadBalancerTypeAnnotation)})
			}
			continue
		}
		if class != "" || len(svc.Spec.Selector) == 0 || topo.NodeGroups > 0 {
			continue // another controller's, or endpoints managed by hand, or a node to go through
		}
		var fargate []string
		all := true
		for id, w := range workloads {
			if w.Namespace != o.GetNamespace() || !matches(svc.Spec.Selector, w.Labels) {
				continue
			}
			all = all && strings.HasPrefix(w.Placement, onFargate)
			fargate = append(fargate, id)
		}
		if all && len(fargate) > 0 {
			sort.Strings(fargate)
			out = append(out, finding{summary: noTarget, msg: fmt.Sprintf("%s is a legacy LoadBalancer in front of pods that all run on Fargate (%s), "+
				"and the cluster has no node group: a legacy load balancer registers EC2 instances as its targets, and reaches Fargate "+
				"pods only through kube-proxy on a node group's node, so it would have no healthy target. Add a node group to the "+
				"cluster, or use the AWS Load Balancer Controller with IP targets (installed yourself)", o.ID().Short(), strings.Join(fargate, ", "))})
		}
	}
	return out
}

// workloads are the pod templates of objs whose placement is known, by ID.
func workloads(objs []kubeobj.Object, placements map[kubeobj.ID]string) map[string]topology.Workload {
	out := map[string]topology.Workload{}
	for _, o := range objs {
		ns, labels, _, ok := o.PodTemplate()
		if p, placed := placements[o.ID()]; ok && placed {
			out[o.ID().Short()] = topology.Workload{Namespace: ns, Labels: labels, Placement: p}
		}
	}
	return out
}

func matches(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}
