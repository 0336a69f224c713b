package profile

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"github.com/terrax/terraform-provider-fargate/provider/internal/selectors"
	"github.com/terrax/terraform-provider-fargate/provider/internal/tagging"
)

// Read refreshes the profile from EKS: one deleted outside Terraform (or
// being deleted, or whose cluster is gone) leaves the state, so the next
// plan makes it again.
func (r *Resource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state profileModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cluster, name := state.Cluster.ValueString(), state.Name.ValueString()
	fp, err := finder.FargateProfile(ctx, r.client.EKS, cluster, name)
	if apierr.NotFound(err) || (err == nil && fp.Status == ekstypes.FargateProfileStatusDeleting) {
		resp.Diagnostics.AddWarning(fmt.Sprintf("Fargate profile %q of EKS cluster %q is gone", name, cluster),
			"It no longer exists in AWS (deleted outside Terraform, or with its cluster), so it was removed from the Terraform state; the next apply creates it again.")
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Reading Fargate profile %q of EKS cluster %q failed", name, cluster), err.Error())
		return
	}
	resp.Diagnostics.Append(r.flatten(ctx, fp, &state)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// flatten sets m from the profile as EKS has it (tags: package tagging).
func (r *Resource) flatten(ctx context.Context, fp *ekstypes.FargateProfile, m *profileModel) (diags diag.Diagnostics) {
	m.ID = types.StringValue(idOf(aws.ToString(fp.ClusterName), aws.ToString(fp.FargateProfileName)))
	m.Cluster, m.Name = types.StringValue(aws.ToString(fp.ClusterName)), types.StringValue(aws.ToString(fp.FargateProfileName))
	sels, d := selectors.Flatten(ctx, fp.Selectors)
	diags.Append(d...)
	m.Selectors = sels
	m.SubnetIDs = stringSet(fp.Subnets)
	m.PodExecutionRoleARN = types.StringValue(aws.ToString(fp.PodExecutionRoleArn))
	m.ARN, m.Status = types.StringValue(aws.ToString(fp.FargateProfileArn)), types.StringValue(string(fp.Status))
	m.TagsAll, m.Tags = tagging.Flatten(ctx, fp.Tags, m.Tags, r.client.DefaultTags)
	return diags
}

// ImportState takes "<cluster>:<name>".
func (r *Resource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	cluster, name, ok := strings.Cut(req.ID, ":")
	if !ok || cluster == "" || name == "" || strings.Contains(name, ":") {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("want <cluster>:<name>, e.g. terrax-fargate:team-a; got %q", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("cluster"), cluster)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}
