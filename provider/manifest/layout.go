package manifest

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/topology"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
)

// layout is the cluster's layout (topology.Registry.Layout): from
// fargate_cluster's plan in this run, else from EKS. When EKS cannot be
// read, a warning names the cluster and the error, and the layout is not
// Known; a cluster that does not exist yet has no layout, and no warning.
func (r *Resource) layout(ctx context.Context, name string) (topology.Cluster, diag.Diagnostics) {
	var diags diag.Diagnostics
	topo, err := r.client.Topology.Layout(ctx, r.client.EKS, name)
	if err != nil && !apierr.NotFound(err) {
		diags.AddAttributeWarning(path.Root("cluster"), fmt.Sprintf("Cannot read the layout of EKS cluster %q", name),
			fmt.Sprintf("Reading its Fargate profiles and node groups failed: %v.\n\nWhere the pods of this manifest run is "+
				"neither checked nor guessed: placement shows what the last apply recorded, if anything. Check that the "+
				"provider may call eks:ListFargateProfiles, eks:DescribeFargateProfile and eks:ListNodegroups, and plan again.", err))
	}
	return topo, diags
}

// objectsValue is the objects attribute: each object of objs and, for a
// workload, its placement, or missing when the layout cannot tell it
// (unknown in a plan, null in a state).
func objectsValue(ctx context.Context, objs []kubeobj.Object, placements map[kubeobj.ID]string, missing types.String) (types.List, diag.Diagnostics) {
	out := []objectModel{}
	for _, o := range objs {
		id := o.ID()
		p := types.StringNull()
		if _, _, _, workload := o.PodTemplate(); workload {
			p = missing
			if v, ok := placements[id]; ok {
				p = types.StringValue(v)
			}
		}
		out = append(out, objectModel{ID: types.StringValue(id.String()), APIVersion: types.StringValue(id.APIVersion),
			Kind: types.StringValue(id.Kind), Namespace: types.StringValue(id.Namespace), Name: types.StringValue(id.Name), Placement: p})
	}
	return types.ListValueFrom(ctx, objectType, out)
}

// priorPlacements are the placements the state recorded for the workloads
// of objs whose pods are selected as when they were applied (same cluster,
// namespace and labels). When the layout cannot be read, the plan shows
// them: Terraform plans the resource again at apply, from the same state,
// and a placement known in the plan must stay the same.
func priorPlacements(ctx context.Context, state *manifestModel, cluster types.String, objs []kubeobj.Object) map[kubeobj.ID]string {
	if state == nil || !state.Cluster.Equal(cluster) {
		return nil
	}
	prior, err := kubeobj.Parse(state.Manifest.ValueString())
	var recorded []objectModel
	if err != nil || state.Objects.ElementsAs(ctx, &recorded, false).HasError() {
		return nil
	}
	was := map[string]kubeobj.Object{}
	for _, o := range prior {
		was[o.ID().String()] = o
	}
	placed := map[string]string{}
	for _, m := range recorded {
		if !m.Placement.IsNull() && !m.Placement.IsUnknown() {
			placed[m.ID.ValueString()] = m.Placement.ValueString()
		}
	}
	out := map[kubeobj.ID]string{}
	for _, o := range objs {
		id := o.ID().String()
		if p, ok := placed[id]; ok && samePods(o, was[id]) {
			out[o.ID()] = p
		}
	}
	return out
}

// samePods reports whether both objects make pods in the same namespace
// with the same labels: what a Fargate profile selects by.
func samePods(a, b kubeobj.Object) bool {
	if a.Unstructured == nil || b.Unstructured == nil {
		return false
	}
	ans, al, _, aok := a.PodTemplate()
	bns, bl, _, bok := b.PodTemplate()
	return aok && bok && ans == bns && maps.Equal(al, bl)
}
