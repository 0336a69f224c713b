//go:build bench

package bench_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// warmUp makes one call to each AWS service the bench uses before anything
// is measured. moto builds a service's backend on its first call (EC2's in
// about 1 s: it makes the default VPC; IAM's in about 0.5 s: it loads AWS's
// managed policies). AWS has nothing like it, and it would count against
// whichever tool happens to call first: this provider, which runs first.
func warmUp(t *testing.T) {
	c, err := newAWSClients("bench-warmup")
	if err != nil {
		t.Fatalf("AWS clients for the warm-up: %v", err)
	}
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"iam:ListRoles":    func() error { _, err := c.iam.ListRoles(ctx, &iam.ListRolesInput{}); return err },
		"ec2:DescribeVpcs": func() error { _, err := c.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); return err },
		"eks:ListClusters": func() error { _, err := c.eks.ListClusters(ctx, &eks.ListClustersInput{}); return err },
		"sts:GetCallerIdentity": func() error {
			_, err := sts.NewFromConfig(c.cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		},
		"logs:DescribeLogGroups": func() error {
			_, err := cloudwatchlogs.NewFromConfig(c.cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
			return err
		},
		"kms:ListKeys": func() error { _, err := kms.NewFromConfig(c.cfg).ListKeys(ctx, &kms.ListKeysInput{}); return err },
		"elasticloadbalancing:DescribeLoadBalancers": func() error {
			_, err := elb.NewFromConfig(c.cfg).DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
			return err
		},
	} {
		if err := call(); err != nil {
			t.Fatalf("warm-up call %s: %v", name, err)
		}
	}
}
