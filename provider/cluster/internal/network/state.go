package network

import "slices"

// State is what the resource knows of the cluster's network.
type State struct {
	VPCCIDR   string   // set when the resource creates the VPC
	SubnetIDs []string // set when the user brings subnets
	AZs       []string
	VPCID     string
	Public    []string
	Private   []string
	// nat and igw are the NAT gateway and the internet gateway Ensure made
	// (or found), still to be routed through by Route (within one apply;
	// never in the Terraform state).
	nat, igw string
}

// AllSubnets are the subnets the cluster's control plane uses.
func (n State) AllSubnets() []string {
	if len(n.SubnetIDs) > 0 {
		return n.SubnetIDs
	}
	return append(slices.Clone(n.Public), n.Private...)
}

// Clone returns a copy that shares no slice with n.
func (n State) Clone() State {
	n.SubnetIDs, n.AZs = slices.Clone(n.SubnetIDs), slices.Clone(n.AZs)
	n.Public, n.Private = slices.Clone(n.Public), slices.Clone(n.Private)
	return n
}
