package acctest

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	clb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// madeFor says whether a load balancer's tag says Kubernetes made it for
// cluster name: the AWS Load Balancer Controller's tag, or the legacy cloud
// controller's kubernetes.io/cluster/<name>.
func madeFor(name, key, value string) bool {
	return (key == "elbv2.k8s.aws/cluster" && value == name) || key == "kubernetes.io/cluster/"+name
}

// countLoadBalancers counts the load balancers (ELBv2 and Classic) and
// target groups Kubernetes made for the cluster, wherever they are.
func countLoadBalancers(ctx context.Context, c *conns.Client, name string, inv *Inventory) error {
	lbs, err := c.ELB.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
	if err != nil {
		return err
	}
	var arns []string
	for _, lb := range lbs.LoadBalancers {
		arns = append(arns, aws.ToString(lb.LoadBalancerArn))
	}
	tgs, err := c.ELB.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{})
	if err != nil {
		return err
	}
	isTG := map[string]bool{}
	for _, tg := range tgs.TargetGroups {
		arns = append(arns, aws.ToString(tg.TargetGroupArn))
		isTG[aws.ToString(tg.TargetGroupArn)] = true
	}
	for _, arn := range arns {
		tags, err := c.ELB.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: []string{arn}})
		if err != nil {
			continue // deleted meanwhile
		}
		for _, d := range tags.TagDescriptions {
			for _, tg := range d.Tags {
				if madeFor(name, aws.ToString(tg.Key), aws.ToString(tg.Value)) {
					if isTG[arn] {
						inv.TargetGroups++
					} else {
						inv.LBs++
					}
					break
				}
			}
		}
	}
	classic, err := c.CLB.DescribeLoadBalancers(ctx, &clb.DescribeLoadBalancersInput{})
	if err != nil {
		return err
	}
	for _, lb := range classic.LoadBalancerDescriptions {
		tags, err := c.CLB.DescribeTags(ctx, &clb.DescribeTagsInput{LoadBalancerNames: []string{aws.ToString(lb.LoadBalancerName)}})
		if err != nil {
			continue // deleted meanwhile
		}
		for _, d := range tags.TagDescriptions {
			for _, tg := range d.Tags {
				if madeFor(name, aws.ToString(tg.Key), aws.ToString(tg.Value)) {
					inv.LBs++
					inv.ClassicLBs++
					break
				}
			}
		}
	}
	return nil
}
