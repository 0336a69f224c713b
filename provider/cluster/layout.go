package cluster

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
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
	for _, ng := range want.NodeGroups {
		ids := ng.SubnetIDs
		if len(ids) == 0 {
			ids = net.Private
		}
		if len(ids) == 0 && net.VPCCIDR != "" && len(net.AZs) > 0 {
			return len(net.AZs) // a VPC made now: a private subnet in each zone
		}
		if len(ids) == 0 {
			return 0
		}
		for _, id := range ids {
			subnets[id] = true
		}
	}
	if r.client.EC2 == nil {
		return 0
	}
	out, err := r.client.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: slices.Sorted(maps.Keys(subnets))})
	if err != nil {
		return 0 // only warnings depend on it
	}
	zones := map[string]bool{}
	for _, s := range out.Subnets {
		zones[aws.ToString(s.AvailabilityZone)] = true
	}
	return len(zones)
}
