package profile

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/selectors"
	"github.com/terrax/terraform-provider-fargate/provider/internal/tagging"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// ModifyPlan shows tags_all, and tells fargate_manifest resources of the
// cluster, planned after this one, that the profile will select their pods:
// on the first apply too, before the profile exists
// (provider/internal/topology).
func (r *Resource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return // destroy
	}
	var plan profileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.TagsAll = tagging.Merge(ctx, r.client.DefaultTags, plan.Tags, &resp.Diagnostics)
	if plan.ID.IsUnknown() && !plan.Cluster.IsUnknown() && !plan.Name.IsUnknown() {
		plan.ID = types.StringValue(idOf(plan.Cluster.ValueString(), plan.Name.ValueString()))
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	if plan.Cluster.IsUnknown() || plan.Name.IsUnknown() {
		return
	}
	if cluster := plan.Cluster.ValueString(); r.client.Topology.Exclusive(cluster) {
		resp.Diagnostics.AddAttributeWarning(path.Root("cluster"), "The cluster deletes profiles it did not make",
			fmt.Sprintf("fargate_cluster %q is planned with exclusive_fargate_profiles = true (the default), so its next apply "+
				"deletes this profile. Set exclusive_fargate_profiles = false on it.", cluster))
	}
	if !selectors.Known(ctx, plan.Selectors) {
		return
	}
	sels, d := selectors.Expand(ctx, plan.Selectors)
	resp.Diagnostics.Append(d...)
	if !d.HasError() {
		r.client.Topology.AddProfile(plan.Cluster.ValueString(), placement.Profile{Name: plan.Name.ValueString(), Selectors: sels})
	}
}
