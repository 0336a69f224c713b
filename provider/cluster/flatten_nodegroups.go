package cluster

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
)

// flattenHardening reads a node group's taints, update config and launch
// template. An update config the configuration leaves out stays null
// (EKS reports its default, one node).
func flattenHardening(ng *ekstypes.Nodegroup, tpl observed.LaunchTemplate, base *nodeGroupModel) (nodeGroupHardeningModel, diag.Diagnostics) {
	var diags, d diag.Diagnostics
	m := nodeGroupHardeningModel{
		Taints: types.ListNull(taintObject), UpdateConfig: types.ObjectNull(updateConfigAttrTypes),
		LaunchTemplateID: stringOrNull(tpl.ID), LaunchTemplateVersion: stringOrNull(tpl.Version),
	}
	var taints []taintModel
	for _, t := range ng.Taints {
		taints = append(taints, taintModel{Key: types.StringValue(aws.ToString(t.Key)), Value: stringOrNull(aws.ToString(t.Value)), Effect: types.StringValue(string(t.Effect))})
	}
	if len(taints) > 0 || (base != nil && !base.Taints.IsNull() && !base.Taints.IsUnknown()) {
		m.Taints, d = types.ListValueFrom(context.Background(), taintObject, taints)
		diags.Append(d...)
	}
	if u := ng.UpdateConfig; u != nil && base != nil && !base.UpdateConfig.IsNull() {
		uc := updateConfigModel{MaxUnavailable: types.Int64Null(), MaxUnavailablePercentage: types.Int64Null()}
		if u.MaxUnavailable != nil {
			uc.MaxUnavailable = types.Int64Value(int64(*u.MaxUnavailable))
		}
		if u.MaxUnavailablePercentage != nil {
			uc.MaxUnavailablePercentage = types.Int64Value(int64(*u.MaxUnavailablePercentage))
		}
		m.UpdateConfig, d = types.ObjectValueFrom(context.Background(), updateConfigAttrTypes, uc)
		diags.Append(d...)
	}
	return m, diags
}

// expandHardening reads a node group's taints, update config and launch
// template into its spec.
func expandHardening(ctx context.Context, ng nodeGroupModel, s *children.NodeGroup) diag.Diagnostics {
	var diags diag.Diagnostics
	if !ng.Taints.IsNull() && !ng.Taints.IsUnknown() {
		var ts []taintModel
		diags.Append(ng.Taints.ElementsAs(ctx, &ts, false)...)
		for _, t := range ts {
			s.Taints = append(s.Taints, children.Taint{Key: t.Key.ValueString(), Value: t.Value.ValueString(), Effect: t.Effect.ValueString()})
		}
	}
	if !ng.UpdateConfig.IsNull() && !ng.UpdateConfig.IsUnknown() {
		var uc updateConfigModel
		diags.Append(ng.UpdateConfig.As(ctx, &uc, objectAsOptions)...)
		s.UpdateConfig = children.UpdateConfig{MaxUnavailable: uc.MaxUnavailable.ValueInt64(), MaxUnavailablePercentage: uc.MaxUnavailablePercentage.ValueInt64()}
	}
	s.LaunchTemplateID = ng.LaunchTemplateID.ValueString()
	return diags
}

// hardenNodegroups adds the hardening to flattened node groups ngs, with
// base (the plan or prior state) saying what the configuration sets.
func hardenNodegroups(ctx context.Context, ob observed.Snapshot, base types.Map, ngs map[string]nodeGroupModel) diag.Diagnostics {
	var diags diag.Diagnostics
	baseModels := map[string]nodeGroupModel{}
	if !base.IsNull() && !base.IsUnknown() {
		diags.Append(base.ElementsAs(ctx, &baseModels, false)...)
	}
	for name, m := range ngs {
		var b *nodeGroupModel
		if bm, ok := baseModels[name]; ok {
			b = &bm
		}
		tpl := ob.Security.LaunchTemplates[name]
		h, d := flattenHardening(ob.NodeGroups[name], tpl, b)
		diags.Append(d...)
		m.nodeGroupHardeningModel = h
		if tpl.DiskSize != 0 {
			m.DiskSize = types.Int64Value(tpl.DiskSize) // the template's: EKS reports none beside one
		}
		ngs[name] = m
	}
	return diags
}
