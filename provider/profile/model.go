package profile

import (
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// profileModel is the resource's Terraform data.
type profileModel struct {
	ID                  types.String `tfsdk:"id"`
	Cluster             types.String `tfsdk:"cluster"`
	Name                types.String `tfsdk:"name"`
	Selectors           types.List   `tfsdk:"selectors"`
	SubnetIDs           types.Set    `tfsdk:"subnet_ids"`
	PodExecutionRoleARN types.String `tfsdk:"pod_execution_role_arn"`
	Tags                types.Map    `tfsdk:"tags"`
	TagsAll             types.Map    `tfsdk:"tags_all"`
	ARN                 types.String `tfsdk:"arn"`
	Status              types.String `tfsdk:"status"`
}

// idOf is the resource's ID and import ID.
func idOf(cluster, name string) string { return cluster + ":" + name }
