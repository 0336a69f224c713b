package network

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// defaultAZs picks the region's first three available zones (or two, where
// the region has only two).
func (nw *Network) defaultAZs(ctx context.Context) ([]string, error) {
	out, err := nw.c.EC2.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{
		Filters: []ec2types.Filter{{Name: aws.String("state"), Values: []string{"available"}}, {Name: aws.String("zone-type"), Values: []string{"availability-zone"}}},
	})
	if err != nil {
		return nil, fmt.Errorf("listing availability zones of %s: %w", nw.c.Region, err)
	}
	var zones []string
	for _, z := range out.AvailabilityZones {
		zones = append(zones, aws.ToString(z.ZoneName))
	}
	sort.Strings(zones)
	if len(zones) < 2 {
		return nil, fmt.Errorf("region %s has %d available zones; EKS needs subnets in at least two", nw.c.Region, len(zones))
	}
	return zones[:min(3, len(zones))], nil
}

// create builds the VPC: public and private subnets per zone, an
// internet gateway, and starts one NAT gateway (routePrivate makes the
// route tables, the private one once the NAT gateway is available). Each created ID is
// recorded in n at once, so a failure part-way leaves a state that destroy
// (which also searches by owner tag) can clean up.
func (nw *Network) create(ctx context.Context, n *State, record func()) error {
	var err error
	if len(n.AZs) == 0 {
		if n.AZs, err = nw.defaultAZs(ctx); err != nil {
			return err
		}
	}
	blocks, err := splitCIDR(n.VPCCIDR)
	if err != nil {
		return fmt.Errorf("splitting %s into subnets: %w", n.VPCCIDR, err)
	}
	if adopted, err := nw.adopt(ctx, n); err != nil || adopted {
		record()
		return err
	}
	vpc, err := nw.c.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{
		CidrBlock:         aws.String(n.VPCCIDR),
		TagSpecifications: nw.tagSpec(ec2types.ResourceTypeVpc, nw.owner.Cluster+"-vpc", nil),
	})
	if err != nil {
		return fmt.Errorf("creating the VPC %s: %w", n.VPCCIDR, err)
	}
	n.VPCID = aws.ToString(vpc.Vpc.VpcId)
	record()
	// EC2 may answer available already: then there is nothing to wait for.
	if vpc.Vpc.State != ec2types.VpcStateAvailable {
		if err := nw.waitVPCAvailable(ctx, n.VPCID); err != nil {
			return err
		}
	}
	// Only the NAT gateway needs its subnet, the internet gateway and the
	// elastic IP together: the rest of what the control plane waits for is
	// made at once.
	var igwID, allocID string
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i, part := range []func() error{
		func() error { return nw.enableDNS(ctx, n.VPCID) },
		func() (err error) { igwID, err = nw.internetGateway(ctx, n.VPCID); return err },
		func() error {
			eip, err := nw.c.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{
				Domain: ec2types.DomainTypeVpc, TagSpecifications: nw.tagSpec(ec2types.ResourceTypeElasticIp, nw.owner.Cluster+"-nat", nil),
			})
			if err != nil {
				return fmt.Errorf("allocating the NAT gateway's elastic IP: %w", err)
			}
			allocID = aws.ToString(eip.AllocationId)
			return nil
		},
		func() error { return nw.createSubnets(ctx, n, blocks) },
	} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = part() }()
	}
	wg.Wait()
	record()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// The NAT gateway last: an earlier VPC with one has all the above (see
	// adopt). Its route tables follow in Route, while the control plane is
	// being created.
	nat, err := nw.c.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{
		SubnetId: aws.String(n.Public[0]), AllocationId: aws.String(allocID),
		TagSpecifications: nw.tagSpec(ec2types.ResourceTypeNatgateway, nw.owner.Cluster+"-nat", nil),
	})
	if err != nil {
		return fmt.Errorf("creating the NAT gateway in subnet %s: %w", n.Public[0], err)
	}
	n.nat, n.igw = aws.ToString(nat.NatGateway.NatGatewayId), igwID
	return nil
}

// enableDNS turns on DNS hostnames and resolution in the VPC, which EKS
// needs for nodes and private endpoints.
func (nw *Network) enableDNS(ctx context.Context, vpcID string) error {
	for _, attr := range []*ec2.ModifyVpcAttributeInput{
		{VpcId: aws.String(vpcID), EnableDnsSupport: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}},
		{VpcId: aws.String(vpcID), EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}},
	} {
		if _, err := nw.c.EC2.ModifyVpcAttribute(ctx, attr); err != nil {
			return fmt.Errorf("enabling DNS in VPC %s: %w", vpcID, err)
		}
	}
	return nil
}

// internetGateway makes the VPC's internet gateway and attaches it.
func (nw *Network) internetGateway(ctx context.Context, vpcID string) (string, error) {
	igw, err := nw.c.EC2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{
		TagSpecifications: nw.tagSpec(ec2types.ResourceTypeInternetGateway, nw.owner.Cluster+"-igw", nil),
	})
	if err != nil {
		return "", fmt.Errorf("creating the internet gateway of VPC %s: %w", vpcID, err)
	}
	id := aws.ToString(igw.InternetGateway.InternetGatewayId)
	if _, err := nw.c.EC2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(id), VpcId: aws.String(vpcID)}); err != nil {
		return id, fmt.Errorf("attaching internet gateway %s to VPC %s: %w", id, vpcID, err)
	}
	return id, nil
}

// createSubnets makes a public and a private subnet per zone, all at once,
// and records in n (in zone order) those that were made, even on failure.
func (nw *Network) createSubnets(ctx context.Context, n *State, blocks []string) error {
	clusterTag := "kubernetes.io/cluster/" + nw.owner.Cluster
	zones := len(n.AZs)
	ids := make([]string, 2*zones) // public by zone, then private by zone
	errs := make([]error, 2*zones)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			az, public := n.AZs[i%zones], i < zones
			kind, role := "private", "kubernetes.io/role/internal-elb"
			if public {
				kind, role = "public", "kubernetes.io/role/elb"
			}
			sn, err := nw.c.EC2.CreateSubnet(ctx, &ec2.CreateSubnetInput{
				VpcId: aws.String(n.VPCID), CidrBlock: aws.String(blocks[i]), AvailabilityZone: aws.String(az),
				TagSpecifications: nw.tagSpec(ec2types.ResourceTypeSubnet, fmt.Sprintf("%s-%s-%s", nw.owner.Cluster, kind, az),
					map[string]string{role: "1", clusterTag: "shared"}),
			})
			if err != nil {
				errs[i] = fmt.Errorf("creating the %s subnet %s in %s: %w", kind, blocks[i], az, err)
				return
			}
			ids[i] = aws.ToString(sn.Subnet.SubnetId)
			if public {
				if _, err := nw.c.EC2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(ids[i]), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
					errs[i] = fmt.Errorf("making subnet %s public: %w", ids[i], err)
				}
			}
		}()
	}
	wg.Wait()
	for i, id := range ids {
		switch {
		case id == "":
		case i < zones:
			n.Public = append(n.Public, id)
		default:
			n.Private = append(n.Private, id)
		}
	}
	return errors.Join(errs...)
}

// routes routes the public subnets through the internet gateway, waits for
// the NAT gateway and routes the private subnets through it: each unless
// an earlier apply did.
func (nw *Network) routes(ctx context.Context, n *State) error {
	if n.igw != "" {
		if err := nw.routeTable(ctx, n.VPCID, "public", n.Public, ec2.CreateRouteInput{GatewayId: aws.String(n.igw)}); err != nil {
			return err
		}
	}
	if n.nat == "" {
		return nil
	}
	if err := nw.waitNATGatewayAvailable(ctx, n.nat); err != nil {
		return err
	}
	return nw.routeTable(ctx, n.VPCID, "private", n.Private, ec2.CreateRouteInput{NatGatewayId: aws.String(n.nat)})
}

// routeTable makes the kind route table of the VPC, its default route and
// its associations with subnets.
func (nw *Network) routeTable(ctx context.Context, vpcID, kind string, subnets []string, route ec2.CreateRouteInput) error {
	rt, err := nw.c.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{
		VpcId: aws.String(vpcID), TagSpecifications: nw.tagSpec(ec2types.ResourceTypeRouteTable, nw.owner.Cluster+"-"+kind, nil),
	})
	if err != nil {
		return fmt.Errorf("creating the %s route table: %w", kind, err)
	}
	rtID := rt.RouteTable.RouteTableId
	route.RouteTableId, route.DestinationCidrBlock = rtID, aws.String("0.0.0.0/0")
	if _, err := nw.c.EC2.CreateRoute(ctx, &route); err != nil {
		return fmt.Errorf("adding the default route to the %s route table: %w", kind, err)
	}
	for _, sn := range subnets {
		if _, err := nw.c.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: rtID, SubnetId: aws.String(sn)}); err != nil {
			return fmt.Errorf("associating subnet %s with the %s route table: %w", sn, kind, err)
		}
	}
	return nil
}
