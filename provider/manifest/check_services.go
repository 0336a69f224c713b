package manifest

import (
	"fmt"
	"maps"
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
	noController = "Load balancer needs the AWS Load Balancer Controller"
	noTarget     = "Load balancer cannot reach these pods"
)

// enableController is what to set on the cluster for the controller.
const enableController = "Set load_balancer_controller.enabled = true on the cluster's fargate_cluster " +
	"(load_balancer_controller = { enabled = true }): it installs the controller before any manifest of the cluster is applied"

// Where the controller's target types are explained, cited by the findings.
const (
	nlbGuide = "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/nlb/"
	albGuide = "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#target-type"
)

// checkLoadBalancers checks each LoadBalancer Service and each Ingress of
// objs against the cluster. One the AWS Load Balancer Controller serves is
// refused on a cluster known not to have it (EKS does not install it), and,
// unless so, when its pods run on Fargate and its target type is not ip.
// A legacy Service gets a load balancer with instance targets, which
// reaches Fargate pods only through a node group's nodes: in front of
// Fargate pods only, on a cluster without node groups, it is warned of.
// The pods are those of objs and of the manifests planned before.
func checkLoadBalancers(objs []kubeobj.Object, placements map[kubeobj.ID]string, topo topology.Cluster) []finding {
	lb := lbCheck{workloads: workloads(objs, placements), topo: topo, services: maps.Clone(topo.Services)}
	for id, w := range topo.Workloads {
		if _, ok := lb.workloads[id]; !ok {
			lb.workloads[id] = w
		}
	}
	if lb.services == nil {
		lb.services = map[string]topology.Service{}
	}
	maps.Copy(lb.services, services(objs))
	lb.absent = topo.LoadBalancerController != nil && !*topo.LoadBalancerController && !lb.declaresController()
	for _, o := range objs {
		switch o.GetKind() {
		case "Service":
			lb.service(o)
		case "Ingress":
			lb.ingress(o)
		}
	}
	return lb.out
}

// lbCheck is one manifest's load balancer check.
type lbCheck struct {
	workloads map[string]topology.Workload
	services  map[string]topology.Service // the manifest's and those planned before, by "namespace/name"
	topo      topology.Cluster
	// absent: the cluster is known not to have the controller.
	absent bool
	out    []finding
}

// declaresController reports whether the manifests planned so far install
// the controller themselves (its pods carry its chart's name label).
func (lb *lbCheck) declaresController() bool {
	for _, w := range lb.workloads {
		if w.Labels["app.kubernetes.io/name"] == placement.LBCName {
			return true
		}
	}
	return false
}

func (lb *lbCheck) service(o kubeobj.Object) {
	var svc corev1.Service
	if runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &svc) != nil || svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return
	}
	class := ""
	if svc.Spec.LoadBalancerClass != nil {
		class = *svc.Spec.LoadBalancerClass
	}
	if how := placement.NeedsLoadBalancerController(svc.Annotations, class); how != "" {
		if lb.absent {
			lb.out = append(lb.out, finding{err: true, summary: noController, msg: fmt.Sprintf("%s asks for the AWS Load Balancer Controller (%s), "+
				"which EKS does not install and this cluster does not have: the Service would never get an address. %s. Or use "+
				"EKS's legacy load balancer: remove the %s annotation and the loadBalancerClass (instance targets, which reach "+
				"Fargate pods only through a node group's nodes)", o.ID().Short(), how, enableController, placement.LoadBalancerTypeAnnotation)})
			return
		}
		if t := placement.NLBTargetType(svc.Annotations); t != placement.TargetTypeIP {
			if _, fargate := lb.selected(svc.Namespace, svc.Spec.Selector); len(fargate) > 0 {
				lb.out = append(lb.out, finding{err: true, summary: noTarget, msg: fmt.Sprintf("%s has target type %s (%s), "+
					"but its pods run on Fargate (%s), and Fargate pods cannot be instance targets: the controller's instance "+
					"mode registers EC2 nodes, only ip mode reaches pods on Fargate (%s). Annotate the Service %s: ip",
					o.ID().Short(), t, why(svc.Annotations, placement.NLBTargetTypeAnnotation), strings.Join(fargate, ", "), nlbGuide, placement.NLBTargetTypeAnnotation)})
			}
		}
		return
	}
	if class != "" || lb.topo.NodeGroups > 0 {
		return // another controller's, or a node to go through
	}
	if all, fargate := lb.selected(svc.Namespace, svc.Spec.Selector); len(fargate) > 0 && len(fargate) == len(all) {
		lb.out = append(lb.out, finding{summary: noTarget, msg: fmt.Sprintf("%s is a legacy LoadBalancer in front of pods that all run on Fargate (%s), "+
			"and the cluster has no node group: a legacy load balancer registers EC2 instances as its targets, and reaches Fargate "+
			"pods only through kube-proxy on a node group's node, so it would have no healthy target. Use the AWS Load Balancer "+
			"Controller with IP targets: set load_balancer_controller.enabled = true on the cluster's fargate_cluster and annotate "+
			"the Service %s: external and %s: ip; or add a node group to the cluster", o.ID().Short(), strings.Join(fargate, ", "),
			placement.LoadBalancerTypeAnnotation, placement.NLBTargetTypeAnnotation)})
	}
}

// why says where a target type comes from: the annotation, or its absence.
func why(annotations map[string]string, annotation string) string {
	if _, ok := annotations[annotation]; ok {
		return "annotation " + annotation
	}
	return "the default, without the annotation " + annotation
}

// selected are the workloads a Service in namespace ns with selector
// selects, and those of them that run on Fargate, sorted. A Service without
// a selector (endpoints managed by hand) selects none.
func (lb *lbCheck) selected(ns string, selector map[string]string) (all, fargate []string) {
	for id, w := range lb.workloads {
		if len(selector) == 0 || w.Namespace != ns || !matches(selector, w.Labels) {
			continue
		}
		all = append(all, id)
		if strings.HasPrefix(w.Placement, onFargate) {
			fargate = append(fargate, id)
		}
	}
	sort.Strings(all)
	sort.Strings(fargate)
	return all, fargate
}

// services are the Services of objs, for the topology.
func services(objs []kubeobj.Object) map[string]topology.Service {
	out := map[string]topology.Service{}
	for _, o := range objs {
		var svc corev1.Service
		if o.GetKind() == "Service" && runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &svc) == nil {
			out[svc.Namespace+"/"+svc.Name] = topology.Service{Selector: svc.Spec.Selector, Annotations: svc.Annotations}
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
