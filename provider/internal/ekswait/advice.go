package ekswait

import ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

// nodegroupAdvice says what to do about a node group EKS left failed or
// unhealthy ("Troubleshoot managed node groups", EKS user guide).
func nodegroupAdvice(status string) string {
	switch ekstypes.NodegroupStatus(status) {
	case ekstypes.NodegroupStatusCreateFailed:
		return "EKS does not retry a node group whose creation failed: fix what its health issues name " +
			"(subnets, instance quotas, the node role), then remove it from `node_groups` and apply, and add it back"
	case ekstypes.NodegroupStatusDegraded:
		return "the node group exists but cannot keep its nodes: fix what its health issues name " +
			"(subnets, instance quotas, the node role) and apply again"
	}
	return ""
}
