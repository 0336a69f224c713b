package incluster

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
)

// Tags by which AWS's Kubernetes controllers mark the load balancers they
// make for a cluster: the AWS Load Balancer Controller and the in-tree
// service controller.
const lbControllerTag = "elbv2.k8s.aws/cluster"

func kubernetesClusterTag(cluster string) string { return "kubernetes.io/cluster/" + cluster }

// errENIsLingering is retried while AWS releases deleted load balancers' interfaces.
var errENIsLingering = errors.New("network interfaces of deleted load balancers are still being released")

// DeleteIn deletes the load balancers this cluster's
// Kubernetes made in VPC id (LoadBalancer Services, Ingresses) and waits
// until AWS has released their network interfaces: until then they keep
// the subnets, security groups and the VPC from being deleted, which is
// how destroys of EKS clusters usually get stuck. A load balancer in the
// VPC that this cluster did not make is left alone, and the error names it.
func (w *Work) DeleteIn(ctx context.Context, vpcID string) error {
	var inVPC []string
	names := map[string]string{}
	p := elb.NewDescribeLoadBalancersPaginator(w.c.ELB, &elb.DescribeLoadBalancersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing load balancers in VPC %s: %w", vpcID, err)
		}
		for _, lb := range page.LoadBalancers {
			if aws.ToString(lb.VpcId) == vpcID {
				arn := aws.ToString(lb.LoadBalancerArn)
				inVPC = append(inVPC, arn)
				names[arn] = aws.ToString(lb.LoadBalancerName)
			}
		}
	}
	var ours, foreign []string
	for i := 0; i < len(inVPC); i += 20 { // DescribeTags takes at most 20 ARNs
		tags, err := w.c.ELB.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: inVPC[i:min(i+20, len(inVPC))]})
		if err != nil {
			return fmt.Errorf("reading the tags of the load balancers in VPC %s: %w", vpcID, err)
		}
		for _, d := range tags.TagDescriptions {
			mine := false
			for _, t := range d.Tags {
				k, v := aws.ToString(t.Key), aws.ToString(t.Value)
				mine = mine || (k == lbControllerTag && v == w.cluster) || k == kubernetesClusterTag(w.cluster)
			}
			if mine {
				ours = append(ours, aws.ToString(d.ResourceArn))
			} else {
				foreign = append(foreign, names[aws.ToString(d.ResourceArn)])
			}
		}
	}
	for _, arn := range ours {
		if _, err := w.c.ELB.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(arn)}); err != nil && !apierr.IsA[*elbtypes.LoadBalancerNotFoundException](err) {
			return fmt.Errorf("deleting load balancer %s, left in VPC %s by Kubernetes: %w", names[arn], vpcID, err)
		}
	}
	if len(foreign) > 0 {
		return fmt.Errorf("VPC %s holds load balancers that cluster %s's Kubernetes did not make (%s); delete them or move them out of the VPC, then run `terraform destroy` again",
			vpcID, w.cluster, strings.Join(foreign, ", "))
	}
	// Interfaces of load balancers deleted now or just before (by the
	// controller, when a Service went with the manifests) linger a while.
	err := wait.Retry(ctx, w.c.Timing.Poll, func(err error) bool { return errors.Is(err, errENIsLingering) }, func(ctx context.Context) error {
		enis, err := w.c.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{
			Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}},
		})
		if err != nil {
			return err
		}
		for _, e := range enis.NetworkInterfaces {
			if strings.HasPrefix(aws.ToString(e.Description), "ELB ") {
				return errENIsLingering
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("waiting for the network interfaces of Kubernetes' load balancers in VPC %s to go: %w", vpcID, err)
	}
	return nil
}
