package sim

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// albSchemeAnnotation: internal (the controller's default) or internet-facing.
const albSchemeAnnotation = "alb.ingress.kubernetes.io/scheme"

func ingressRef(ing *networkingv1.Ingress) corev1.ObjectReference {
	return corev1.ObjectReference{Kind: "Ingress", APIVersion: "networking.k8s.io/v1", Namespace: ing.Namespace, Name: ing.Name, UID: ing.UID}
}

// syncIngress plays the AWS Load Balancer Controller for Ingresses of class
// alb (spec.ingressClassName or the kubernetes.io/ingress.class
// annotation): an ALB with a target group per backend Service port, target
// type alb.ingress.kubernetes.io/target-type (on the Service or the
// Ingress; default instance), scheme alb.ingress.kubernetes.io/scheme
// (default internal), an HTTP listener on 80; the Ingress's status gets its
// host name. Controller docs: "Ingress annotations"
// (guide/ingress/annotations.md), "How it works".
func (s *Simulator) syncIngress(ctx context.Context, key string) error {
	ns, name, _ := cache.SplitMetaNamespaceKey(key)
	ing, err := s.factory.Networking().V1().Ingresses().Lister().Ingresses(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	mine := placement.IngressIsALB(ing)
	if !mine && !slices.Contains(ing.Finalizers, placement.LBCIngressFinalizer) {
		return nil
	}
	c := s.cfg.Client.NetworkingV1().Ingresses(ns)
	return s.reconcileLBC(ctx, lbcObject{
		ref: ingressRef(ing), why: "IngressClass " + placement.LBCIngressClass, finalizer: placement.LBCIngressFinalizer,
		// No longer of class alb: the controller deletes what it made for it.
		finalizers: ing.Finalizers, deleting: ing.DeletionTimestamp != nil || !mine, hasAddress: len(ing.Status.LoadBalancer.Ingress) > 0,
		want: func(context.Context) (ControllerLB, map[string]string, error) { return s.ingressWant(ing) },
		setFinalizers: func(ctx context.Context, f []string) error {
			q := ing.DeepCopy()
			q.Finalizers = f
			_, err := c.Update(ctx, q, metav1.UpdateOptions{})
			return err
		},
		setAddress: func(ctx context.Context, host string) error {
			q := ing.DeepCopy()
			q.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{Hostname: host}}
			_, err := c.UpdateStatus(ctx, q, metav1.UpdateOptions{})
			return err
		},
	})
}

// ingressBackend is one backend Service port of an Ingress, with the rules
// that lead to it.
type ingressBackend struct {
	svc    *networkingv1.IngressServiceBackend
	isDflt bool
	rules  []Rule
}

// ingressBackends are the Ingress's backend Services, default first, each
// once, with their rules: a path's patterns as the controller writes them
// (Exact: the path; Prefix: the path and path/*; "/" Prefix: /*).
func ingressBackends(ing *networkingv1.Ingress) []*ingressBackend {
	var out []*ingressBackend
	byKey := map[string]*ingressBackend{}
	get := func(b *networkingv1.IngressBackend) *ingressBackend {
		if b == nil || b.Service == nil {
			return nil
		}
		k := fmt.Sprintf("%s:%d:%s", b.Service.Name, b.Service.Port.Number, b.Service.Port.Name)
		if byKey[k] == nil {
			byKey[k] = &ingressBackend{svc: b.Service}
			out = append(out, byKey[k])
		}
		return byKey[k]
	}
	if d := get(ing.Spec.DefaultBackend); d != nil {
		d.isDflt = true
	}
	for _, r := range ing.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for i, p := range r.HTTP.Paths {
			if b := get(&r.HTTP.Paths[i].Backend); b != nil {
				b.rules = append(b.rules, Rule{Host: r.Host, Paths: pathPatterns(p)})
			}
		}
	}
	return out
}

func pathPatterns(p networkingv1.HTTPIngressPath) []string {
	path := p.Path
	if path == "" {
		path = "/"
	}
	if p.PathType == nil || *p.PathType != networkingv1.PathTypePrefix {
		return []string{path}
	}
	if path == "/" {
		return []string{"/*"}
	}
	path = strings.TrimSuffix(path, "/")
	return []string{path, path + "/*"}
}

func (s *Simulator) ingressWant(ing *networkingv1.Ingress) (ControllerLB, map[string]string, error) {
	want := ControllerLB{Owner: ingressRef(ing), Internal: ing.Annotations[albSchemeAnnotation] != "internet-facing"}
	problems := map[string]string{}
	for _, ib := range ingressBackends(ing) {
		b := ib.svc
		svc, err := s.factory.Core().V1().Services().Lister().Services(ing.Namespace).Get(b.Name)
		if err != nil {
			return want, problems, fmt.Errorf("ingress: %s/%s: %w", ing.Namespace, ing.Name, err)
		}
		var sp *corev1.ServicePort
		for i, p := range svc.Spec.Ports {
			if (b.Port.Name != "" && p.Name == b.Port.Name) || (b.Port.Name == "" && p.Port == b.Port.Number) {
				sp = &svc.Spec.Ports[i]
			}
		}
		if sp == nil {
			return want, problems, fmt.Errorf("ingress: %s/%s: unable to find port %s on service %s/%s",
				ing.Namespace, ing.Name, portString(b.Port), svc.Namespace, svc.Name)
		}
		ip := placement.ALBTargetType(ing.Annotations, svc.Annotations) == placement.TargetTypeIP
		tg := TargetGroup{Resource: fmt.Sprintf("%s/%s-%s:%s", ing.Namespace, ing.Name, svc.Name, portString(b.Port)), Protocol: "HTTP", IP: ip,
			Default: ib.isDflt, Rules: ib.rules}
		ips, port, nodes := s.endpoints(svc.Namespace, svc.Name, sp.Name)
		if tg.IP {
			tg.Port, tg.Targets = port, ips
			if port == 0 {
				tg.Port = int32(sp.TargetPort.IntValue())
			}
		} else {
			if svc.Spec.Type != corev1.ServiceTypeNodePort && svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
				return want, problems, fmt.Errorf("ingress: %s/%s: %s/%s: service type must be either 'NodePort' or 'LoadBalancer' for target type instance",
					ing.Namespace, ing.Name, svc.Namespace, svc.Name)
			}
			tg.Port, tg.Targets = sp.NodePort, s.ec2Instances()
			if len(tg.Targets) == 0 && s.onFargateOnly(nodes) {
				problems[ReasonNoInstanceTargets] = instanceOnFargate("Ingress", placement.ALBTargetTypeAnnotation)
			}
		}
		if tg.Port == 0 {
			tg.Port = sp.Port
		}
		want.TargetGroups = append(want.TargetGroups, tg)
	}
	return want, problems, nil
}

func portString(p networkingv1.ServiceBackendPort) string {
	if p.Name != "" {
		return p.Name
	}
	return strconv.Itoa(int(p.Number))
}
