package sim

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// serviceObject is a Service for the AWS Load Balancer Controller: an NLB
// with a target group per port, of target type
// service.beta.kubernetes.io/aws-load-balancer-nlb-target-type (default
// instance; type nlb-ip means ip), scheme
// service.beta.kubernetes.io/aws-load-balancer-scheme (default internal).
// Controller docs: "Network Load Balancer" (guide/service/nlb.md) and
// "Service annotations" (guide/service/annotations.md).
func (s *Simulator) serviceObject(svc *corev1.Service) lbcObject {
	c := s.cfg.Client.CoreV1().Services(svc.Namespace)
	return lbcObject{
		ref: serviceRef(svc), why: placement.ServiceNeedsLoadBalancerController(svc), finalizer: lbFinalizer,
		finalizers: svc.Finalizers, deleting: svc.DeletionTimestamp != nil, hasAddress: len(svc.Status.LoadBalancer.Ingress) > 0,
		want: func(context.Context) (ControllerLB, map[string]string, error) { return s.serviceWant(svc) },
		setFinalizers: func(ctx context.Context, f []string) error {
			q := svc.DeepCopy()
			q.Finalizers = f
			_, err := c.Update(ctx, q, metav1.UpdateOptions{})
			return err
		},
		setAddress: func(ctx context.Context, host string) error {
			q := svc.DeepCopy()
			q.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{Hostname: host}}
			_, err := c.UpdateStatus(ctx, q, metav1.UpdateOptions{})
			return err
		},
	}
}

func (s *Simulator) serviceWant(svc *corev1.Service) (ControllerLB, map[string]string, error) {
	ip := placement.NLBTargetType(svc.Annotations) == placement.TargetTypeIP
	want := ControllerLB{Owner: serviceRef(svc), Internal: svc.Annotations[schemeAnnotation] != "internet-facing"}
	problems := map[string]string{}
	for _, p := range svc.Spec.Ports {
		proto := string(p.Protocol)
		if proto == "" {
			proto = "TCP"
		}
		tg := TargetGroup{Resource: fmt.Sprintf("%s/%s:%d", svc.Namespace, svc.Name, p.Port), Protocol: proto, Listener: p.Port, IP: ip}
		ips, port, nodes := s.endpoints(svc.Namespace, svc.Name, p.Name)
		if ip {
			tg.Port, tg.Targets = port, ips
			if port == 0 {
				tg.Port = int32(p.TargetPort.IntValue())
			}
		} else {
			tg.Port, tg.Targets = p.NodePort, s.ec2Instances()
			if len(tg.Targets) == 0 && s.onFargateOnly(nodes) {
				problems[ReasonNoInstanceTargets] = instanceOnFargate("Service", placement.NLBTargetTypeAnnotation)
			}
		}
		if tg.Port == 0 {
			tg.Port = p.Port
		}
		want.TargetGroups = append(want.TargetGroups, tg)
	}
	return want, problems, nil
}

// schemeAnnotation: internal (the controller's default) or internet-facing.
const schemeAnnotation = "service.beta.kubernetes.io/aws-load-balancer-scheme"
