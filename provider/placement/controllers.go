package placement

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
