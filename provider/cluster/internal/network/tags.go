package network

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// UpdateTags brings the tags of the VPC parts this cluster owns to tags_all.
func (nw *Network) UpdateTags(ctx context.Context, old map[string]string) error {
	add, remove := nw.owner.TagChanges(old)
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	var ids []string
	vpcs, err := nw.c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: nw.ownedFilter()})
	if err != nil {
		return fmt.Errorf("finding the VPCs of cluster %s: %w", nw.owner.Value(), err)
	}
	for _, v := range vpcs.Vpcs {
		ids = append(ids, aws.ToString(v.VpcId))
	}
	if len(ids) == 0 {
		return nil
	}
	owned := nw.ownedFilter(ec2types.Filter{Name: aws.String("vpc-id"), Values: ids})
	sns, err := nw.c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: owned})
	if err != nil {
		return fmt.Errorf("finding the subnets of cluster %s: %w", nw.owner.Value(), err)
	}
	for _, s := range sns.Subnets {
		ids = append(ids, aws.ToString(s.SubnetId))
	}
	rts, err := nw.c.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: owned})
	if err != nil {
		return fmt.Errorf("finding the route tables of cluster %s: %w", nw.owner.Value(), err)
	}
	for _, r := range rts.RouteTables {
		ids = append(ids, aws.ToString(r.RouteTableId))
	}
	nats, err := nw.c.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: owned})
	if err != nil {
		return fmt.Errorf("finding the NAT gateways of cluster %s: %w", nw.owner.Value(), err)
	}
	for _, n := range nats.NatGateways {
		ids = append(ids, aws.ToString(n.NatGatewayId))
	}
	igws, err := nw.c.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: nw.ownedFilter()})
	if err != nil {
		return fmt.Errorf("finding the internet gateways of cluster %s: %w", nw.owner.Value(), err)
	}
	for _, g := range igws.InternetGateways {
		ids = append(ids, aws.ToString(g.InternetGatewayId))
	}
	addrs, err := nw.c.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: nw.ownedFilter()})
	if err != nil {
		return fmt.Errorf("finding the elastic IPs of cluster %s: %w", nw.owner.Value(), err)
	}
	for _, a := range addrs.Addresses {
		ids = append(ids, aws.ToString(a.AllocationId))
	}
	if len(remove) > 0 {
		var keys []ec2types.Tag
		for _, k := range remove {
			keys = append(keys, ec2types.Tag{Key: aws.String(k)})
		}
		if _, err := nw.c.EC2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: ids, Tags: keys}); err != nil {
			return fmt.Errorf("untagging the VPC parts of cluster %s: %w", nw.owner.Value(), err)
		}
	}
	if len(add) > 0 {
		if _, err := nw.c.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: ids, Tags: ec2Tags(add)}); err != nil {
			return fmt.Errorf("tagging the VPC parts of cluster %s: %w", nw.owner.Value(), err)
		}
	}
	return nil
}

// adopt takes over a VPC this cluster made in an apply that was
// killed before writing the state, when it is complete and of the asked
// CIDR; an incomplete or different one is deleted, so a fresh one is made
// and nothing is left twice.
func (nw *Network) adopt(ctx context.Context, n *State) (bool, error) {
	vpcs, err := nw.c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: nw.ownedFilter()})
	if err != nil {
		return false, fmt.Errorf("looking for an earlier VPC of cluster %s: %w", nw.owner.Value(), err)
	}
	if len(vpcs.Vpcs) == 0 {
		return false, nil
	}
	found, err := nw.Discover(ctx, nil)
	if err != nil {
		return false, err
	}
	complete := found.VPCCIDR == n.VPCCIDR && len(found.Public) == len(n.AZs) && len(found.Private) == len(n.AZs) &&
		slices.Equal(found.AZs, n.AZs)
	if complete {
		complete, err = nw.adoptRoutes(ctx, &found)
		if err != nil {
			return false, err
		}
	}
	if complete {
		*n = found
		return true, nil
	}
	for _, v := range vpcs.Vpcs {
		if err := nw.deleteVPC(ctx, aws.ToString(v.VpcId)); err != nil {
			return false, fmt.Errorf("removing the unfinished VPC %s of an interrupted apply: %w", aws.ToString(v.VpcId), err)
		}
	}
	return false, nil
}

// adoptRoutes checks the routes of an earlier VPC whose subnets are all
// there. Without a NAT gateway pending or available it is not complete (no
// cluster can use it yet: the control plane waits for the NAT gateway's
// create call). With one, what Route had still to do is left to it: a
// route table made in part is removed, and the public one made again
// through the attached internet gateway, the private one through the NAT
// gateway.
func (nw *Network) adoptRoutes(ctx context.Context, found *State) (bool, error) {
	nats, err := nw.c.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: vpcFilter(found.VPCID)})
	if err != nil {
		return false, err
	}
	var nat string
	for _, g := range nats.NatGateways {
		if g.State == ec2types.NatGatewayStateAvailable || g.State == ec2types.NatGatewayStatePending {
			nat = aws.ToString(g.NatGatewayId)
		}
	}
	if nat == "" {
		return false, nil
	}
	rts, err := nw.c.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: nw.ownedFilter(ec2types.Filter{Name: aws.String("vpc-id"), Values: []string{found.VPCID}})})
	if err != nil {
		return false, err
	}
	done := map[string]bool{}
	for _, rt := range rts.RouteTables {
		kind, subnets := "private", found.Private
		if nameTag(rt.Tags) == nw.owner.Cluster+"-public" {
			kind, subnets = "public", found.Public
		}
		if len(rt.Routes) > 1 && len(rt.Associations) == len(subnets) && !done[kind] {
			done[kind] = true
			continue
		}
		if err := nw.deleteRouteTable(ctx, rt); err != nil {
			return false, err
		}
	}
	if !done["public"] {
		igws, err := nw.c.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{
			Filters: []ec2types.Filter{{Name: aws.String("attachment.vpc-id"), Values: []string{found.VPCID}}},
		})
		if err != nil {
			return false, err
		}
		if len(igws.InternetGateways) == 0 {
			return false, nil
		}
		found.igw = aws.ToString(igws.InternetGateways[0].InternetGatewayId)
	}
	if !done["private"] {
		found.nat = nat
	}
	return true, nil
}

func nameTag(tags []ec2types.Tag) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == "Name" {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

// Leftovers names the VPCs this resource made that exist.
func (nw *Network) Leftovers(ctx context.Context) ([]string, error) {
	vpcs, err := nw.c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: nw.ownedFilter()})
	if err != nil {
		return nil, fmt.Errorf("finding the VPCs of cluster %s: %w", nw.owner.Value(), err)
	}
	var left []string
	for _, v := range vpcs.Vpcs {
		left = append(left, "VPC "+aws.ToString(v.VpcId))
	}
	return left, nil
}
