package cluster

import (
	"context"
	"maps"
	"slices"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/addons"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/controlplane"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/incluster"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/network"
	"github.com/terrax/terraform-provider-fargate/provider/internal/selectors"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// specs reads the node groups and profiles of a model.
func specs(ctx context.Context, m clusterModel) (children.Set, diag.Diagnostics) {
	ngs, diags := expandNodeGroups(ctx, m.NodeGroups)
	fps, d := expandProfiles(ctx, m.FargateProfiles)
	diags.Append(d...)
	return children.Set{NodeGroups: ngs, Profiles: fps}, diags
}

// addonsOf is the add-ons the cluster of model m, with children want, runs
// (see desiredAddons).
func addonsOf(ctx context.Context, m clusterModel, want children.Set) (addons.Set, diag.Diagnostics) {
	set, diags := expandAddons(ctx, m.Addons)
	target := incluster.CoreDNSTarget(m.CoreDNSComputeType.ValueString(), profilesOf(want.Profiles))
	return desiredAddons(set, target, len(want.NodeGroups)), diags
}

func networkFromModel(ctx context.Context, m clusterModel) (network.State, diag.Diagnostics) {
	var n network.State
	if m.Network.IsNull() || m.Network.IsUnknown() {
		return n, nil
	}
	var nm networkModel
	diags := m.Network.As(ctx, &nm, objectAsOptions)
	n.VPCCIDR = nm.VPCCIDR.ValueString()
	var d diag.Diagnostics
	n.SubnetIDs, d = expandStrings(ctx, nm.SubnetIDs, true)
	diags.Append(d...)
	n.AZs, d = expandStrings(ctx, nm.AvailabilityZones, false)
	diags.Append(d...)
	n.VPCID = nm.VPCID.ValueString()
	n.Public, d = expandStrings(ctx, nm.PublicSubnetIDs, false)
	diags.Append(d...)
	n.Private, d = expandStrings(ctx, nm.PrivateSubnetIDs, false)
	diags.Append(d...)
	return n, diags
}

func accessFromModel(ctx context.Context, m clusterModel) (controlplane.Access, diag.Diagnostics) {
	cidrs, diags := expandStrings(ctx, m.PublicAccessCIDRs, true)
	return controlplane.Access{Public: m.EndpointPublicAccess.ValueBool(), Private: m.EndpointPrivateAccess.ValueBool(), PublicCIDRs: cidrs}, diags
}

// Expand functions read Terraform values into specs. Unknown values read as
// zero values.

func expandStrings(ctx context.Context, v interface {
	IsNull() bool
	IsUnknown() bool
	ElementsAs(context.Context, any, bool) diag.Diagnostics
}, sorted bool) ([]string, diag.Diagnostics) {
	if v.IsNull() || v.IsUnknown() {
		return nil, nil
	}
	var out []string
	d := v.ElementsAs(ctx, &out, false)
	if sorted {
		sort.Strings(out)
	}
	return out, d
}

func expandStringMap(ctx context.Context, m types.Map) (map[string]string, diag.Diagnostics) {
	if m.IsNull() || m.IsUnknown() {
		return nil, nil
	}
	out := map[string]string{}
	d := m.ElementsAs(ctx, &out, false)
	if len(out) == 0 {
		return nil, d
	}
	return out, d
}

// expandMap reads a nested-object map: each entry's model expanded by f.
func expandMap[M, S any](ctx context.Context, m types.Map, f func(M) (S, diag.Diagnostics)) (map[string]S, diag.Diagnostics) {
	var diags diag.Diagnostics
	if m.IsNull() || m.IsUnknown() {
		return map[string]S{}, diags
	}
	models := map[string]M{}
	diags.Append(m.ElementsAs(ctx, &models, false)...)
	out := make(map[string]S, len(models))
	for name, model := range models {
		s, d := f(model)
		diags.Append(d...)
		out[name] = s
	}
	return out, diags
}

func expandNodeGroups(ctx context.Context, m types.Map) (map[string]children.NodeGroup, diag.Diagnostics) {
	return expandMap(ctx, m, func(ng nodeGroupModel) (children.NodeGroup, diag.Diagnostics) {
		var s children.NodeGroup
		var diags, d diag.Diagnostics
		s.InstanceTypes, diags = expandStrings(ctx, ng.InstanceTypes, false)
		s.DesiredSize, s.MinSize, s.MaxSize = ng.DesiredSize.ValueInt64(), ng.MinSize.ValueInt64(), ng.MaxSize.ValueInt64()
		s.CapacityType, s.AMIType, s.DiskSize = ng.CapacityType.ValueString(), ng.AMIType.ValueString(), ng.DiskSize.ValueInt64()
		s.Labels, d = expandStringMap(ctx, ng.Labels)
		diags.Append(d...)
		s.SubnetIDs, d = expandStrings(ctx, ng.SubnetIDs, true)
		diags.Append(d...)
		diags.Append(expandHardening(ctx, ng, &s)...)
		return s, diags
	})
}

func expandProfiles(ctx context.Context, m types.Map) (map[string]children.Profile, diag.Diagnostics) {
	return expandMap(ctx, m, func(fp fargateProfileModel) (children.Profile, diag.Diagnostics) {
		var s children.Profile
		var diags diag.Diagnostics
		var d diag.Diagnostics
		s.Selectors, d = selectors.Expand(ctx, fp.Selectors)
		diags.Append(d...)
		s.SubnetIDs, d = expandStrings(ctx, fp.SubnetIDs, true)
		diags.Append(d...)
		return s, diags
	})
}

// ProfilesFromModel returns the Fargate profiles of a fargate_cluster value,
// for placement checks elsewhere in the provider.
func ProfilesFromModel(ctx context.Context, m types.Map) ([]placement.Profile, diag.Diagnostics) {
	specs, diags := expandProfiles(ctx, m)
	return profilesOf(specs), diags
}

func profilesOf(fps map[string]children.Profile) []placement.Profile {
	var out []placement.Profile
	for _, n := range slices.Sorted(maps.Keys(fps)) {
		out = append(out, placement.Profile{Name: n, Selectors: fps[n].Selectors})
	}
	return out
}
