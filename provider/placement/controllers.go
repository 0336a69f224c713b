package placement

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// What EKS leaves to add-ons and controllers, shared by the
// fargate_manifest checks and localeks, which must agree.

// EBSCSIDriverAddon is the EKS add-on without which EKS makes no EBS
// volume: since Kubernetes 1.23 the in-tree kubernetes.io/aws-ebs
// provisioner is migrated to its driver too.
const EBSCSIDriverAddon = "aws-ebs-csi-driver"

// Annotations and class of a Service that choose its load balancer.
const (
	LoadBalancerTypeAnnotation = "service.beta.kubernetes.io/aws-load-balancer-type"
	LoadBalancerControllerNLB  = "service.k8s.aws/nlb"
)

// NeedsLoadBalancerController says how a LoadBalancer Service asks for the
// AWS Load Balancer Controller, which EKS does not install: its type
// annotation `external` (or the older `nlb-ip`), or the class
// service.k8s.aws/nlb. "" means it does not: with no class it is a legacy
// Service, whose load balancer EKS's cloud controller makes.
func NeedsLoadBalancerController(annotations map[string]string, class string) string {
	switch t := annotations[LoadBalancerTypeAnnotation]; {
	case t == "external" || t == "nlb-ip":
		return "annotation " + LoadBalancerTypeAnnotation + ": " + t
	case class == LoadBalancerControllerNLB:
		return "loadBalancerClass " + class
	}
	return ""
}

// The AWS Load Balancer Controller as fargate_cluster installs it (the
// names of its Helm chart, release aws-load-balancer-controller in
// kube-system), shared by the provider's install, the fargate_manifest
// checks and localeks, which plays the controller.
const (
	LBCNamespace         = "kube-system"
	LBCName              = "aws-load-balancer-controller" // Deployment, service account, app.kubernetes.io/name label
	LBCWebhookService    = "aws-load-balancer-webhook-service"
	LBCWebhookPort       = 9443                    // the container's webhook-server port; the Service listens on 443
	LBCTLSSecret         = "aws-load-balancer-tls" // kubernetes.io/tls: tls.crt, tls.key, ca.crt
	LBCWebhookConfig     = "aws-load-balancer-webhook"
	LBCIngressClass      = "alb"
	LBCIngressController = "ingress.k8s.aws/alb"
	// Finalizers the controller puts on what it makes a load balancer for:
	// while one is there, the object cannot go until the controller has
	// deleted the load balancer.
	LBCServiceFinalizer = "service.k8s.aws/resources"
	LBCIngressFinalizer = "ingress.k8s.aws/resources"
	// Target types: `instance` (the default) reaches pods through EC2
	// nodes; Fargate pods need `ip`.
	NLBTargetTypeAnnotation = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"
	ALBTargetTypeAnnotation = "alb.ingress.kubernetes.io/target-type"
	IngressClassAnnotation  = "kubernetes.io/ingress.class"
)

// IngressNeedsLoadBalancerController says whether an Ingress is the AWS
// Load Balancer Controller's (class alb, by field or by the older
// annotation).
func IngressNeedsLoadBalancerController(annotations map[string]string, class string) bool {
	return class == LBCIngressClass || (class == "" && annotations[IngressClassAnnotation] == LBCIngressClass)
}

// ServiceNeedsLoadBalancerController is NeedsLoadBalancerController of a
// Service, its class read from spec.loadBalancerClass.
func ServiceNeedsLoadBalancerController(svc *corev1.Service) string {
	return NeedsLoadBalancerController(svc.Annotations, deref(svc.Spec.LoadBalancerClass))
}

// IngressIsALB is IngressNeedsLoadBalancerController of an Ingress, its
// class read from spec.ingressClassName.
func IngressIsALB(ing *networkingv1.Ingress) bool {
	return IngressNeedsLoadBalancerController(ing.Annotations, deref(ing.Spec.IngressClassName))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
