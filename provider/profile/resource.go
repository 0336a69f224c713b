// Package profile is the fargate_profile resource: one Fargate profile
// added to an EKS cluster that this configuration or another one manages.
// It makes, waits for and deletes the profile the way fargate_cluster does
// (provider/internal/eksops: one profile operation per cluster at a time,
// turns taken across processes), and its plan tells fargate_manifest's
// placement check about the profile before it exists
// (provider/internal/topology).
package profile

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/eksops"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
	"github.com/terrax/terraform-provider-fargate/provider/internal/selectors"
	"github.com/terrax/terraform-provider-fargate/provider/internal/tagging"
)

var (
	_ resource.ResourceWithConfigure   = (*Resource)(nil)
	_ resource.ResourceWithModifyPlan  = (*Resource)(nil)
	_ resource.ResourceWithImportState = (*Resource)(nil)
)

// timeout bounds each operation: EKS makes or deletes a profile in minutes,
// and waiting for the turn on a busy cluster adds a few more.
const timeout = 30 * time.Minute

// Resource is fargate_profile.
type Resource struct{ client *conns.Client }

// NewResource is the constructor the provider registers.
func NewResource() resource.Resource { return &Resource{} }

func (r *Resource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_profile"
}

func (r *Resource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = conns.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan profileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	sels, d := selectors.Expand(ctx, plan.Selectors)
	resp.Diagnostics.Append(d...)
	subnets, d := stringsOf(ctx, plan.SubnetIDs)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cluster, name := plan.Cluster.ValueString(), plan.Name.ValueString()
	failed := fmt.Sprintf("Creating Fargate profile %q of EKS cluster %q failed", name, cluster)
	plan.ID = types.StringValue(idOf(cluster, name))
	o := r.owner(plan)

	// What is made is recorded in the state even when a later step fails
	// (the resource is then tainted and replaced): nothing is leaked.
	save := func() { resp.Diagnostics.Append(resp.State.Set(context.WithoutCancel(ctx), &plan)...) }
	if len(subnets) == 0 {
		var err error
		if subnets, err = r.privateSubnets(ctx, cluster); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("subnet_ids"), failed, err.Error())
			return
		}
	}
	plan.SubnetIDs = stringSet(subnets)
	if plan.PodExecutionRoleARN.IsUnknown() || plan.PodExecutionRoleARN.IsNull() {
		arn, err := r.roles(o).EnsureNamed(ctx, podExecution, o.ProfileRoleName(name))
		plan.PodExecutionRoleARN = types.StringValue(arn)
		if err != nil {
			plan.ARN, plan.Status = types.StringNull(), types.StringNull()
			if arn == "" {
				plan.PodExecutionRoleARN = types.StringNull()
			}
			save()
			resp.Diagnostics.AddAttributeError(path.Root("pod_execution_role_arn"), failed, err.Error())
			return
		}
	}
	in := &eks.CreateFargateProfileInput{
		ClusterName:         aws.String(cluster),
		FargateProfileName:  aws.String(name),
		PodExecutionRoleArn: plan.PodExecutionRoleARN.ValueStringPointer(),
		Subnets:             subnets,
		Selectors:           selectors.ToEKS(sels),
		Tags:                o.Tags,
	}
	var fp *ekstypes.FargateProfile
	err := eksops.CreateProfile(ctx, r.client, in, func(p *ekstypes.FargateProfile) { fp = p })
	plan.ARN, plan.Status = types.StringNull(), types.StringNull()
	if fp != nil {
		plan.ARN, plan.Status = types.StringValue(aws.ToString(fp.FargateProfileArn)), types.StringValue(string(fp.Status))
	}
	save()
	if err != nil {
		resp.Diagnostics.AddError(failed, err.Error())
	}
}

// Update changes only tags: EKS cannot change anything else of a profile,
// and the schema replaces the profile for the rest.
func (r *Resource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state profileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.retag(ctx, state.ARN.ValueString(), r.owner(state).Tags, r.owner(plan).Tags); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("tags"), fmt.Sprintf("Updating the tags of Fargate profile %q failed", plan.Name.ValueString()), err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *Resource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state profileModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cluster, name := state.Cluster.ValueString(), state.Name.ValueString()
	failed := fmt.Sprintf("Deleting Fargate profile %q of EKS cluster %q failed", name, cluster)
	if err := eksops.DeleteProfile(ctx, r.client, cluster, name, func() {}); err != nil {
		resp.Diagnostics.AddError(failed, err.Error()+"\n\nRun `terraform destroy` (or apply) again to finish.")
		return
	}
	// The role goes after the profile that uses it, and only when this
	// resource made it (its name, and the owner tag on it).
	o := r.owner(state)
	if roleName := o.ProfileRoleName(name); madeRole(state.PodExecutionRoleARN.ValueString(), roleName) {
		if err := r.roles(o).DeleteNamed(ctx, roleName); err != nil {
			resp.Diagnostics.AddError(failed, "the profile is gone, its pod execution role is not: "+err.Error())
		}
	}
}

// owner is the cluster of m as the shared role and tag rules see it, with
// the profile's tags (tags over the provider's default_tags).
func (r *Resource) owner(m profileModel) owned.Owner {
	own, _ := stringMap(context.Background(), m.Tags)
	return owned.Owner{Region: r.client.Region, Cluster: m.Cluster.ValueString(), Tags: tagging.Over(r.client.DefaultTags, own)}
}
