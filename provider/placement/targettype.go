package placement

// Target types of the AWS Load Balancer Controller's target groups.
const (
	TargetTypeInstance = "instance"
	TargetTypeIP       = "ip"
)

// NLBTargetType is the target type the AWS Load Balancer Controller gives
// the NLB of a Service it serves: `ip` for the older `nlb-ip` type, else
// its target-type annotation, `instance` by default. Instance targets are
// EC2 nodes, whose kube-proxy forwards to the pods; only `ip` targets
// reach pods on Fargate ("Network Load Balancer", the controller's guide:
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/nlb/).
func NLBTargetType(annotations map[string]string) string {
	if annotations[LoadBalancerTypeAnnotation] == "nlb-ip" {
		return TargetTypeIP
	}
	if t := annotations[NLBTargetTypeAnnotation]; t != "" {
		return t
	}
	return TargetTypeInstance
}

// ALBTargetType is the target type of an ALB's target group for one
// backend Service of an Ingress: the Service's target-type annotation,
// else the Ingress's, `instance` by default (the controller's Ingress
// annotations: a Service's annotation overrides the Ingress's,
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#target-type).
func ALBTargetType(ingress, service map[string]string) string {
	if t := service[ALBTargetTypeAnnotation]; t != "" {
		return t
	}
	if t := ingress[ALBTargetTypeAnnotation]; t != "" {
		return t
	}
	return TargetTypeInstance
}
