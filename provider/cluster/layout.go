package cluster

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/network"
)

// What the cluster's plan tells fargate_manifest's plan-time checks
// (provider/internal/topology) beyond its profiles and node groups: the
// add-ons it will have and the zones its node groups span.

// reportAddonsAndZones records, for the manifests of the cluster planned
// next, its add-ons (nil when unknown) and its node groups' zones (0 when
// unknown).
func (r *Resource) reportAddonsAndZones(ctx context.Context, plan clusterModel, want children.Set) {
	name := plan.Name.ValueString()
	var names []string
	if !plan.Addons.IsUnknown() {
		set, d := addonsOf(ctx, plan, want)
		if !d.HasError() {
			names = append([]string{}, slices.Sorted(maps.Keys(set))...)
		}
	}
	r.client.Topology.SetAddons(name, names)
	r.client.Topology.SetNodeGroupZones(name, r.nodeGroupZones(ctx, plan, want))
}

// nodeGroupZones counts the zones of the node groups' subnets: theirs, or
// by default the network's private subnets, one per zone of a created VPC.
// Subnets known by ID are asked of EC2; 0 when anything is unknown.
func (r *Resource) nodeGroupZones(ctx context.Context, plan clusterModel, want children.Set) int {
	if len(want.NodeGroups) == 0 || plan.NodeGroups.IsUnknown() {
		return 0
	}
	net, d := networkFromModel(ctx, plan)
	if d.HasError() {
		return 0
	}
	subnets := map[string]bool{}
	defaults := false
	for _, ng := range want.NodeGroups {
		if len(ng.SubnetIDs) == 0 {
			defaults = true
		}
		for _, id := range ng.SubnetIDs {
			subnets[id] = true
		}
	}
	if defaults {
		// A VPC the resource makes has a private subnet in each of its zones:
		// no need to ask EC2.
		if net.VPCCIDR != "" && len(net.AZs) > 0 && len(subnets) == 0 {
			return len(net.AZs)
		}
		if len(net.Private) == 0 {
			return 0
		}
		for _, id := range net.Private {
			subnets[id] = true
		}
	}
	// The zones of a VPC the resource made are known: its public and its
	// private subnets are one per zone, in the zones' order.
	zones, unknown := map[string]bool{}, []string{}
	for _, id := range slices.Sorted(maps.Keys(subnets)) {
		if az := madeSubnetZone(net, id); az != "" {
			zones[az] = true
		} else {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) == 0 {
		return len(zones)
	}
	if r.client.EC2 == nil {
		return 0
	}
	out, err := r.client.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: unknown})
	if err != nil {
		return 0 // only warnings depend on it
	}
	for _, s := range out.Subnets {
		zones[aws.ToString(s.AvailabilityZone)] = true
	}
	return len(zones)
}

// madeSubnetZone is the zone of subnet id when the resource made it.
func madeSubnetZone(net network.State, id string) string {
	if net.VPCCIDR == "" {
		return ""
	}
	for _, ids := range [][]string{net.Public, net.Private} {
		if i := slices.Index(ids, id); i >= 0 && len(ids) == len(net.AZs) {
			return net.AZs[i]
		}
	}
	return ""
}
