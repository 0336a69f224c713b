package cluster

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
	"github.com/terrax/terraform-provider-fargate/provider/internal/tagging"
)

var objectAsOptions = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}

// ModifyPlan makes the plan say what the apply will really do: tags_all,
// which roles will be created, which node groups and profiles are replaced
// (their ARN and status become unknown, and a warning says that a replaced
// profile stops the pods it placed), and refuses version changes EKS cannot
// make.
func (r *Resource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan, config clusterModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	var state *clusterModel
	if !req.State.Raw.IsNull() {
		state = &clusterModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	if r.client != nil {
		plan.TagsAll = tagging.Merge(ctx, r.client.DefaultTags, plan.Tags, &resp.Diagnostics)
	}
	if state != nil {
		// No cluster behind the state (see privateNoCluster): replace, so the
		// leftovers are deleted before a whole new cluster is made.
		if noCluster, d := req.Private.GetKey(ctx, privateNoCluster); len(noCluster) > 0 {
			plan.ARN = types.StringUnknown()
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("arn"))
		} else {
			resp.Diagnostics.Append(d...)
		}
	}

	want, d := specs(ctx, plan)
	resp.Diagnostics.Append(d...)
	ngs, fps := want.NodeGroups, want.Profiles
	var priorNode, priorPod types.String
	if state != nil {
		priorNode, priorPod = state.NodeRoleARN, state.PodExecutionRoleARN
	}
	plan.NodeRoleARN = plannedRole(config.NodeRoleARN, priorNode, len(ngs) > 0 || config.NodeGroups.IsUnknown())
	plan.PodExecutionRoleARN = plannedRole(config.PodExecutionRoleARN, priorPod, len(fps) > 0 || config.FargateProfiles.IsUnknown())

	stateAddons, stateOIDC := types.MapNull(addonObject), types.StringNull()
	if state != nil {
		stateAddons, stateOIDC = state.Addons, state.OIDCProviderARN
	}
	k8sChanged := state == nil || plan.KubernetesVersion.IsUnknown() || plan.KubernetesVersion.ValueString() != state.KubernetesVersion.ValueString()
	plan.Addons, d = planAddons(ctx, config.Addons, stateAddons, k8sChanged)
	resp.Diagnostics.Append(d...)
	plan.OIDCProviderARN = plannedOIDC(plan.OIDCProvider, stateOIDC)
	planSecurity(ctx, config, state, &plan, &resp.Diagnostics)
	lbcOn := r.planLBC(ctx, state, &plan, len(ngs), &resp.Diagnostics)
	refuseCoreDNSNowhere(ctx, &plan, len(ngs), &resp.Diagnostics)

	if state != nil {
		if !plan.KubernetesVersion.IsUnknown() {
			if msg := eksrules.VersionUpgrade(state.KubernetesVersion.ValueString(), plan.KubernetesVersion.ValueString()); msg != "" {
				resp.Diagnostics.AddAttributeError(path.Root("kubernetes_version"), "Unsupported Kubernetes version change", msg)
			}
		}
		old, d := specs(ctx, *state)
		resp.Diagnostics.Append(d...)
		ngChanges, fpChanges := children.DiffNodeGroups(old.NodeGroups, ngs), children.DiffProfiles(old.Profiles, fps)
		// A node group or profile made by this apply has its computed
		// attributes known only after it.
		u := types.StringUnknown()
		plan.NodeGroups = markNew(ctx, plan.NodeGroups, config.NodeGroups, nodeGroupObject, children.Names(ngChanges, children.Create, children.Replace),
			func(p *nodeGroupModel, c nodeGroupModel) {
				p.ARN, p.Status, p.LaunchTemplateID, p.LaunchTemplateVersion = u, u, u, u
				if c.CapacityType.IsNull() {
					p.CapacityType = u
				}
				if c.AMIType.IsNull() {
					p.AMIType = u
				}
				if c.DiskSize.IsNull() {
					p.DiskSize = types.Int64Unknown()
				}
				if c.SubnetIDs.IsNull() {
					p.SubnetIDs = types.SetUnknown(types.StringType)
				}
			}, &resp.Diagnostics)
		plan.NodeGroups = markRolled(ctx, plan.NodeGroups, config.NodeGroups, old.NodeGroups, ngs, &resp.Diagnostics)
		plan.FargateProfiles = markNew(ctx, plan.FargateProfiles, config.FargateProfiles, fargateProfileObject, children.Names(fpChanges, children.Create, children.Replace),
			func(p *fargateProfileModel, c fargateProfileModel) {
				p.ARN, p.Status = u, u
				if c.SubnetIDs.IsNull() {
					p.SubnetIDs = types.SetUnknown(types.StringType)
				}
			}, &resp.Diagnostics)
		// What an interrupted (or timed-out) apply left CREATING or UPDATING
		// settles during this one, and shows what it has only once ACTIVE.
		settle := func(status types.String) bool {
			return !status.IsNull() && !status.IsUnknown() && status.ValueString() != "ACTIVE"
		}
		if settle(state.Status) {
			u := types.StringUnknown()
			plan.Status, plan.Endpoint, plan.CertificateAuthority, plan.OIDCIssuerURL, plan.PlatformVersion, plan.ClusterSecurityGroupID = u, u, u, u, u, u
		}
		plan.NodeGroups = markNew(ctx, plan.NodeGroups, config.NodeGroups, nodeGroupObject,
			namesWhere(ctx, state.NodeGroups, func(m nodeGroupModel) bool { return settle(m.Status) }, &resp.Diagnostics),
			func(p *nodeGroupModel, _ nodeGroupModel) { p.Status = u }, &resp.Diagnostics)
		plan.FargateProfiles = markNew(ctx, plan.FargateProfiles, config.FargateProfiles, fargateProfileObject,
			namesWhere(ctx, state.FargateProfiles, func(m fargateProfileModel) bool { return settle(m.Status) }, &resp.Diagnostics),
			func(p *fargateProfileModel, _ fargateProfileModel) { p.Status = u }, &resp.Diagnostics)
		if replaced := children.Names(fpChanges, children.Replace); len(replaced) > 0 {
			resp.Diagnostics.AddAttributeWarning(path.Root("fargate_profiles"), "Fargate profiles will be replaced",
				fmt.Sprintf("EKS cannot change a Fargate profile, so %s will be deleted and created again. Deleting a profile stops "+
					"the pods it placed; they are started again once the new profile is ACTIVE.", quoteList(replaced)))
		}
		if replaced := children.Names(ngChanges, children.Replace); len(replaced) > 0 {
			resp.Diagnostics.AddAttributeWarning(path.Root("node_groups"), "Node groups will be replaced",
				fmt.Sprintf("EKS cannot change this in place, so node group %s will be deleted and created again; its pods are evicted.", quoteList(replaced)))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	// Tell fargate_manifest resources of this cluster, planned next, where
	// their pods will run, or that this is known only at apply (then they
	// must not plan from what EKS has now: the apply plans them again).
	if r.client != nil && !plan.Name.IsUnknown() {
		profiles, d := ProfilesFromModel(ctx, plan.FargateProfiles)
		if plan.NodeGroups.IsUnknown() || !selectorsKnown(ctx, plan.FargateProfiles) || d.HasError() {
			r.client.Topology.SetPending(plan.Name.ValueString())
		} else {
			r.client.Topology.SetLayout(plan.Name.ValueString(), profiles, len(ngs))
		}
		r.client.Topology.SetShared(plan.Name.ValueString(), !exclusiveProfiles(plan))
		r.reportAddonsAndZones(ctx, plan, want)
		r.client.Topology.SetLoadBalancerController(plan.Name.ValueString(), lbcOn)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// selectorsKnown reports whether the selectors of every profile are known.
func selectorsKnown(ctx context.Context, profiles types.Map) bool {
	if profiles.IsUnknown() {
		return false
	}
	for _, v := range profiles.Elements() {
		o, ok := v.(types.Object)
		if !ok || o.IsUnknown() {
			return false
		}
		if sel, ok := o.Attributes()["selectors"]; ok {
			if tv, err := sel.ToTerraformValue(ctx); err != nil || !tv.IsFullyKnown() {
				return false
			}
		}
	}
	return true
}

// plannedOIDC: the provider's ARN is kept while oidc_provider stays on, known
// once made, and null when off.
func plannedOIDC(on types.Bool, prior types.String) types.String {
	switch {
	case on.IsUnknown():
		return types.StringUnknown()
	case !on.ValueBool():
		return types.StringNull()
	case !prior.IsNull() && !prior.IsUnknown():
		return prior
	}
	return types.StringUnknown()
}

// plannedRole: a configured role is used as is; one already made is kept;
// one needed now will be made (unknown); otherwise there is none.
func plannedRole(config, prior types.String, needed bool) types.String {
	switch {
	case !config.IsNull():
		return config
	case !prior.IsNull() && !prior.IsUnknown():
		return prior
	case needed:
		return types.StringUnknown()
	}
	return types.StringNull()
}

// namesWhere lists the entries of a nested-object map for which pred holds.
func namesWhere[T any](ctx context.Context, m types.Map, pred func(T) bool, diags *diag.Diagnostics) []string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	entries := map[string]T{}
	diags.Append(m.ElementsAs(ctx, &entries, false)...)
	var out []string
	for n, e := range entries {
		if pred(e) {
			out = append(out, n)
		}
	}
	return out
}

// markNew applies mark to the named entries of a nested-object map, with
// the entry's configuration.
func markNew[T any](ctx context.Context, m, config types.Map, elem types.ObjectType, named []string, mark func(plan *T, config T), diags *diag.Diagnostics) types.Map {
	if len(named) == 0 || m.IsNull() || m.IsUnknown() || config.IsUnknown() {
		return m
	}
	entries, configured := map[string]T{}, map[string]T{}
	diags.Append(m.ElementsAs(ctx, &entries, false)...)
	diags.Append(config.ElementsAs(ctx, &configured, false)...)
	for _, n := range named {
		e, planned := entries[n]
		if !planned {
			// In transition in the state but not in the plan (made outside
			// Terraform, or going away): nothing to mark.
			continue
		}
		mark(&e, configured[n])
		entries[n] = e
	}
	v, d := types.MapValueFrom(ctx, elem, entries)
	diags.Append(d...)
	return v
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
