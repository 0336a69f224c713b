package stack

import "github.com/aws/jsii-runtime-go"

// LoadBalancerController is fargate_cluster's load_balancer_controller:
// the AWS Load Balancer Controller, which serves `external` Services and
// `alb` Ingresses (IP targets reach Fargate pods without EC2 nodes).
// Enabled defaults to true once the block is given; Version to the newest
// the provider embeds.
type LoadBalancerController struct {
	Enabled *bool  `tf:"enabled,omitempty"`
	Version string `tf:"version,omitempty"`
}

// LoadBalancerControllerRoleArn is the controller's IAM role (IRSA).
func (c *FargateCluster) LoadBalancerControllerRoleArn() *string {
	return c.GetStringAttribute(jsii.String("load_balancer_controller.role_arn"))
}
