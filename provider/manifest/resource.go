package manifest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/topology"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

var (
	_ resource.ResourceWithConfigure   = (*Resource)(nil)
	_ resource.ResourceWithModifyPlan  = (*Resource)(nil)
	_ resource.ResourceWithImportState = (*Resource)(nil)
)

const (
	defaultTimeout = 20 * time.Minute
	// privateApplied keeps, in private state, the live value of each object
	// right after this resource applied it: the reference for drift.
	privateApplied = "applied"
)

// Resource is fargate_manifest.
type Resource struct{ client *conns.Client }

// NewResource is the constructor the provider registers.
func NewResource() resource.Resource { return &Resource{} }

func (r *Resource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_manifest"
}

func (r *Resource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	c, ok := req.ProviderData.(*conns.Client)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("expected *conns.Client, got %T; this is a bug in the provider", req.ProviderData))
		return
	}
	r.client = c
}

// connect finds the cluster and opens a Kubernetes client; a cluster that
// does not exist is reported as apierr.NotFoundError.
func (r *Resource) connect(ctx context.Context, name string) (*applier, error) {
	c, err := finder.Cluster(ctx, r.client.EKS, name)
	if err != nil {
		return nil, err
	}
	ca := ""
	if c.CertificateAuthority != nil {
		ca = aws.ToString(c.CertificateAuthority.Data)
	}
	kc, err := kubeclient.New(r.client.STS, name, aws.ToString(c.Endpoint), ca)
	if err != nil {
		return nil, err
	}
	return &applier{kc: kc}, nil
}

// layout is the cluster's layout: from fargate_cluster's plan in this run,
// else from AWS when the cluster exists (no Kubernetes call).
func (r *Resource) layout(ctx context.Context, name string) topology.Cluster {
	topo := r.client.Topology.Get(name)
	if topo.Known {
		return topo
	}
	fps, err := r.client.EKS.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: aws.String(name)})
	if err != nil {
		return topo
	}
	var profiles []placement.Profile
	for _, n := range fps.FargateProfileNames {
		fp, err := r.client.EKS.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String(n)})
		if err != nil {
			return topo
		}
		p := placement.Profile{Name: n}
		for _, s := range fp.FargateProfile.Selectors {
			p.Selectors = append(p.Selectors, placement.Selector{Namespace: aws.ToString(s.Namespace), Labels: s.Labels})
		}
		profiles = append(profiles, p)
	}
	ngs, err := r.client.EKS.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String(name)})
	if err != nil {
		return topo
	}
	r.client.Topology.SetLayout(name, profiles, len(ngs.Nodegroups))
	return r.client.Topology.Get(name)
}

func objectsValue(ctx context.Context, objs []kubeobj.Object, placements map[kubeobj.ID]string, known bool) (types.List, diag.Diagnostics) {
	var out []objectModel
	for _, o := range objs {
		id := o.ID()
		p := types.StringNull()
		if _, _, _, workload := o.PodTemplate(); workload {
			if !known {
				p = types.StringUnknown()
			} else if v, ok := placements[id]; ok {
				p = types.StringValue(v)
			}
		}
		out = append(out, objectModel{ID: types.StringValue(id.String()), APIVersion: types.StringValue(id.APIVersion),
			Kind: types.StringValue(id.Kind), Namespace: types.StringValue(id.Namespace), Name: types.StringValue(id.Name), Placement: p})
	}
	if out == nil {
		out = []objectModel{}
	}
	return types.ListValueFrom(ctx, types.ObjectType{AttrTypes: objectAttrTypes}, out)
}

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
	known := false
	var placements map[kubeobj.ID]string
	if r.client != nil && !plan.Cluster.IsUnknown() {
		name := plan.Cluster.ValueString()
		provisioners, claims := storage(objs)
		r.client.Topology.AddStorage(name, provisioners, claims)
		topo := r.layout(ctx, name)
		if known = topo.Known; known {
			var findings []finding
			placements, findings = check(objs, topo)
			for _, f := range findings {
				if f.err {
					resp.Diagnostics.AddAttributeError(path.Root("manifest"), "Pod cannot run where EKS would place it", f.msg)
				} else {
					resp.Diagnostics.AddAttributeWarning(path.Root("manifest"), "Check where these pods run", f.msg)
				}
			}
		}
	}
	var d diag.Diagnostics
	plan.Objects, d = objectsValue(ctx, objs, placements, known)
	resp.Diagnostics.Append(d...)

	plan.Live = types.MapUnknown(types.StringType)
	if state != nil && state.Manifest.Equal(plan.Manifest) && state.Cluster.Equal(plan.Cluster) && !state.Live.IsNull() {
		plan.Live = state.Live
		// Drift: what the cluster has differs from what was applied; the
		// apply puts back what was applied.
		if b, d := req.Private.GetKey(ctx, privateApplied); !d.HasError() && len(b) > 0 {
			applied := map[string]string{}
			if json.Unmarshal(b, &applied) == nil {
				live := map[string]string{}
				resp.Diagnostics.Append(state.Live.ElementsAs(ctx, &live, false)...)
				for id, a := range applied {
					if live[id] != a {
						resp.Diagnostics.AddAttributeWarning(path.Root("live"), "Changed outside Terraform",
							fmt.Sprintf("%s differs from what was applied; the apply restores it", id))
					}
				}
				v, d := types.MapValueFrom(ctx, types.StringType, applied)
				resp.Diagnostics.Append(d...)
				plan.Live = v
			}
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

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
			var placements map[kubeobj.ID]string
			topo := r.layout(ctx, name)
			if topo.Known {
				placements, _ = check(applied, topo)
			}
			var d diag.Diagnostics
			plan.Objects, d = objectsValue(ctx, applied, placements, topo.Known)
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

// ImportState takes "<cluster>/<apiVersion>/<kind>/<namespace>/<name>".
func (r *Resource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name, rest, ok := strings.Cut(req.ID, "/")
	id, err := kubeobj.ParseID(rest)
	if !ok || err != nil {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("want <cluster>/<apiVersion>/<kind>/<namespace>/<name>, e.g. terrax-fargate/apps/v1/Deployment/tb-demo/mysql: %v", err))
		return
	}
	a, err := r.connect(ctx, name)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Connecting to EKS cluster %q failed", name), err.Error())
		return
	}
	u, err := a.get(ctx, id)
	if err == nil && u == nil {
		err = fmt.Errorf("%s does not exist in cluster %s", id.Short(), name)
	}
	if err != nil {
		resp.Diagnostics.AddError("Import failed", err.Error())
		return
	}
	clean(u)
	b, err := yaml.Marshal(u.Object)
	if err != nil {
		resp.Diagnostics.AddError("Import failed", err.Error())
		return
	}
	m := manifestModel{
		ID: types.StringValue(name + "/import-" + strings.ToLower(id.Kind) + "-" + id.Name), Cluster: types.StringValue(name),
		Manifest: types.StringValue(string(b)), ForceConflicts: types.BoolValue(false), Wait: types.BoolValue(true),
		Live: types.MapNull(types.StringType),
	}
	objs, err := kubeobj.Parse(string(b))
	if err != nil {
		resp.Diagnostics.AddError("Import failed", err.Error())
		return
	}
	topo := r.layout(ctx, name)
	placements, _ := check(objs, topo)
	var d diag.Diagnostics
	m.Objects, d = objectsValue(ctx, objs, placements, topo.Known)
	resp.Diagnostics.Append(d...)
	m.Timeouts.Object = types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType})
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// clean drops what the server sets from an imported object.
func clean(u *unstructured.Unstructured) {
	delete(u.Object, "status")
	for _, f := range []string{"uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink"} {
		unstructured.RemoveNestedField(u.Object, "metadata", f)
	}
	ann := u.GetAnnotations()
	for k := range ann {
		if strings.HasPrefix(k, "kubectl.kubernetes.io/") || strings.HasPrefix(k, "deployment.kubernetes.io/") {
			delete(ann, k)
		}
	}
	if len(ann) == 0 {
		ann = nil
	}
	u.SetAnnotations(ann)
}
