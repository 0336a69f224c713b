package cluster

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// discoverNetwork fills in the network of an imported cluster: a VPC the
// provider created (it carries the owner tag) reads back as `vpc_cidr`, any
// other as the cluster's `subnet_ids`.
func (o *ops) discoverNetwork(ctx context.Context, ob *observed) error {
	vpcs, err := o.c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: o.ownedFilter()})
	if err != nil {
		return fmt.Errorf("looking for the VPC of cluster %s: %w", o.owner(), err)
	}
	if len(vpcs.Vpcs) == 0 {
		var subnets []string
		if ob.cluster.ResourcesVpcConfig != nil {
			subnets = append(subnets, ob.cluster.ResourcesVpcConfig.SubnetIds...)
		}
		sort.Strings(subnets)
		ob.network = networkState{SubnetIDs: subnets}
		return o.classifySubnets(ctx, &ob.network)
	}
	vpc := vpcs.Vpcs[0]
	n := networkState{VPCCIDR: aws.ToString(vpc.CidrBlock), VPCID: aws.ToString(vpc.VpcId)}
	sns, err := o.c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: o.ownedFilter(ec2types.Filter{Name: aws.String("vpc-id"), Values: []string{n.VPCID}}),
	})
	if err != nil {
		return fmt.Errorf("reading the subnets of VPC %s: %w", n.VPCID, err)
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
	ob.network = n
	return nil
}
