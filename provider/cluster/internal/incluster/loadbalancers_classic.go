package incluster

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	clb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
)

// deleteClassicIn deletes the Classic ELBs this cluster's legacy cloud
// controller made in the VPC (tagged kubernetes.io/cluster/<name>) and
// returns the names of the others there.
func (w *Work) deleteClassicIn(ctx context.Context, vpcID string) ([]string, error) {
	var inVPC []string
	p := clb.NewDescribeLoadBalancersPaginator(w.c.CLB, &clb.DescribeLoadBalancersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing Classic load balancers in VPC %s: %w", vpcID, err)
		}
		for _, lb := range page.LoadBalancerDescriptions {
			if aws.ToString(lb.VPCId) == vpcID {
				inVPC = append(inVPC, aws.ToString(lb.LoadBalancerName))
			}
		}
	}
	ours, foreign, err := w.byOwner(inVPC, func(batch []string) (map[string]map[string]string, error) {
		out, err := w.c.CLB.DescribeTags(ctx, &clb.DescribeTagsInput{LoadBalancerNames: batch})
		if err != nil {
			return nil, err
		}
		tags := map[string]map[string]string{}
		for _, d := range out.TagDescriptions {
			tags[aws.ToString(d.LoadBalancerName)] = map[string]string{}
			for _, t := range d.Tags {
				tags[aws.ToString(d.LoadBalancerName)][aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
		}
		return tags, nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the tags of the Classic load balancers in VPC %s: %w", vpcID, err)
	}
	for _, name := range ours {
		// Deleting a Classic ELB that is already gone succeeds.
		if _, err := w.c.CLB.DeleteLoadBalancer(ctx, &clb.DeleteLoadBalancerInput{LoadBalancerName: aws.String(name)}); err != nil {
			return nil, fmt.Errorf("deleting Classic load balancer %s, left in VPC %s by Kubernetes: %w", name, vpcID, err)
		}
	}
	return foreign, nil
}

// deleteTargetGroupsIn deletes the target groups this cluster's
// Kubernetes made in the VPC (the legacy controller's NLBs have one per
// port); they outlive their load balancer.
func (w *Work) deleteTargetGroupsIn(ctx context.Context, vpcID string) error {
	var inVPC []string
	p := elb.NewDescribeTargetGroupsPaginator(w.c.ELB, &elb.DescribeTargetGroupsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing target groups in VPC %s: %w", vpcID, err)
		}
		for _, tg := range page.TargetGroups {
			if aws.ToString(tg.VpcId) == vpcID {
				inVPC = append(inVPC, aws.ToString(tg.TargetGroupArn))
			}
		}
	}
	ours, _, err := w.sortELBv2(ctx, inVPC)
	if err != nil {
		return fmt.Errorf("reading the tags of the target groups in VPC %s: %w", vpcID, err)
	}
	for _, arn := range ours {
		// A target group stays in use for a moment after its load balancer goes.
		err := wait.Retry(ctx, w.c.Timing.Poll, func(err error) bool { return apierr.IsA[*elbtypes.ResourceInUseException](err) }, func(ctx context.Context) error {
			_, err := w.c.ELB.DeleteTargetGroup(ctx, &elb.DeleteTargetGroupInput{TargetGroupArn: aws.String(arn)})
			return err
		})
		if err != nil && !apierr.IsA[*elbtypes.TargetGroupNotFoundException](err) {
			return fmt.Errorf("deleting target group %s, left in VPC %s by Kubernetes: %w", arn, vpcID, err)
		}
	}
	return nil
}
