// Package network owns the cluster's VPC: it builds one (public and private
// subnets per zone, an internet gateway, a NAT gateway, routes), adopts the
// one an interrupted apply left (found by owner tag), classifies subnets the
// user brought, discovers the network of an imported cluster, keeps the
// tags of what it made current, and tears it all down.
package network

import (
	"context"
	"net/netip"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
)

// EC2 error codes met here (EC2's SDK has no error types).
const (
	errCodeAllocationIDNotFound       = "InvalidAllocationID.NotFound"
	errCodeAssociationIDNotFound      = "InvalidAssociationID.NotFound"
	errCodeDependencyViolation        = "DependencyViolation"
	errCodeGatewayNotAttached         = "Gateway.NotAttached"
	errCodeGroupNotFound              = "InvalidGroup.NotFound"
	errCodeNatGatewayNotFound         = "NatGatewayNotFound"
	errCodeNetworkInterfaceIDNotFound = "InvalidNetworkInterfaceID.NotFound"
	errCodeNetworkInterfaceInUse      = "InvalidNetworkInterface.InUse"
	errCodeRouteTableIDNotFound       = "InvalidRouteTableID.NotFound"
	errCodeSubnetIDNotFound           = "InvalidSubnetID.NotFound"
	errCodeVPCIDNotFound              = "InvalidVpcID.NotFound"
)

// LoadBalancers deletes what Kubernetes made in a VPC (load balancers, and
// their network interfaces once released), which keeps the VPC from being
// deleted.
type LoadBalancers interface {
	DeleteIn(ctx context.Context, vpcID string) error
}

// Network is the network of one cluster.
type Network struct {
	c      *conns.Client
	owner  owned.Owner
	timing conns.Timing
	lbs    LoadBalancers
}

// New returns the network of the cluster owner; lbs clears a VPC of what
// Kubernetes made before it is deleted.
func New(c *conns.Client, owner owned.Owner, lbs LoadBalancers) *Network {
	return &Network{c: c, owner: owner, timing: c.Timing, lbs: lbs}
}

// ownedFilter selects EC2 objects this cluster created.
func (nw *Network) ownedFilter(extra ...ec2types.Filter) []ec2types.Filter {
	return append([]ec2types.Filter{{Name: aws.String("tag:" + owned.Tag), Values: []string{nw.owner.Value()}}}, extra...)
}

func vpcFilter(id string) []ec2types.Filter {
	return []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{id}}}
}

func ec2Tags(m map[string]string) []ec2types.Tag {
	var t []ec2types.Tag
	for k, v := range m {
		t = append(t, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return t
}

func (nw *Network) tagSpec(rt ec2types.ResourceType, name string, extra map[string]string) []ec2types.TagSpecification {
	t := nw.owner.TagsWith(extra)
	t["Name"] = name
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: ec2Tags(t)}}
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

// Ensure makes what the control plane needs of the network: the VPC, its
// subnets and the internet gateway, and starts the NAT gateway (Route
// finishes the routes), or classifies the subnets the user brought. record
// is called with what exists each time a part is made, so a failure
// part-way leaves a state that destroy (which also searches by owner tag)
// cleans up.
func (nw *Network) Ensure(ctx context.Context, want State, record func(State)) error {
	s := want.Clone()
	var err error
	if s.VPCCIDR != "" {
		err = nw.create(ctx, &s, func() { record(s) })
	} else {
		err = nw.classifySubnets(ctx, &s)
	}
	record(s)
	return err
}

// Route finishes what node groups need of the network Ensure made: the
// public subnets route through the internet gateway and, once its NAT
// gateway is available, the private subnets through it (to reach ECR and
// EKS). The control plane and Fargate profiles do not wait for it. Nothing
// to do for subnets the user brought or a VPC adopted whole.
func (nw *Network) Route(ctx context.Context, want State, record func(State)) error {
	if want.nat == "" && want.igw == "" {
		return nil
	}
	s := want.Clone()
	if err := nw.routes(ctx, &s); err != nil {
		return err
	}
	s.nat, s.igw = "", ""
	record(s)
	return nil
}
