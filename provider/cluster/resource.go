// Package cluster implements the fargate_cluster resource: an EKS cluster
// with its IAM roles, optionally its VPC, its managed node groups and its
// Fargate profiles, in one resource.
package cluster

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekswait"
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
	r.client = conns.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *Resource) run(ctx context.Context, m clusterModel) (*run, diag.Diagnostics) {
	tags, diags := expandStringMap(ctx, m.TagsAll)
	op := newRun(r.client, m.Name.ValueString(), tags)
	op.fargateLogGroup = fargateLogGroupOf(ctx, m)
	lbc, d := lbcOf(ctx, m)
	diags.Append(d...)
	op.withLBC = lbc.enabled
	return op, diags
}

// updateFailureDetail is added to every update error: what state holds and how
// to go on.
const updateFailureDetail = "\n\nEverything created so far is recorded in the Terraform state, so nothing is leaked: run `terraform apply` again to continue."

// createFailureDetail is added to every create error. Terraform records a
// resource whose create failed as tainted and would replace it (deleting
// what was built); untainting it resumes instead.
const createFailureDetail = "\n\nEverything created so far is recorded in the Terraform state, so nothing is leaked; " + ekswait.Resume + "."

// noClusterFailureDetail is added instead when the cluster was never made:
// the replacement then deletes only roles and network, made again at once.
const noClusterFailureDetail = "\n\nEverything created so far is recorded in the Terraform state, so nothing is leaked: " +
	"run `terraform apply` again; it deletes what was built and creates the cluster anew."

func (r *Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan clusterModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	op, d := r.run(ctx, plan)
	resp.Diagnostics.Append(d...)
	want, d := specs(ctx, plan)
	resp.Diagnostics.Append(d...)
	net, d := networkFromModel(ctx, plan)
	resp.Diagnostics.Append(d...)
	access, d := accessFromModel(ctx, plan)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	ob := observed.New()
	ob.SetNetwork(net)
	ob.UpdateRoles(func(ro *observed.Roles) {
		*ro = observed.Roles{Cluster: plan.ClusterRoleARN.ValueString(), Node: plan.NodeRoleARN.ValueString(), PodExecution: plan.PodExecutionRoleARN.ValueString()}
	})
	as, d := addonsOf(ctx, plan, want)
	resp.Diagnostics.Append(d...)
	entries, d := expandAccessEntries(ctx, plan.AccessEntries)
	resp.Diagnostics.Append(d...)
	sec, d := securityOf(ctx, plan)
	resp.Diagnostics.Append(d...)
	lbc, d := lbcOf(ctx, plan)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := op.create(ctx, ob, createInput{
		version: plan.KubernetesVersion.ValueString(), access: access, want: want, coreDNS: plan.CoreDNSComputeType.ValueString(),
		addons: as, oidc: plan.OIDCProvider.ValueBool(), auth: accessConfigOf(plan), entries: entries, security: sec, lbc: lbc,
	})

	state, d := toModel(context.WithoutCancel(ctx), ob.Snapshot(), plan, r.client.DefaultTags)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	detail := createFailureDetail
	if ob.Cluster() == nil {
		// The cluster was never made; an EKS cluster under this name (say,
		// the one that made creation fail) is not this resource's to read
		// or delete.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateNoCluster, []byte(`true`))...)
		detail = noClusterFailureDetail
	}
	warn(&resp.Diagnostics, ob)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Creating EKS cluster %q failed", op.name), err.Error()+detail)
	}
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
	op, d := r.run(ctx, plan)
	resp.Diagnostics.Append(d...)
	in := updateInput{coreDNS: plan.CoreDNSComputeType.ValueString()}
	in.old, d = specs(ctx, prior)
	resp.Diagnostics.Append(d...)
	in.new, d = specs(ctx, plan)
	resp.Diagnostics.Append(d...)
	in.oldAccess, d = accessFromModel(ctx, prior)
	resp.Diagnostics.Append(d...)
	in.newAccess, d = accessFromModel(ctx, plan)
	resp.Diagnostics.Append(d...)
	in.oldTags, d = expandStringMap(ctx, prior.TagsAll)
	resp.Diagnostics.Append(d...)
	in.addons.old, d = addonsOf(ctx, prior, in.old)
	resp.Diagnostics.Append(d...)
	in.addons.want, d = addonsOf(ctx, plan, in.new)
	resp.Diagnostics.Append(d...)
	in.addons.nodeGroups, in.oidc = len(in.new.NodeGroups), plan.OIDCProvider.ValueBool()
	in.oldEntries, d = expandAccessEntries(ctx, prior.AccessEntries)
	resp.Diagnostics.Append(d...)
	in.entries, d = expandAccessEntries(ctx, plan.AccessEntries)
	resp.Diagnostics.Append(d...)
	if m := plan.AuthenticationMode.ValueString(); m != prior.AuthenticationMode.ValueString() {
		in.authMode = m
	}
	in.oldSec, d = securityOf(ctx, prior)
	resp.Diagnostics.Append(d...)
	in.newSec, d = securityOf(ctx, plan)
	resp.Diagnostics.Append(d...)
	in.oldLBC, d = lbcOf(ctx, prior)
	resp.Diagnostics.Append(d...)
	in.lbc, d = lbcOf(ctx, plan)
	resp.Diagnostics.Append(d...)
	if v := plan.KubernetesVersion.ValueString(); !plan.KubernetesVersion.IsUnknown() && v != prior.KubernetesVersion.ValueString() {
		in.version = v
	}
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	failed := fmt.Sprintf("Updating EKS cluster %q failed", op.name)
	ob, err := op.observe(ctx, prior)
	if err != nil {
		resp.Diagnostics.AddError(failed, "reading the cluster: "+err.Error())
		return
	}
	leaveForeignInUpdate(ob, op.owner, plan, &in.old)
	if err := op.settle(ctx, ob); err != nil {
		resp.Diagnostics.AddError(failed, err.Error())
		return
	}
	ob.UpdateRoles(func(ro *observed.Roles) {
		ro.Cluster = prior.ClusterRoleARN.ValueString()
		if !plan.NodeRoleARN.IsUnknown() {
			ro.Node = plan.NodeRoleARN.ValueString()
		}
		if !plan.PodExecutionRoleARN.IsUnknown() {
			ro.PodExecution = plan.PodExecutionRoleARN.ValueString()
		}
	})
	err = op.update(ctx, ob, in)

	state, d := toModel(context.WithoutCancel(ctx), ob.Snapshot(), plan, r.client.DefaultTags)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	warn(&resp.Diagnostics, ob)
	if err != nil {
		resp.Diagnostics.AddError(failed, err.Error()+updateFailureDetail)
	}
}

func (r *Resource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state clusterModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	op, d := r.run(ctx, state)
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
	if err := op.destroy(ctx, owned); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Destroying EKS cluster %q failed", op.name),
			err.Error()+"\n\nWhat was deleted is gone; run `terraform destroy` again to delete the rest.")
	}
}
