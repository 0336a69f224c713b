// Package cluster implements the fargate_cluster resource: an EKS cluster
// with its IAM roles, optionally its VPC, its managed node groups and its
// Fargate profiles, in one resource.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

const (
	defaultCreateTimeout = 45 * time.Minute
	defaultUpdateTimeout = 60 * time.Minute
	defaultDeleteTimeout = 45 * time.Minute
)

var (
	_ resource.ResourceWithConfigure        = (*Resource)(nil)
	_ resource.ResourceWithImportState      = (*Resource)(nil)
	_ resource.ResourceWithModifyPlan       = (*Resource)(nil)
	_ resource.ResourceWithConfigValidators = (*Resource)(nil)
)

// Resource is fargate_cluster.
type Resource struct {
	client *conns.Client
}

// NewResource is the constructor the provider registers.
func NewResource() resource.Resource { return &Resource{} }

func (r *Resource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster"
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

func (r *Resource) ops(ctx context.Context, m clusterModel) (*ops, diag.Diagnostics) {
	tags, diags := expandStringMap(ctx, m.TagsAll)
	return &ops{c: r.client, name: m.Name.ValueString(), tags: tags}, diags
}

// specs reads the node groups and profiles of a model.
func specs(ctx context.Context, m clusterModel) (map[string]nodeGroupSpec, map[string]profileSpec, diag.Diagnostics) {
	ngs, diags := expandNodeGroups(ctx, m.NodeGroups)
	fps, d := expandProfiles(ctx, m.FargateProfiles)
	diags.Append(d...)
	return ngs, fps, diags
}

func networkFromModel(ctx context.Context, m clusterModel) (networkState, diag.Diagnostics) {
	var n networkState
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

func accessFromModel(ctx context.Context, m clusterModel) (endpointAccess, diag.Diagnostics) {
	cidrs, diags := expandStrings(ctx, m.PublicAccessCIDRs, true)
	return endpointAccess{public: m.EndpointPublicAccess.ValueBool(), private: m.EndpointPrivateAccess.ValueBool(), publicCIDRs: cidrs}, diags
}

// failureDetail is added to every create/update error: what state holds
// and how to go on.
const failureDetail = "\n\nEverything created so far is recorded in the Terraform state, so nothing is leaked: run `terraform apply` again to continue."

func (r *Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan clusterModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	o, d := r.ops(ctx, plan)
	resp.Diagnostics.Append(d...)
	ngs, fps, d := specs(ctx, plan)
	resp.Diagnostics.Append(d...)
	network, d := networkFromModel(ctx, plan)
	resp.Diagnostics.Append(d...)
	access, d := accessFromModel(ctx, plan)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	ob := newObserved()
	ob.network = network
	ob.roles = roleARNs{cluster: plan.ClusterRoleARN.ValueString(), node: plan.NodeRoleARN.ValueString(), podExecution: plan.PodExecutionRoleARN.ValueString()}
	err := o.create(ctx, ob, plan.KubernetesVersion.ValueString(), access, ngs, fps, plan.CoreDNSComputeType.ValueString())

	state, d := ob.toModel(context.WithoutCancel(ctx), plan, r.client.DefaultTags)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	if ob.cluster == nil {
		// The cluster was never made; an EKS cluster under this name (say,
		// the one that made creation fail) is not this resource's to read
		// or delete.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateNoCluster, []byte(`true`))...)
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Creating EKS cluster %q failed", o.name), err.Error()+failureDetail+
			" Terraform marks the resource tainted and would replace it; to keep what exists and only add what is "+
			"missing, run `terraform untaint` on it first.")
	}
}

// create makes everything in EKS's order: roles and network (in parallel),
// the cluster, then node groups (in parallel) alongside Fargate profiles
// (one at a time).
func (o *ops) create(ctx context.Context, ob *observed, version string, access endpointAccess, ngs map[string]nodeGroupSpec, fps map[string]profileSpec, coreDNS string) error {
	var wg sync.WaitGroup
	var rolesErr, netErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		rolesErr = o.ensureRoles(ctx, ob, len(ngs) > 0, len(fps) > 0)
	}()
	go func() {
		defer wg.Done()
		netErr = o.ensureNetwork(ctx, ob)
	}()
	wg.Wait()
	if err := errors.Join(rolesErr, netErr); err != nil {
		return err
	}
	// CoreDNS goes to Fargate as soon as the profiles are ACTIVE, while
	// node groups may still be creating; to EC2, once they are.
	target := coreDNSTarget(coreDNS, profilesOf(fps))
	placeCoreDNS := func() error { return o.placeCoreDNS(ctx, ob, target) }
	if target == coreDNSFargate {
		return o.createEKS(ctx, ob, version, access, ngs, fps, placeCoreDNS)
	}
	if err := o.createEKS(ctx, ob, version, access, ngs, fps); err != nil {
		return err
	}
	return placeCoreDNS()
}

func profilesOf(fps map[string]profileSpec) []placement.Profile {
	var out []placement.Profile
	for _, n := range slices.Sorted(maps.Keys(fps)) {
		out = append(out, placement.Profile{Name: n, Selectors: fps[n].Selectors})
	}
	return out
}

// createEKS creates the cluster, waits for it, then its node groups and
// profiles (afterProfiles: see changeChildren).
func (o *ops) createEKS(ctx context.Context, ob *observed, version string, access endpointAccess, ngs map[string]nodeGroupSpec, fps map[string]profileSpec, afterProfiles ...func() error) error {
	if err := o.createCluster(ctx, ob, version, access); err != nil {
		return err
	}
	return o.changeChildren(ctx, ob, nil, ngs, nil, fps, afterProfiles...)
}

// changeChildren turns the node groups and profiles from old into new: node
// groups in parallel, profiles one at a time, both lanes at once. Each lane
// deletes before it creates, as a replaced entry keeps its name.
// afterProfiles run in the profiles' lane once they are done, without
// waiting for the node groups.
func (o *ops) changeChildren(ctx context.Context, ob *observed, oldNGs, newNGs map[string]nodeGroupSpec, oldFPs, newFPs map[string]profileSpec, afterProfiles ...func() error) error {
	ngChanges, fpChanges := diffNodeGroups(oldNGs, newNGs), diffProfiles(oldFPs, newFPs)
	var wg sync.WaitGroup
	var ngErr, fpErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		if ngErr = o.deleteNodegroups(ctx, ob, names(ngChanges, remove, replace)); ngErr != nil {
			return
		}
		ngErr = errors.Join(
			o.updateNodegroups(ctx, ob, oldNGs, newNGs, names(ngChanges, update)),
			o.createNodegroups(ctx, ob, newNGs, names(ngChanges, create, replace)))
	}()
	go func() {
		defer wg.Done()
		if fpErr = o.deleteProfiles(ctx, ob, names(fpChanges, remove, replace)); fpErr != nil {
			return
		}
		if fpErr = o.createProfiles(ctx, ob, newFPs, names(fpChanges, create, replace)); fpErr != nil {
			return
		}
		for _, f := range afterProfiles {
			if fpErr = f(); fpErr != nil {
				return
			}
		}
	}()
	wg.Wait()
	return errors.Join(ngErr, fpErr)
}

// ensureRoles creates the roles the configuration does not name and the
// cluster needs now.
func (o *ops) ensureRoles(ctx context.Context, ob *observed, nodes, fargate bool) error {
	for _, need := range []struct {
		ok   bool
		kind roleKind
		arn  *string
	}{
		{true, clusterRole, &ob.roles.cluster},
		{nodes, nodeRole, &ob.roles.node},
		{fargate, podExecutionRole, &ob.roles.podExecution},
	} {
		if !need.ok || *need.arn != "" {
			continue
		}
		arn, err := o.ensureRole(ctx, need.kind)
		if arn != "" {
			ob.setRole(func(r *roleARNs) { *need.arn = arn })
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (o *ops) ensureNetwork(ctx context.Context, ob *observed) error {
	n := ob.network
	var err error
	if n.VPCCIDR != "" {
		err = o.createNetwork(ctx, &n, func() {
			defer ob.lock()()
			ob.network = n
		})
	} else {
		err = o.classifySubnets(ctx, &n)
	}
	defer ob.lock()()
	ob.network = n
	return err
}

// privateNoCluster marks, in private state, a resource whose EKS cluster
// does not exist (its creation failed before the cluster was made, or the
// cluster was deleted outside Terraform) while roles or network it made do.
const privateNoCluster = "no_cluster"

func (r *Resource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state clusterModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if noCluster, d := req.Private.GetKey(ctx, privateNoCluster); len(noCluster) > 0 || d.HasError() {
		resp.Diagnostics.Append(d...)
		return // the state holds only roles and network; they are kept for destroy to remove
	}
	o, d := r.ops(ctx, state)
	resp.Diagnostics.Append(d...)
	ob, err := r.observe(ctx, o, state)
	if apierr.NotFound(err) {
		left, lerr := o.leftovers(ctx)
		if lerr != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Reading EKS cluster %q failed", o.name), "The cluster is gone; looking for what it left: "+lerr.Error())
			return
		}
		if len(left) == 0 {
			resp.Diagnostics.AddWarning(fmt.Sprintf("EKS cluster %q is gone", o.name),
				"The cluster no longer exists in AWS, so it was removed from the Terraform state; the next apply creates it again.")
			resp.State.RemoveResource(ctx)
			return
		}
		// Dropping the resource would leak what is left; keep it so that
		// destroy deletes it, and so that apply replaces the whole.
		resp.Diagnostics.AddWarning(fmt.Sprintf("EKS cluster %q is gone, but not all it used", o.name),
			fmt.Sprintf("The cluster no longer exists in AWS; what this resource made for it is still there (%s). "+
				"It stays in the Terraform state: `terraform destroy` deletes it, `terraform apply` replaces it with a new cluster.", strings.Join(left, ", ")))
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateNoCluster, []byte(`true`))...)
		state.ARN = types.StringNull() // no cluster of this resource's to delete
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Reading EKS cluster %q failed", o.name), err.Error())
		return
	}
	newState, d := ob.toModel(ctx, state, r.client.DefaultTags)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &newState)...)
}

// observe reads the cluster, all its node groups and all its profiles. The
// network comes from the state, or, after an import, from AWS.
func (r *Resource) observe(ctx context.Context, o *ops, m clusterModel) (*observed, error) {
	c, err := finder.Cluster(ctx, o.c.EKS, o.name)
	if err != nil {
		return nil, err
	}
	ob := newObserved()
	ob.setCluster(c)
	network, d := networkFromModel(ctx, m)
	if d.HasError() {
		return nil, fmt.Errorf("reading the network from state: %v", d)
	}
	ob.network = network
	if m.Network.IsNull() {
		if err := o.discoverNetwork(ctx, ob); err != nil {
			return nil, err
		}
	}
	ob.roles = roleARNs{node: known(m.NodeRoleARN).ValueString(), podExecution: known(m.PodExecutionRoleARN).ValueString()}
	// A role this resource made and someone deleted shows as gone, so the
	// plan says so and the apply makes it again.
	for _, r := range []struct {
		kind roleKind
		arn  types.String
	}{{clusterRole, m.ClusterRoleARN}, {nodeRole, m.NodeRoleARN}, {podExecutionRole, m.PodExecutionRoleARN}} {
		name := o.roleName(r.kind.kind)
		if !strings.HasSuffix(r.arn.ValueString(), "/"+name) {
			continue // none, or the user's own
		}
		if _, err := o.findOwnedRole(ctx, name); apierr.NotFound(err) {
			ob.goneRoles = append(ob.goneRoles, r.kind.kind)
		} else if err != nil {
			return nil, err
		}
	}

	ngNames, err := finder.Nodegroups(ctx, o.c.EKS, o.name)
	if err != nil {
		return nil, err
	}
	for _, n := range ngNames {
		ng, err := finder.Nodegroup(ctx, o.c.EKS, o.name, n)
		if apierr.NotFound(err) {
			continue // deleted between list and describe
		}
		if err != nil {
			return nil, err
		}
		ob.setNodegroup(n, ng)
	}
	fpNames, err := finder.FargateProfiles(ctx, o.c.EKS, o.name)
	if err != nil {
		return nil, err
	}
	for _, n := range fpNames {
		fp, err := finder.FargateProfile(ctx, o.c.EKS, o.name, n)
		if apierr.NotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		ob.setProfile(n, fp)
	}
	return ob, nil
}

func (r *Resource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior clusterModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	o, d := r.ops(ctx, plan)
	resp.Diagnostics.Append(d...)
	oldNGs, oldFPs, d := specs(ctx, prior)
	resp.Diagnostics.Append(d...)
	newNGs, newFPs, d := specs(ctx, plan)
	resp.Diagnostics.Append(d...)
	oldAccess, d := accessFromModel(ctx, prior)
	resp.Diagnostics.Append(d...)
	newAccess, d := accessFromModel(ctx, plan)
	resp.Diagnostics.Append(d...)
	oldTags, d := expandStringMap(ctx, prior.TagsAll)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	ob, err := r.observe(ctx, o, prior)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Updating EKS cluster %q failed", o.name), "reading the cluster: "+err.Error())
		return
	}
	if err := o.settle(ctx, ob); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Updating EKS cluster %q failed", o.name), err.Error())
		return
	}
	ob.roles.cluster = prior.ClusterRoleARN.ValueString()
	if !plan.NodeRoleARN.IsUnknown() {
		ob.roles.node = plan.NodeRoleARN.ValueString()
	}
	if !plan.PodExecutionRoleARN.IsUnknown() {
		ob.roles.podExecution = plan.PodExecutionRoleARN.ValueString()
	}

	var errs []error
	step := func(err error) bool { errs = append(errs, err); return err == nil }
	ok := step(o.ensureRoles(ctx, ob, len(newNGs) > 0, len(newFPs) > 0))
	if ok && oldAccess.String() != newAccess.String() {
		ok = step(o.updateClusterAccess(ctx, ob, newAccess))
	}
	if ok && !maps.Equal(oldTags, o.tags) {
		ok = step(o.updateTags(ctx, ob, oldTags))
	}
	if ok {
		ok = step(o.changeChildren(ctx, ob, oldNGs, newNGs, oldFPs, newFPs))
	}
	if ok {
		ok = step(o.placeCoreDNS(ctx, ob, coreDNSTarget(plan.CoreDNSComputeType.ValueString(), profilesOf(newFPs))))
	}
	if v := plan.KubernetesVersion.ValueString(); ok && !plan.KubernetesVersion.IsUnknown() && v != prior.KubernetesVersion.ValueString() {
		step(o.upgradeVersion(ctx, ob, v))
	}

	state, d := ob.toModel(context.WithoutCancel(ctx), plan, r.client.DefaultTags)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	if err := errors.Join(errs...); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Updating EKS cluster %q failed", o.name), err.Error()+failureDetail)
	}
}

func (a endpointAccess) String() string {
	return fmt.Sprintf("%v/%v/%v", a.public, a.private, a.publicCIDRs)
}

func (r *Resource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state clusterModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	o, d := r.ops(ctx, state)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Only a cluster whose ARN the state recorded was made (or imported) by
	// this resource; after a create that failed because the name was taken,
	// the cluster under that name belongs to someone else.
	owned := !state.ARN.IsNull() && !state.ARN.IsUnknown()
	if err := o.delete(ctx, owned); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Destroying EKS cluster %q failed", o.name),
			err.Error()+"\n\nWhat was deleted is gone; run `terraform destroy` again to delete the rest.")
	}
}

// delete removes, in EKS's order, Fargate profiles (one at a time) and node
// groups (in parallel), then the cluster, then the roles and the VPC the
// resource created. It lists profiles and node groups from AWS rather than
// the state, so ones left by an interrupted apply go too.
func (o *ops) delete(ctx context.Context, clusterOwned bool) error {
	if clusterOwned {
		if err := o.deleteEKS(ctx); err != nil {
			return err
		}
	}
	// Roles and network depend on nothing left: both at once.
	var wg sync.WaitGroup
	var rolesErr, netErr error
	wg.Add(2)
	go func() { defer wg.Done(); rolesErr = o.deleteOwnedRoles(ctx) }()
	go func() { defer wg.Done(); netErr = o.deleteNetwork(ctx) }()
	wg.Wait()
	return errors.Join(rolesErr, netErr)
}

// deleteEKS deletes the cluster after all its node groups and profiles.
func (o *ops) deleteEKS(ctx context.Context) error {
	if _, err := finder.Cluster(ctx, o.c.EKS, o.name); apierr.NotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	ngs, err := finder.Nodegroups(ctx, o.c.EKS, o.name)
	if err != nil {
		return err
	}
	fps, err := finder.FargateProfiles(ctx, o.c.EKS, o.name)
	if err != nil {
		return err
	}
	// Every existing entry against an empty target: all are removed.
	oldNGs, oldFPs := map[string]nodeGroupSpec{}, map[string]profileSpec{}
	for _, n := range ngs {
		oldNGs[n] = nodeGroupSpec{}
	}
	for _, n := range fps {
		oldFPs[n] = profileSpec{}
	}
	if err := o.changeChildren(ctx, newObserved(), oldNGs, nil, oldFPs, nil); err != nil {
		return err
	}
	return o.deleteCluster(ctx)
}

func (r *Resource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("tags_all"), types.MapNull(types.StringType))...)
}
