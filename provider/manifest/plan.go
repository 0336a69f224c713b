package manifest

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
)

// ModifyPlan says where each workload will run, refuses what Fargate
// cannot run there, and shows drift. Terraform calls it again at apply,
// in another provider process: what it answers must not depend on this
// process having planned before, and a placement it planned must stay.
func (r *Resource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan manifestModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *manifestModel
	if !req.State.Raw.IsNull() {
		state = &manifestModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() || plan.Manifest.IsUnknown() {
		return
	}
	objs, err := kubeobj.Parse(plan.Manifest.ValueString())
	if err != nil {
		return // the validator has said what is wrong
	}
	var placements map[kubeobj.ID]string
	if r.client != nil && !plan.Cluster.IsUnknown() {
		name := plan.Cluster.ValueString()
		r.client.Topology.AddStorage(name, storage(objs))
		topo, d := r.layout(ctx, name)
		resp.Diagnostics.Append(d...)
		switch {
		case topo.Known:
			topo = r.withController(ctx, name, objs, topo)
			var findings []finding
			placements, findings = check(objs, topo)
			r.client.Topology.AddWorkloads(name, workloads(objs, placements))
			r.client.Topology.AddServices(name, services(objs))
			for _, f := range findings {
				switch {
				case f.err:
					resp.Diagnostics.AddAttributeError(path.Root("manifest"), cmp.Or(f.summary, "Pod cannot run where EKS would place it"), f.msg)
				default:
					resp.Diagnostics.AddAttributeWarning(path.Root("manifest"), cmp.Or(f.summary, "Check where these pods run"), f.msg)
				}
			}
		case d.WarningsCount() > 0: // the layout cannot be read
			placements = priorPlacements(ctx, state, plan.Cluster, objs)
		}
	}
	var d diag.Diagnostics
	plan.Objects, d = objectsValue(ctx, objs, placements, types.StringUnknown())
	resp.Diagnostics.Append(d...)

	plan.Live = types.MapUnknown(types.StringType)
	if state != nil && state.Manifest.Equal(plan.Manifest) && state.Cluster.Equal(plan.Cluster) && !state.Live.IsNull() {
		plan.Live = plannedLive(ctx, *state, req.Private, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// plannedLive is what live becomes when the manifest has not changed: what
// the cluster has, unless it drifted from what was applied (a warning says
// so), which the apply puts back.
func plannedLive(ctx context.Context, state manifestModel, private interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}, diags *diag.Diagnostics) types.Map {
	b, d := private.GetKey(ctx, privateApplied)
	applied := map[string]string{}
	if d.HasError() || len(b) == 0 || json.Unmarshal(b, &applied) != nil {
		return state.Live
	}
	live := map[string]string{}
	diags.Append(state.Live.ElementsAs(ctx, &live, false)...)
	for id, a := range applied {
		if live[id] != a {
			diags.AddAttributeWarning(path.Root("live"), "Changed outside Terraform",
				fmt.Sprintf("%s differs from what was applied; the apply restores it", id))
		}
	}
	v, d := types.MapValueFrom(ctx, types.StringType, applied)
	diags.Append(d...)
	return v
}
