package server

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/terrax/terraform-provider-fargate/localeks/sim"
)

// Subnet role tags the AWS Load Balancer Controller discovers subnets by.
const (
	tagSubnetPublicELB   = "kubernetes.io/role/elb"
	tagSubnetInternalELB = "kubernetes.io/role/internal-elb"
)

// controllerPlace picks a controller load balancer's subnets as the
// controller's subnet discovery does (its docs, "Subnet auto-discovery";
// pkg/networking/subnet_resolver.go): the VPC's subnets with the role tag
// of the scheme (kubernetes.io/role/elb for internet-facing,
// kubernetes.io/role/internal-elb for internal; value "" or "1"), or, when
// none has it, those whose reachability matches the scheme (a route to an
// internet gateway for internet-facing); none tagged for another cluster;
// one per zone, this cluster's tagged ones first, then by ID. An ALB needs
// two. nil when the cluster's subnets are not in EC2; a sim.BuildModelError
// when none fits.
func (c *Cluster) controllerPlace(ctx context.Context, name string, internal, alb bool) (*loadBalancer, error) {
	s := c.s
	cl, err := s.eks.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(c.Name)})
	if err != nil {
		return nil, fmt.Errorf("describing cluster %s: %w", c.Name, err)
	}
	own, err := s.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: cl.Cluster.ResourcesVpcConfig.SubnetIds})
	if (err != nil && strings.Contains(err.Error(), "InvalidSubnetID.NotFound")) || (err == nil && len(own.Subnets) == 0) {
		return nil, nil // a cluster made without a VPC in EC2: a host name only
	}
	if err != nil {
		return nil, fmt.Errorf("reading the subnets of cluster %s: %w", c.Name, err)
	}
	vpc := aws.ToString(own.Subnets[0].VpcId)
	all, err := s.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
	if err != nil {
		return nil, fmt.Errorf("listing the subnets of VPC %s: %w", vpc, err)
	}
	role := tagSubnetPublicELB
	if internal {
		role = tagSubnetInternalELB
	}
	var candidates []ec2types.Subnet
	for _, sn := range all.Subnets {
		if v, ok := tagValue(sn.Tags, role); ok && (v == "" || v == "1") {
			candidates = append(candidates, sn)
		}
	}
	if len(candidates) == 0 {
		rts, err := s.ec2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
		if err != nil {
			return nil, fmt.Errorf("reading the route tables of VPC %s: %w", vpc, err)
		}
		for _, sn := range all.Subnets {
			if routesToInternetGateway(rts.RouteTables, aws.ToString(sn.SubnetId)) != internal {
				candidates = append(candidates, sn)
			}
		}
	}
	mine := "kubernetes.io/cluster/" + c.Name
	byZone, otherCluster := map[string]ec2types.Subnet{}, 0
	for _, sn := range candidates {
		if taggedForOtherCluster(sn.Tags, mine) {
			otherCluster++
			continue
		}
		z := aws.ToString(sn.AvailabilityZone)
		if have, ok := byZone[z]; !ok || better(sn, have, mine) {
			byZone[z] = sn
		}
	}
	if len(byZone) == 0 {
		return nil, sim.BuildModelError{Err: fmt.Errorf("couldn't auto-discover subnets: unable to resolve at least one subnet. "+
			"Evaluated %d subnets: %d are tagged for other clusters, and 0 have insufficient available IP addresses", len(candidates), otherCluster)}
	}
	if alb && len(byZone) < 2 {
		return nil, sim.BuildModelError{Err: fmt.Errorf("couldn't auto-discover subnets: subnets count less than minimal required count: %d < 2", len(byZone))}
	}
	lb := &loadBalancer{Name: name, Cluster: c.Name, VPC: vpc}
	for _, sn := range byZone {
		lb.Subnets = append(lb.Subnets, aws.ToString(sn.SubnetId))
	}
	sort.Strings(lb.Subnets)
	return lb, nil
}

func tagValue(tags []ec2types.Tag, key string) (string, bool) {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value), true
		}
	}
	return "", false
}

// taggedForOtherCluster: a kubernetes.io/cluster/ tag, none of them mine.
func taggedForOtherCluster(tags []ec2types.Tag, mine string) bool {
	other := false
	for _, t := range tags {
		k := aws.ToString(t.Key)
		if k == mine {
			return false
		}
		other = other || strings.HasPrefix(k, "kubernetes.io/cluster/")
	}
	return other
}

// better: a subnet tagged for this cluster first, then the lower ID.
func better(a, b ec2types.Subnet, mine string) bool {
	_, am := tagValue(a.Tags, mine)
	_, bm := tagValue(b.Tags, mine)
	if am != bm {
		return am
	}
	return aws.ToString(a.SubnetId) < aws.ToString(b.SubnetId)
}
