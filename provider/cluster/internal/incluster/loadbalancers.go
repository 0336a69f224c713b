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

// ours says whether a load balancer's or target group's tags say this
// cluster's Kubernetes made it.
func (w *Work) ours(key, value string) bool {
	return (key == lbControllerTag && value == w.cluster) || key == kubernetesClusterTag(w.cluster)
}

// errENIsLingering is retried while AWS releases deleted load balancers' interfaces.
var errENIsLingering = errors.New("network interfaces of deleted load balancers are still being released")

// DeleteIn deletes the load balancers this cluster's
// Kubernetes made in VPC id (LoadBalancer Services, Ingresses): ELBv2 ones
// (the AWS Load Balancer Controller's, the legacy cloud controller's NLBs
// and their target groups) and Classic ELBs (the legacy cloud
// controller's, for plain LoadBalancer Services), found by their cluster
// tags, and waits until AWS has released their network interfaces: until
// then they keep the subnets, security groups and the VPC from being
// deleted, which is how destroys of EKS clusters usually get stuck. A load
// balancer in the VPC that this cluster did not make is left alone, and the
// error names it.
func (w *Work) DeleteIn(ctx context.Context, vpcID string) error {
	foreign, err := w.deleteELBv2In(ctx, vpcID)
	if err != nil {
		return err
	}
	classic, err := w.deleteClassicIn(ctx, vpcID)
	if err != nil {
		return err
	}
	if err := w.deleteTargetGroupsIn(ctx, vpcID); err != nil {
		return err
	}
	if foreign = append(foreign, classic...); len(foreign) > 0 {
		return fmt.Errorf("VPC %s holds load balancers that cluster %s's Kubernetes did not make (%s); delete them or move them out of the VPC, then run `terraform destroy` again",
			vpcID, w.cluster, strings.Join(foreign, ", "))
	}
	// Interfaces of load balancers deleted now or just before (by the
	// controller, when a Service went with the manifests) linger a while.
	err = wait.Retry(ctx, w.c.Timing.Poll, func(err error) bool { return errors.Is(err, errENIsLingering) }, func(ctx context.Context) error {
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

// deleteELBv2In deletes this cluster's ELBv2 load balancers in the VPC and
// returns the names of the others there.
func (w *Work) deleteELBv2In(ctx context.Context, vpcID string) ([]string, error) {
	var inVPC []string
	names := map[string]string{}
	p := elb.NewDescribeLoadBalancersPaginator(w.c.ELB, &elb.DescribeLoadBalancersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing load balancers in VPC %s: %w", vpcID, err)
		}
		for _, lb := range page.LoadBalancers {
			if aws.ToString(lb.VpcId) == vpcID {
				arn := aws.ToString(lb.LoadBalancerArn)
				inVPC = append(inVPC, arn)
				names[arn] = aws.ToString(lb.LoadBalancerName)
			}
		}
	}
	ours, foreign, err := w.sortELBv2(ctx, inVPC)
	if err != nil {
		return nil, fmt.Errorf("reading the tags of the load balancers in VPC %s: %w", vpcID, err)
	}
	for _, arn := range ours {
		if _, err := w.c.ELB.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(arn)}); err != nil && !apierr.IsA[*elbtypes.LoadBalancerNotFoundException](err) {
			return nil, fmt.Errorf("deleting load balancer %s, left in VPC %s by Kubernetes: %w", names[arn], vpcID, err)
		}
	}
	var out []string
	for _, arn := range foreign {
		out = append(out, names[arn])
	}
	return out, nil
}

// sortELBv2 splits ELBv2 ARNs (load balancers or target groups) into this
// cluster's and the others by their tags.
func (w *Work) sortELBv2(ctx context.Context, arns []string) (ours, foreign []string, err error) {
	return w.byOwner(arns, func(batch []string) (map[string]map[string]string, error) {
		out, err := w.c.ELB.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: batch})
		if err != nil {
			return nil, err
		}
		tags := map[string]map[string]string{}
		for _, d := range out.TagDescriptions {
			tags[aws.ToString(d.ResourceArn)] = map[string]string{}
			for _, t := range d.Tags {
				tags[aws.ToString(d.ResourceArn)][aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
		}
		return tags, nil
	})
}

// byOwner splits load balancers (or target groups) into this cluster's and
// the others, reading their tags with tagsOf in batches of 20 (the most
// both load balancing APIs' DescribeTags take).
func (w *Work) byOwner(ids []string, tagsOf func(batch []string) (map[string]map[string]string, error)) (ours, foreign []string, err error) {
	for i := 0; i < len(ids); i += 20 {
		batch := ids[i:min(i+20, len(ids))]
		tags, err := tagsOf(batch)
		if err != nil {
			return nil, nil, err
		}
		for _, id := range batch {
			kv, described := tags[id]
			if !described {
				continue
			}
			mine := false
			for k, v := range kv {
				mine = mine || w.ours(k, v)
			}
			if mine {
				ours = append(ours, id)
			} else {
				foreign = append(foreign, id)
			}
		}
	}
	return ours, foreign, nil
}
