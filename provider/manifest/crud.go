package manifest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
)

// run applies objs, deletes what is no longer in them, and waits.
func (r *Resource) run(ctx context.Context, plan *manifestModel, prior []kubeobj.ID, private interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}, repair bool) (diags diag.Diagnostics) {
	objs, err := kubeobj.Parse(plan.Manifest.ValueString())
	if err != nil {
		diags.AddError("Invalid Kubernetes manifest", err.Error())
		return
	}
	name := plan.Cluster.ValueString()
	a, err := r.connect(ctx, name)
	if err != nil {
		diags.AddError(fmt.Sprintf("Connecting to EKS cluster %q failed", name), err.Error())
		return
	}
	a.force = plan.ForceConflicts.ValueBool() || repair
	live := map[string]string{}
	var applied []kubeobj.Object
	// Whatever happens, the state records what was applied.
	defer func() {
		if len(applied) != len(objs) || placementsUnknown(ctx, plan.Objects) {
			// In document order, as planned.
			done := map[kubeobj.ID]bool{}
			for _, o := range applied {
				done[o.ID()] = true
			}
			inState := slices.DeleteFunc(slices.Clone(objs), func(o kubeobj.Object) bool { return !done[o.ID()] })
			var placements map[kubeobj.ID]string
			topo, d := r.layout(ctx, name)
			diags.Append(d...)
			if topo.Known {
				placements, _ = check(inState, topo)
			}
			// A state holds no unknown: what the layout cannot tell is null.
			plan.Objects, d = objectsValue(ctx, inState, placements, types.StringNull())
			diags.Append(d...)
		}
		v, d := types.MapValueFrom(ctx, types.StringType, live)
		diags.Append(d...)
		plan.Live = v
		b, _ := json.Marshal(live)
		diags.Append(private.SetKey(ctx, privateApplied, b)...)
	}()
	for _, o := range kubeobj.ApplyOrder(objs) {
		u, err := a.apply(ctx, o)
		if err != nil {
			diags.AddError("Applying the manifest failed", err.Error()+"\n\nThe objects applied so far are recorded in the state.")
			return
		}
		applied = append(applied, o)
		live[o.ID().String()] = render(o.Unstructured, u)
	}
	// What left the manifest goes, in reverse order.
	keep := map[string]bool{}
	for _, o := range objs {
		keep[o.ID().String()] = true
	}
	for i := len(prior) - 1; i >= 0; i-- {
		if !keep[prior[i].String()] {
			if err := a.remove(ctx, prior[i]); err != nil {
				diags.AddError("Deleting an object removed from the manifest failed", err.Error())
				return
			}
		}
	}
	if plan.Wait.ValueBool() {
		for _, o := range kubeobj.ApplyOrder(objs) {
			if err := a.waitReady(ctx, o); err != nil {
				diags.AddError("Waiting for the manifest's objects failed", err.Error())
				return
			}
		}
	}
	// Re-read: what the rollouts settled is what a refresh will see.
	for _, o := range objs {
		if u, err := a.get(ctx, o.ID()); err == nil && u != nil {
			live[o.ID().String()] = render(o.Unstructured, u)
		}
	}
	return
}

func (r *Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan manifestModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	sum := sha256.Sum256([]byte(plan.Cluster.ValueString() + "\n" + plan.Manifest.ValueString()))
	plan.ID = types.StringValue(plan.Cluster.ValueString() + "/" + hex.EncodeToString(sum[:8]))
	resp.Diagnostics.Append(r.run(ctx, &plan, nil, resp.Private, false)...)
	resp.Diagnostics.Append(resp.State.Set(context.WithoutCancel(ctx), &plan)...)
}

func (r *Resource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state manifestModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	prior, d := stateIDs(ctx, state)
	resp.Diagnostics.Append(d...)
	// An unchanged manifest means this apply repairs drift the plan showed:
	// the fields this resource set are taken back from whoever changed them.
	repair := plan.Manifest.Equal(state.Manifest)
	resp.Diagnostics.Append(r.run(ctx, &plan, prior, resp.Private, repair)...)
	resp.Diagnostics.Append(resp.State.Set(context.WithoutCancel(ctx), &plan)...)
}

// placementsUnknown reports whether the plan could not yet say where pods run.
func placementsUnknown(ctx context.Context, l types.List) bool {
	if l.IsUnknown() {
		return true
	}
	var objs []objectModel
	l.ElementsAs(ctx, &objs, false)
	for _, o := range objs {
		if o.Placement.IsUnknown() {
			return true
		}
	}
	return false
}

// stateIDs are the objects the state says this resource applied, in apply order.
func stateIDs(ctx context.Context, m manifestModel) ([]kubeobj.ID, diag.Diagnostics) {
	var objs []objectModel
	diags := m.Objects.ElementsAs(ctx, &objs, false)
	var ids []kubeobj.ID
	for _, o := range objs {
		id, err := kubeobj.ParseID(o.ID.ValueString())
		if err == nil {
			ids = append(ids, id)
		}
	}
	return ids, diags
}

func (r *Resource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state manifestModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Cluster.ValueString()
	a, err := r.connect(ctx, name)
	if apierr.NotFound(err) {
		resp.Diagnostics.AddWarning(fmt.Sprintf("EKS cluster %q is gone", name), "Its Kubernetes objects went with it; they were removed from the state.")
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Connecting to EKS cluster %q failed", name), err.Error())
		return
	}
	objs, err := kubeobj.Parse(state.Manifest.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("The manifest in state cannot be read", err.Error())
		return
	}
	live := map[string]string{}
	for _, o := range objs {
		u, err := a.get(ctx, o.ID())
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Reading %s failed", o.ID().Short()), err.Error())
			return
		}
		live[o.ID().String()] = render(o.Unstructured, u)
	}
	v, d := types.MapValueFrom(ctx, types.StringType, live)
	resp.Diagnostics.Append(d...)
	state.Live = v
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *Resource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state manifestModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultTimeout)
	resp.Diagnostics.Append(d...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	name := state.Cluster.ValueString()
	a, err := r.connect(ctx, name)
	if apierr.NotFound(err) {
		return // the objects went with the cluster
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Connecting to EKS cluster %q failed", name), err.Error())
		return
	}
	ids, d := stateIDs(ctx, state)
	resp.Diagnostics.Append(d...)
	objs := make([]kubeobj.Object, 0, len(ids))
	for _, id := range ids {
		u := &unstructured.Unstructured{}
		u.SetAPIVersion(id.APIVersion)
		u.SetKind(id.Kind)
		objs = append(objs, kubeobj.Object{Unstructured: u})
	}
	// Delete in reverse apply order: workloads before their claims, classes and namespaces.
	order := kubeobj.ApplyOrder(objs)
	byKind := map[string][]kubeobj.ID{}
	for _, id := range ids {
		byKind[id.Kind] = append(byKind[id.Kind], id)
	}
	var kinds []string
	for _, o := range order {
		if !slices.Contains(kinds, o.GetKind()) {
			kinds = append(kinds, o.GetKind())
		}
	}
	var errs []error
	for i := len(kinds) - 1; i >= 0; i-- {
		for _, id := range byKind[kinds[i]] {
			if err := a.remove(ctx, id); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		resp.Diagnostics.AddError("Deleting the manifest's objects failed", err.Error()+"\n\nRun terraform destroy again to delete the rest.")
	}
}
