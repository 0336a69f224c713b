package cluster

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// networkState is what the resource knows of the cluster's network.
type networkState struct {
	VPCCIDR   string   // set when the resource creates the VPC
	SubnetIDs []string // set when the user brings subnets
	AZs       []string
	VPCID     string
	Public    []string
	Private   []string
}

// allSubnets are the subnets the cluster's control plane uses.
func (n networkState) allSubnets() []string {
	if len(n.SubnetIDs) > 0 {
		return n.SubnetIDs
	}
	return append(slices.Clone(n.Public), n.Private...)
}

// splitCIDR cuts a VPC block into eight equal subnets.
func splitCIDR(vpc string) ([]string, error) {
	p, err := netip.ParsePrefix(vpc)
	if err != nil {
		return nil, err
	}
	bits := p.Bits() + 3
	size := uint32(1) << (32 - bits)
	base := p.Masked().Addr().As4()
	start := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	out := make([]string, 8)
	for i := range out {
		a := start + uint32(i)*size
		addr := netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
		out[i] = netip.PrefixFrom(addr, bits).String()
	}
	return out, nil
}

func ec2Tags(m map[string]string) []ec2types.Tag {
	var t []ec2types.Tag
	for k, v := range m {
		t = append(t, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return t
}

func (o *ops) tagSpec(rt ec2types.ResourceType, name string, extra map[string]string) []ec2types.TagSpecification {
	t := o.ownedTags(extra)
	t["Name"] = name
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: ec2Tags(t)}}
}

// defaultAZs picks the region's first three available zones (or two, where
// the region has only two).
func (o *ops) defaultAZs(ctx context.Context) ([]string, error) {
	out, err := o.c.EC2.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{
		Filters: []ec2types.Filter{{Name: aws.String("state"), Values: []string{"available"}}, {Name: aws.String("zone-type"), Values: []string{"availability-zone"}}},
	})
	if err != nil {
		return nil, fmt.Errorf("listing availability zones of %s: %w", o.c.Region, err)
	}
	var zones []string
	for _, z := range out.AvailabilityZones {
		zones = append(zones, aws.ToString(z.ZoneName))
	}
	sort.Strings(zones)
	if len(zones) < 2 {
		return nil, fmt.Errorf("region %s has %d available zones; EKS needs subnets in at least two", o.c.Region, len(zones))
	}
	return zones[:min(3, len(zones))], nil
}

// createNetwork builds the VPC: public and private subnets per zone, an
// internet gateway, one NAT gateway and the route tables. Each created ID is
// recorded in n at once, so a failure part-way leaves a state that destroy
// (which also searches by owner tag) can clean up.
func (o *ops) createNetwork(ctx context.Context, n *networkState, record func()) error {
	var err error
	if len(n.AZs) == 0 {
		if n.AZs, err = o.defaultAZs(ctx); err != nil {
			return err
		}
	}
	blocks, err := splitCIDR(n.VPCCIDR)
	if err != nil {
		return fmt.Errorf("splitting %s into subnets: %w", n.VPCCIDR, err)
	}
	if adopted, err := o.adoptNetwork(ctx, n); err != nil || adopted {
		record()
		return err
	}
	vpc, err := o.c.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{
		CidrBlock:         aws.String(n.VPCCIDR),
		TagSpecifications: o.tagSpec(ec2types.ResourceTypeVpc, o.name+"-vpc", nil),
	})
	if err != nil {
		return fmt.Errorf("creating the VPC %s: %w", n.VPCCIDR, err)
	}
	n.VPCID = aws.ToString(vpc.Vpc.VpcId)
	record()
	if err := ec2.NewVpcAvailableWaiter(o.c.EC2, func(w *ec2.VpcAvailableWaiterOptions) { w.MinDelay, w.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{n.VPCID}}, remaining(ctx)); err != nil {
		return fmt.Errorf("waiting for VPC %s to become available: %w", n.VPCID, err)
	}
	// EKS needs DNS hostnames and resolution in the VPC for nodes and private endpoints.
	for _, attr := range []*ec2.ModifyVpcAttributeInput{
		{VpcId: aws.String(n.VPCID), EnableDnsSupport: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}},
		{VpcId: aws.String(n.VPCID), EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}},
	} {
		if _, err := o.c.EC2.ModifyVpcAttribute(ctx, attr); err != nil {
			return fmt.Errorf("enabling DNS in VPC %s: %w", n.VPCID, err)
		}
	}

	igw, err := o.c.EC2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{
		TagSpecifications: o.tagSpec(ec2types.ResourceTypeInternetGateway, o.name+"-igw", nil),
	})
	if err != nil {
		return fmt.Errorf("creating the internet gateway of VPC %s: %w", n.VPCID, err)
	}
	igwID := aws.ToString(igw.InternetGateway.InternetGatewayId)
	if _, err := o.c.EC2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(igwID), VpcId: aws.String(n.VPCID)}); err != nil {
		return fmt.Errorf("attaching internet gateway %s to VPC %s: %w", igwID, n.VPCID, err)
	}

	clusterTag := "kubernetes.io/cluster/" + o.name
	for i, az := range n.AZs {
		for _, public := range []bool{true, false} {
			kind, block, role := "private", blocks[len(n.AZs)+i], "kubernetes.io/role/internal-elb"
			if public {
				kind, block, role = "public", blocks[i], "kubernetes.io/role/elb"
			}
			sn, err := o.c.EC2.CreateSubnet(ctx, &ec2.CreateSubnetInput{
				VpcId: aws.String(n.VPCID), CidrBlock: aws.String(block), AvailabilityZone: aws.String(az),
				TagSpecifications: o.tagSpec(ec2types.ResourceTypeSubnet, fmt.Sprintf("%s-%s-%s", o.name, kind, az),
					map[string]string{role: "1", clusterTag: "shared"}),
			})
			if err != nil {
				return fmt.Errorf("creating the %s subnet %s in %s: %w", kind, block, az, err)
			}
			id := aws.ToString(sn.Subnet.SubnetId)
			if public {
				n.Public = append(n.Public, id)
				if _, err := o.c.EC2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(id), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
					return fmt.Errorf("making subnet %s public: %w", id, err)
				}
			} else {
				n.Private = append(n.Private, id)
			}
			record()
		}
	}

	eip, err := o.c.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{
		Domain: ec2types.DomainTypeVpc, TagSpecifications: o.tagSpec(ec2types.ResourceTypeElasticIp, o.name+"-nat", nil),
	})
	if err != nil {
		return fmt.Errorf("allocating the NAT gateway's elastic IP: %w", err)
	}
	nat, err := o.c.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{
		SubnetId: aws.String(n.Public[0]), AllocationId: eip.AllocationId,
		TagSpecifications: o.tagSpec(ec2types.ResourceTypeNatgateway, o.name+"-nat", nil),
	})
	if err != nil {
		return fmt.Errorf("creating the NAT gateway in subnet %s: %w", n.Public[0], err)
	}
	natID := aws.ToString(nat.NatGateway.NatGatewayId)
	if err := ec2.NewNatGatewayAvailableWaiter(o.c.EC2, func(w *ec2.NatGatewayAvailableWaiterOptions) {
		w.MinDelay, w.MaxDelay = pollMin, max(pollMax, 5*time.Second)
	}).
		Wait(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{natID}}, remaining(ctx)); err != nil {
		return fmt.Errorf("waiting for NAT gateway %s to become available: %w", natID, err)
	}

	routes := []struct {
		kind    string
		subnets []string
		route   ec2.CreateRouteInput
	}{
		{"public", n.Public, ec2.CreateRouteInput{GatewayId: aws.String(igwID)}},
		{"private", n.Private, ec2.CreateRouteInput{NatGatewayId: aws.String(natID)}},
	}
	for _, r := range routes {
		rt, err := o.c.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{
			VpcId: aws.String(n.VPCID), TagSpecifications: o.tagSpec(ec2types.ResourceTypeRouteTable, o.name+"-"+r.kind, nil),
		})
		if err != nil {
			return fmt.Errorf("creating the %s route table: %w", r.kind, err)
		}
		rtID := rt.RouteTable.RouteTableId
		r.route.RouteTableId, r.route.DestinationCidrBlock = rtID, aws.String("0.0.0.0/0")
		if _, err := o.c.EC2.CreateRoute(ctx, &r.route); err != nil {
			return fmt.Errorf("adding the default route to the %s route table: %w", r.kind, err)
		}
		for _, sn := range r.subnets {
			if _, err := o.c.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: rtID, SubnetId: aws.String(sn)}); err != nil {
				return fmt.Errorf("associating subnet %s with the %s route table: %w", sn, r.kind, err)
			}
		}
	}
	return nil
}

// classifySubnets looks up subnets the user brought: their VPC, zones, and
// which are private (no route to an internet gateway), where Fargate and
// node groups go.
func (o *ops) classifySubnets(ctx context.Context, n *networkState) error {
	out, err := o.c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: n.SubnetIDs})
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
	rts, err := o.c.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{n.VPCID}}},
	})
	if err != nil {
		return fmt.Errorf("reading route tables of VPC %s: %w", n.VPCID, err)
	}
	publicRT := map[string]bool{} // route table (or "main") -> has an internet gateway route
	explicit := map[string]string{}
	for _, rt := range rts.RouteTables {
		id := aws.ToString(rt.RouteTableId)
		for _, r := range rt.Routes {
			if gw := aws.ToString(r.GatewayId); len(gw) > 4 && gw[:4] == "igw-" {
				publicRT[id] = true
			}
		}
		for _, a := range rt.Associations {
			if aws.ToBool(a.Main) {
				publicRT["main"] = publicRT[id]
			} else if a.SubnetId != nil {
				explicit[aws.ToString(a.SubnetId)] = id
			}
		}
	}
	for _, sn := range out.Subnets {
		id := aws.ToString(sn.SubnetId)
		rt, ok := explicit[id]
		if !ok {
			rt = "main"
		}
		if publicRT[rt] {
			n.Public = append(n.Public, id)
		} else {
			n.Private = append(n.Private, id)
		}
	}
	sort.Strings(n.Public)
	sort.Strings(n.Private)
	return nil
}

// ownedFilter selects EC2 objects this cluster created.
func (o *ops) ownedFilter(extra ...ec2types.Filter) []ec2types.Filter {
	return append([]ec2types.Filter{{Name: aws.String("tag:" + OwnerTag), Values: []string{o.owner()}}}, extra...)
}

// deleteNetwork deletes every VPC this cluster created, found by owner tag
// (so also one whose ID never reached the state), with everything in it. A VPC the user
// brought carries no owner tag and is never touched.
func (o *ops) deleteNetwork(ctx context.Context) error {
	vpcs, err := o.c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: o.ownedFilter()})
	if err != nil {
		return fmt.Errorf("finding the VPCs of cluster %s: %w", o.owner(), err)
	}
	ids := map[string]bool{}
	for _, v := range vpcs.Vpcs {
		ids[aws.ToString(v.VpcId)] = true
	}
	for id := range ids {
		if err := o.deleteVPC(ctx, id); err != nil {
			return err
		}
	}
	// Elastic IPs are not inside a VPC; release ours wherever they are.
	addrs, err := o.c.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: o.ownedFilter()})
	if err != nil {
		return fmt.Errorf("finding the elastic IPs of cluster %s: %w", o.owner(), err)
	}
	for _, a := range addrs.Addresses {
		if a.AssociationId != nil {
			_, _ = o.c.EC2.DisassociateAddress(ctx, &ec2.DisassociateAddressInput{AssociationId: a.AssociationId})
		}
		if _, err := o.c.EC2.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: a.AllocationId}); err != nil && !apierr.Is(err, "InvalidAllocationID.NotFound") {
			return fmt.Errorf("releasing elastic IP %s: %w", aws.ToString(a.AllocationId), err)
		}
	}
	return nil
}

func vpcFilter(id string) []ec2types.Filter {
	return []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{id}}}
}

// dependencyRetry retries EC2 deletions that fail while AWS still releases
// what depends on the object (ENIs of a deleted cluster or load balancer).
func dependencyRetry(ctx context.Context, f func() error) error {
	return apierr.RetryWhile(ctx, apierr.DefaultBackoff, func(err error) bool {
		return apierr.Is(err, "DependencyViolation") || apierr.Is(err, "InvalidNetworkInterface.InUse")
	}, f)
}

func (o *ops) deleteVPC(ctx context.Context, id string) error {
	nats, err := o.c.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: vpcFilter(id)})
	if err != nil {
		return fmt.Errorf("listing NAT gateways of VPC %s: %w", id, err)
	}
	var natIDs []string
	for _, n := range nats.NatGateways {
		if n.State == ec2types.NatGatewayStateDeleted {
			continue
		}
		natIDs = append(natIDs, aws.ToString(n.NatGatewayId))
		if _, err := o.c.EC2.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: n.NatGatewayId}); err != nil && !apierr.Is(err, "NatGatewayNotFound") {
			return fmt.Errorf("deleting NAT gateway %s: %w", aws.ToString(n.NatGatewayId), err)
		}
	}
	if len(natIDs) > 0 {
		if err := ec2.NewNatGatewayDeletedWaiter(o.c.EC2, func(w *ec2.NatGatewayDeletedWaiterOptions) {
			w.MinDelay, w.MaxDelay = pollMin, max(pollMax, 5*time.Second)
		}).
			Wait(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: natIDs}, remaining(ctx)); err != nil {
			return fmt.Errorf("waiting for NAT gateways %v to be deleted: %w", natIDs, err)
		}
	}

	if err := o.deleteKubernetesLoadBalancers(ctx, id); err != nil {
		return err
	}
	// Network interfaces left by pods or controllers block the subnets.
	enis, err := o.c.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: vpcFilter(id)})
	if err != nil {
		return fmt.Errorf("listing network interfaces of VPC %s: %w", id, err)
	}
	for _, e := range enis.NetworkInterfaces {
		if e.Status != ec2types.NetworkInterfaceStatusAvailable {
			continue
		}
		if _, err := o.c.EC2.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: e.NetworkInterfaceId}); err != nil && !apierr.Is(err, "InvalidNetworkInterfaceID.NotFound") {
			return fmt.Errorf("deleting leftover network interface %s in VPC %s: %w", aws.ToString(e.NetworkInterfaceId), id, err)
		}
	}

	igws, err := o.c.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{
		Filters: []ec2types.Filter{{Name: aws.String("attachment.vpc-id"), Values: []string{id}}},
	})
	if err != nil {
		return fmt.Errorf("listing internet gateways of VPC %s: %w", id, err)
	}
	for _, g := range igws.InternetGateways {
		err := dependencyRetry(ctx, func() error {
			_, err := o.c.EC2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: g.InternetGatewayId, VpcId: aws.String(id)})
			return err
		})
		if err != nil && !apierr.Is(err, "Gateway.NotAttached") {
			return fmt.Errorf("detaching internet gateway %s from VPC %s: %w", aws.ToString(g.InternetGatewayId), id, err)
		}
		if _, err := o.c.EC2.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: g.InternetGatewayId}); err != nil {
			return fmt.Errorf("deleting internet gateway %s: %w", aws.ToString(g.InternetGatewayId), err)
		}
	}

	rts, err := o.c.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: vpcFilter(id)})
	if err != nil {
		return fmt.Errorf("listing route tables of VPC %s: %w", id, err)
	}
	for _, rt := range rts.RouteTables {
		main := false
		for _, a := range rt.Associations {
			main = main || aws.ToBool(a.Main)
		}
		if main {
			continue // deleted with the VPC
		}
		// Subnets then fall back to the main route table until they go.
		for _, a := range rt.Associations {
			if _, err := o.c.EC2.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: a.RouteTableAssociationId}); err != nil && !apierr.Is(err, "InvalidAssociationID.NotFound") {
				return fmt.Errorf("detaching route table %s from its subnets: %w", aws.ToString(rt.RouteTableId), err)
			}
		}
		if _, err := o.c.EC2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: rt.RouteTableId}); err != nil && !apierr.Is(err, "InvalidRouteTableID.NotFound") {
			return fmt.Errorf("deleting route table %s of VPC %s: %w", aws.ToString(rt.RouteTableId), id, err)
		}
	}

	subnets, err := o.c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: vpcFilter(id)})
	if err != nil {
		return fmt.Errorf("listing subnets of VPC %s: %w", id, err)
	}
	for _, s := range subnets.Subnets {
		err := dependencyRetry(ctx, func() error {
			_, err := o.c.EC2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: s.SubnetId})
			return err
		})
		if err != nil && !apierr.Is(err, "InvalidSubnetID.NotFound") {
			return fmt.Errorf("deleting subnet %s of VPC %s: %w", aws.ToString(s.SubnetId), id, err)
		}
	}

	// Security groups made in the VPC by EKS or by Kubernetes load balancers.
	sgs, err := o.c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: vpcFilter(id)})
	if err != nil {
		return fmt.Errorf("listing security groups of VPC %s: %w", id, err)
	}
	for _, sg := range sgs.SecurityGroups {
		if aws.ToString(sg.GroupName) == "default" {
			continue
		}
		err := dependencyRetry(ctx, func() error {
			_, err := o.c.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId})
			return err
		})
		if err != nil && !apierr.Is(err, "InvalidGroup.NotFound") {
			return fmt.Errorf("deleting security group %s of VPC %s: %w", aws.ToString(sg.GroupId), id, err)
		}
	}

	err = dependencyRetry(ctx, func() error {
		_, err := o.c.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(id)})
		return err
	})
	if err != nil && !apierr.Is(err, "InvalidVpcID.NotFound") {
		return fmt.Errorf("deleting VPC %s: %w; something outside Terraform may still use it", id, err)
	}
	return nil
}

// updateNetworkTags brings the tags of the VPC parts this cluster owns to tags_all.
func (o *ops) updateNetworkTags(ctx context.Context, old map[string]string) error {
	add, remove := tagChanges(old, o.tags)
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	var ids []string
	vpcs, err := o.c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: o.ownedFilter()})
	if err != nil {
		return fmt.Errorf("finding the VPCs of cluster %s: %w", o.owner(), err)
	}
	for _, v := range vpcs.Vpcs {
		ids = append(ids, aws.ToString(v.VpcId))
	}
	if len(ids) == 0 {
		return nil
	}
	owned := o.ownedFilter(ec2types.Filter{Name: aws.String("vpc-id"), Values: ids})
	sns, err := o.c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: owned})
	if err != nil {
		return fmt.Errorf("finding the subnets of cluster %s: %w", o.owner(), err)
	}
	for _, s := range sns.Subnets {
		ids = append(ids, aws.ToString(s.SubnetId))
	}
	rts, err := o.c.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: owned})
	if err != nil {
		return fmt.Errorf("finding the route tables of cluster %s: %w", o.owner(), err)
	}
	for _, r := range rts.RouteTables {
		ids = append(ids, aws.ToString(r.RouteTableId))
	}
	nats, err := o.c.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: owned})
	if err != nil {
		return fmt.Errorf("finding the NAT gateways of cluster %s: %w", o.owner(), err)
	}
	for _, n := range nats.NatGateways {
		ids = append(ids, aws.ToString(n.NatGatewayId))
	}
	igws, err := o.c.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: o.ownedFilter()})
	if err != nil {
		return fmt.Errorf("finding the internet gateways of cluster %s: %w", o.owner(), err)
	}
	for _, g := range igws.InternetGateways {
		ids = append(ids, aws.ToString(g.InternetGatewayId))
	}
	addrs, err := o.c.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: o.ownedFilter()})
	if err != nil {
		return fmt.Errorf("finding the elastic IPs of cluster %s: %w", o.owner(), err)
	}
	for _, a := range addrs.Addresses {
		ids = append(ids, aws.ToString(a.AllocationId))
	}
	if len(remove) > 0 {
		var keys []ec2types.Tag
		for _, k := range remove {
			keys = append(keys, ec2types.Tag{Key: aws.String(k)})
		}
		if _, err := o.c.EC2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: ids, Tags: keys}); err != nil {
			return fmt.Errorf("untagging the VPC parts of cluster %s: %w", o.owner(), err)
		}
	}
	if len(add) > 0 {
		if _, err := o.c.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: ids, Tags: ec2Tags(add)}); err != nil {
			return fmt.Errorf("tagging the VPC parts of cluster %s: %w", o.owner(), err)
		}
	}
	return nil
}

// adoptNetwork takes over a VPC this cluster made in an apply that was
// killed before writing the state, when it is complete and of the asked
// CIDR; an incomplete or different one is deleted, so a fresh one is made
// and nothing is left twice.
func (o *ops) adoptNetwork(ctx context.Context, n *networkState) (bool, error) {
	vpcs, err := o.c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: o.ownedFilter()})
	if err != nil {
		return false, fmt.Errorf("looking for an earlier VPC of cluster %s: %w", o.owner(), err)
	}
	if len(vpcs.Vpcs) == 0 {
		return false, nil
	}
	ob := newObserved()
	if err := o.discoverNetwork(ctx, ob); err != nil {
		return false, err
	}
	found := ob.network
	complete := found.VPCCIDR == n.VPCCIDR && len(found.Public) == len(n.AZs) && len(found.Private) == len(n.AZs) &&
		slices.Equal(found.AZs, n.AZs)
	if complete {
		nats, err := o.c.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: vpcFilter(found.VPCID)})
		if err != nil {
			return false, err
		}
		available := false
		for _, g := range nats.NatGateways {
			available = available || g.State == ec2types.NatGatewayStateAvailable
		}
		rts, err := o.c.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: o.ownedFilter(ec2types.Filter{Name: aws.String("vpc-id"), Values: []string{found.VPCID}})})
		if err != nil {
			return false, err
		}
		complete = available && len(rts.RouteTables) == 2
	}
	if complete {
		*n = found
		return true, nil
	}
	for _, v := range vpcs.Vpcs {
		if err := o.deleteVPC(ctx, aws.ToString(v.VpcId)); err != nil {
			return false, fmt.Errorf("removing the unfinished VPC %s of an interrupted apply: %w", aws.ToString(v.VpcId), err)
		}
	}
	return false, nil
}
