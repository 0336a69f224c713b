package network

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/subnets"
)

// classifySubnets looks up subnets the user brought: their VPC, zones, and
// which are private (no route to an internet gateway), where Fargate and
// node groups go.
func (nw *Network) classifySubnets(ctx context.Context, n *State) error {
	out, err := nw.c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: n.SubnetIDs})
	if err != nil {
		return fmt.Errorf("looking up subnets %v: %w", n.SubnetIDs, err)
	}
	zones := map[string]bool{}
	n.Public, n.Private, n.AZs = nil, nil, nil
	for _, sn := range out.Subnets {
		vpc := aws.ToString(sn.VpcId)
		if n.VPCID != "" && vpc != n.VPCID {
			return fmt.Errorf("subnets %v are in different VPCs (%s and %s); an EKS cluster lives in one VPC", n.SubnetIDs, n.VPCID, vpc)
		}
		n.VPCID = vpc
		if z := aws.ToString(sn.AvailabilityZone); !zones[z] {
			zones[z] = true
			n.AZs = append(n.AZs, z)
		}
	}
	if len(zones) < 2 {
		return fmt.Errorf("subnets %v are all in one availability zone; EKS needs subnets in at least two", n.SubnetIDs)
	}
	sort.Strings(n.AZs)
	n.Public, n.Private, err = subnets.Split(ctx, nw.c.EC2, n.VPCID, n.SubnetIDs)
	return err
}

// Discover reads the network of an imported cluster: a VPC the provider
// created (it carries the owner tag) reads back as `vpc_cidr`, any other as
// the cluster's subnets, clusterSubnets.
func (nw *Network) Discover(ctx context.Context, clusterSubnets []string) (State, error) {
	vpcs, err := nw.c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: nw.ownedFilter()})
	if err != nil {
		return State{}, fmt.Errorf("looking for the VPC of cluster %s: %w", nw.owner.Value(), err)
	}
	if len(vpcs.Vpcs) == 0 {
		subnets := slices.Sorted(slices.Values(clusterSubnets))
		n := State{SubnetIDs: subnets}
		err := nw.classifySubnets(ctx, &n)
		return n, err
	}
	vpc := vpcs.Vpcs[0]
	n := State{VPCCIDR: aws.ToString(vpc.CidrBlock), VPCID: aws.ToString(vpc.VpcId)}
	sns, err := nw.c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: nw.ownedFilter(ec2types.Filter{Name: aws.String("vpc-id"), Values: []string{n.VPCID}}),
	})
	if err != nil {
		return State{}, fmt.Errorf("reading the subnets of VPC %s: %w", n.VPCID, err)
	}
	subnets := sns.Subnets
	sort.Slice(subnets, func(i, j int) bool {
		return aws.ToString(subnets[i].AvailabilityZone) < aws.ToString(subnets[j].AvailabilityZone)
	})
	seen := map[string]bool{}
	for _, s := range subnets {
		az := aws.ToString(s.AvailabilityZone)
		if !seen[az] {
			seen[az] = true
			n.AZs = append(n.AZs, az)
		}
		public := false
		for _, t := range s.Tags {
			public = public || aws.ToString(t.Key) == "kubernetes.io/role/elb"
		}
		if public {
			n.Public = append(n.Public, aws.ToString(s.SubnetId))
		} else {
			n.Private = append(n.Private, aws.ToString(s.SubnetId))
		}
	}
	return n, nil
}
