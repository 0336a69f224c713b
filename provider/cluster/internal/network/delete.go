package network

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// Delete deletes every VPC this cluster created, found by owner tag
// (so also one whose ID never reached the state), with everything in it. A VPC the user
// brought carries no owner tag and is never touched.
func (nw *Network) Delete(ctx context.Context) error {
	ids, err := nw.ownedVPCs(ctx)
	if err != nil {
		return err
	}
	return all(append(each(ids, func(id string) error { return nw.deleteVPC(ctx, id) }),
		func() error { return nw.releaseAddresses(ctx) })...)
}

// DeleteNAT deletes the NAT gateways and the route tables of the VPCs this
// cluster created and releases the NAT gateways' elastic IPs: once no node
// group needs them, while the control plane is still being deleted (they
// do not hold its subnets), so that the network's teardown after it is
// shorter.
func (nw *Network) DeleteNAT(ctx context.Context) error {
	ids, err := nw.ownedVPCs(ctx)
	if err != nil {
		return err
	}
	if err := all(append(each(ids, func(id string) error { return nw.deleteNATs(ctx, id) }),
		each(ids, func(id string) error { return nw.deleteRouteTables(ctx, id) })...)...); err != nil {
		return err
	}
	return nw.releaseAddresses(ctx)
}

// all runs fs at once and joins their errors.
func all(fs ...func() error) error {
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f() }()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// each is f for every item, to run with all.
func each[T any](items []T, f func(T) error) []func() error {
	var fs []func() error
	for _, it := range items {
		fs = append(fs, func() error { return f(it) })
	}
	return fs
}

func (nw *Network) ownedVPCs(ctx context.Context) ([]string, error) {
	vpcs, err := nw.c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: nw.ownedFilter()})
	if err != nil {
		return nil, fmt.Errorf("finding the VPCs of cluster %s: %w", nw.owner.Value(), err)
	}
	var ids []string
	for _, v := range vpcs.Vpcs {
		if id := aws.ToString(v.VpcId); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// releaseAddresses releases the cluster's elastic IPs, which are not inside a VPC.
func (nw *Network) releaseAddresses(ctx context.Context) error {
	addrs, err := nw.c.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: nw.ownedFilter()})
	if err != nil {
		return fmt.Errorf("finding the elastic IPs of cluster %s: %w", nw.owner.Value(), err)
	}
	for _, a := range addrs.Addresses {
		if a.AssociationId != nil {
			_, _ = nw.c.EC2.DisassociateAddress(ctx, &ec2.DisassociateAddressInput{AssociationId: a.AssociationId})
		}
		if _, err := nw.c.EC2.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: a.AllocationId}); err != nil && !apierr.ErrCodeEquals(err, errCodeAllocationIDNotFound) {
			return fmt.Errorf("releasing elastic IP %s: %w", aws.ToString(a.AllocationId), err)
		}
	}
	return nil
}

// deleteNATs deletes the NAT gateways of a VPC and waits until they are
// deleted (they hold their subnet and elastic IP until then).
func (nw *Network) deleteNATs(ctx context.Context, id string) error {
	nats, err := nw.c.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: vpcFilter(id)})
	if err != nil {
		return fmt.Errorf("listing NAT gateways of VPC %s: %w", id, err)
	}
	var natIDs []string
	for _, n := range nats.NatGateways {
		if n.State == ec2types.NatGatewayStateDeleted {
			continue
		}
		natIDs = append(natIDs, aws.ToString(n.NatGatewayId))
		if n.State == ec2types.NatGatewayStateDeleting {
			continue
		}
		if _, err := nw.c.EC2.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: n.NatGatewayId}); err != nil && !apierr.ErrCodeEquals(err, errCodeNatGatewayNotFound) {
			return fmt.Errorf("deleting NAT gateway %s: %w", aws.ToString(n.NatGatewayId), err)
		}
	}
	if len(natIDs) == 0 {
		return nil
	}
	return nw.waitNATGatewaysDeleted(ctx, natIDs)
}

func (nw *Network) deleteVPC(ctx context.Context, id string) error {
	if err := all(func() error { return nw.deleteNATs(ctx, id) }, func() error { return nw.lbs.DeleteIn(ctx, id) }); err != nil {
		return err
	}
	// Network interfaces left by pods or controllers block the subnets.
	enis, err := nw.c.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: vpcFilter(id)})
	if err != nil {
		return fmt.Errorf("listing network interfaces of VPC %s: %w", id, err)
	}
	for _, e := range enis.NetworkInterfaces {
		if e.Status != ec2types.NetworkInterfaceStatusAvailable {
			continue
		}
		if _, err := nw.c.EC2.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: e.NetworkInterfaceId}); err != nil && !apierr.ErrCodeEquals(err, errCodeNetworkInterfaceIDNotFound) {
			return fmt.Errorf("deleting leftover network interface %s in VPC %s: %w", aws.ToString(e.NetworkInterfaceId), id, err)
		}
	}

	// The internet gateway beside the route tables left, then the subnets.
	if err := all(func() error { return nw.deleteInternetGateways(ctx, id) }, func() error {
		if err := nw.deleteRouteTables(ctx, id); err != nil {
			return err
		}
		return nw.deleteSubnets(ctx, id)
	}); err != nil {
		return err
	}

	// Security groups made in the VPC by EKS or by Kubernetes load balancers.
	sgs, err := nw.c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: vpcFilter(id)})
	if err != nil {
		return fmt.Errorf("listing security groups of VPC %s: %w", id, err)
	}
	var groups []ec2types.SecurityGroup
	for _, sg := range sgs.SecurityGroups {
		if aws.ToString(sg.GroupName) != "default" {
			groups = append(groups, sg)
		}
	}
	if err := all(each(groups, func(sg ec2types.SecurityGroup) error {
		err := nw.dependencyRetry(ctx, func(ctx context.Context) error {
			_, err := nw.c.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId})
			return err
		})
		if err != nil && !apierr.ErrCodeEquals(err, errCodeGroupNotFound) {
			return fmt.Errorf("deleting security group %s of VPC %s: %w", aws.ToString(sg.GroupId), id, err)
		}
		return nil
	})...); err != nil {
		return err
	}

	err = nw.dependencyRetry(ctx, func(ctx context.Context) error {
		_, err := nw.c.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(id)})
		return err
	})
	if err != nil && !apierr.ErrCodeEquals(err, errCodeVPCIDNotFound) {
		return fmt.Errorf("deleting VPC %s: %w; something outside Terraform may still use it", id, err)
	}
	return nil
}

// deleteRouteTable detaches a route table from its subnets (which fall back
// to the main route table) and deletes it.
func (nw *Network) deleteRouteTable(ctx context.Context, rt ec2types.RouteTable) error {
	for _, a := range rt.Associations {
		if _, err := nw.c.EC2.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: a.RouteTableAssociationId}); err != nil && !apierr.ErrCodeEquals(err, errCodeAssociationIDNotFound) {
			return fmt.Errorf("detaching route table %s from its subnets: %w", aws.ToString(rt.RouteTableId), err)
		}
	}
	if _, err := nw.c.EC2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: rt.RouteTableId}); err != nil && !apierr.ErrCodeEquals(err, errCodeRouteTableIDNotFound) {
		return fmt.Errorf("deleting route table %s: %w", aws.ToString(rt.RouteTableId), err)
	}
	return nil
}

func (nw *Network) deleteInternetGateways(ctx context.Context, id string) error {
	igws, err := nw.c.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{
		Filters: []ec2types.Filter{{Name: aws.String("attachment.vpc-id"), Values: []string{id}}},
	})
	if err != nil {
		return fmt.Errorf("listing internet gateways of VPC %s: %w", id, err)
	}
	for _, g := range igws.InternetGateways {
		err := nw.dependencyRetry(ctx, func(ctx context.Context) error {
			_, err := nw.c.EC2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: g.InternetGatewayId, VpcId: aws.String(id)})
			return err
		})
		if err != nil && !apierr.ErrCodeEquals(err, errCodeGatewayNotAttached) {
			return fmt.Errorf("detaching internet gateway %s from VPC %s: %w", aws.ToString(g.InternetGatewayId), id, err)
		}
		if _, err := nw.c.EC2.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: g.InternetGatewayId}); err != nil {
			return fmt.Errorf("deleting internet gateway %s: %w", aws.ToString(g.InternetGatewayId), err)
		}
	}
	return nil
}

// deleteRouteTables deletes the VPC's route tables but the main one (which
// goes with the VPC), each at once.
func (nw *Network) deleteRouteTables(ctx context.Context, id string) error {
	rts, err := nw.c.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: vpcFilter(id)})
	if err != nil {
		return fmt.Errorf("listing route tables of VPC %s: %w", id, err)
	}
	tables := slices.DeleteFunc(rts.RouteTables, func(rt ec2types.RouteTable) bool {
		return slices.ContainsFunc(rt.Associations, func(a ec2types.RouteTableAssociation) bool { return aws.ToBool(a.Main) })
	})
	return all(each(tables, func(rt ec2types.RouteTable) error { return nw.deleteRouteTable(ctx, rt) })...)
}

// deleteSubnets deletes the VPC's subnets once EC2 lets the first go (the
// network interfaces of a deleted cluster, released a while after it, keep
// them all), then the others at once.
func (nw *Network) deleteSubnets(ctx context.Context, id string) error {
	subnets, err := nw.c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: vpcFilter(id)})
	if err != nil {
		return fmt.Errorf("listing subnets of VPC %s: %w", id, err)
	}
	del := func(s ec2types.Subnet) error {
		err := nw.dependencyRetry(ctx, func(ctx context.Context) error {
			_, err := nw.c.EC2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: s.SubnetId})
			return err
		})
		if err != nil && !apierr.ErrCodeEquals(err, errCodeSubnetIDNotFound) {
			return fmt.Errorf("deleting subnet %s of VPC %s: %w", aws.ToString(s.SubnetId), id, err)
		}
		return nil
	}
	if len(subnets.Subnets) == 0 {
		return nil
	}
	if err := del(subnets.Subnets[0]); err != nil {
		return err
	}
	return all(each(subnets.Subnets[1:], del)...)
}
