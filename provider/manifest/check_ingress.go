package manifest

import (
	"fmt"
	"sort"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// ingress checks an Ingress of class alb, which only the AWS Load Balancer
// Controller serves: refused on a cluster known not to have it; else each
// backend Service (of this manifest or one planned before) whose pods run
// on Fargate must have ip targets. Backends made by other tools are not
// known here.
func (lb *lbCheck) ingress(o kubeobj.Object) {
	var ing networkingv1.Ingress
	if runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &ing) != nil {
		return
	}
	if !placement.IngressIsALB(&ing) {
		return
	}
	if lb.absent {
		lb.out = append(lb.out, finding{err: true, summary: noController, msg: fmt.Sprintf("%s is of class %s, which only the AWS Load "+
			"Balancer Controller serves, and EKS does not install it: this cluster does not have it, so the Ingress would never get "+
			"an address. %s", o.ID().Short(), placement.LBCIngressClass, enableController)})
		return
	}
	var fargate []string
	for _, name := range backends(ing) {
		svc, ok := lb.services[ing.Namespace+"/"+name]
		if !ok || placement.ALBTargetType(ing.Annotations, svc.Annotations) == placement.TargetTypeIP {
			continue
		}
		if _, f := lb.selected(ing.Namespace, svc.Selector); len(f) > 0 {
			fargate = append(fargate, fmt.Sprintf("Service %s: %s", name, strings.Join(f, ", ")))
		}
	}
	if len(fargate) > 0 {
		lb.out = append(lb.out, finding{err: true, summary: noTarget, msg: fmt.Sprintf("%s has target type instance (annotation %s, on the "+
			"Ingress or its Services), but the pods of its backends run on Fargate (%s), and Fargate pods cannot be instance targets: the "+
			"controller's instance mode registers EC2 nodes, only ip mode reaches pods on Fargate (%s). Annotate the Ingress %s: ip",
			o.ID().Short(), placement.ALBTargetTypeAnnotation, strings.Join(fargate, "; "), albGuide, placement.ALBTargetTypeAnnotation)})
	}
}

// backends are the names of the Services an Ingress sends traffic to,
// sorted, each once.
func backends(ing networkingv1.Ingress) []string {
	seen := map[string]bool{}
	add := func(b *networkingv1.IngressBackend) {
		if b != nil && b.Service != nil {
			seen[b.Service.Name] = true
		}
	}
	add(ing.Spec.DefaultBackend)
	for _, r := range ing.Spec.Rules {
		if r.HTTP != nil {
			for _, p := range r.HTTP.Paths {
				add(&p.Backend)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
