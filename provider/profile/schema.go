package profile

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/selectors"
	"github.com/terrax/terraform-provider-fargate/provider/internal/tagging"
	"github.com/terrax/terraform-provider-fargate/provider/internal/validate"
)

func (r *Resource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := stringplanmodifier.UseStateForUnknown()
	resp.Schema = schema.Schema{
		MarkdownDescription: "One Fargate profile added to an EKS cluster that this configuration or another one manages, " +
			"for a team or an application that brings its own profile (and its workloads, with `fargate_manifest`) to a " +
			"shared cluster. EKS runs one profile operation per cluster at a time: the resource waits its turn, across " +
			"Terraform processes too, as `fargate_cluster` does. EKS cannot change a profile, so changing anything but " +
			"`tags` replaces it.\n\n" +
			"When the cluster is a `fargate_cluster`, set its `exclusive_fargate_profiles = false`, or it deletes this " +
			"profile on its next apply.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "`<cluster>:<name>`, also the import ID.",
				PlanModifiers: []planmodifier.String{keep},
			},
			"cluster": schema.StringAttribute{
				Required: true, MarkdownDescription: "Name of the EKS cluster (as in `fargate_manifest`). Changing it replaces the profile.",
				Validators:    []validator.String{validate.ClusterName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				Required: true, MarkdownDescription: "Name of the Fargate profile (not starting with `eks-`). Changing it replaces the profile.",
				Validators:    []validator.String{validate.FargateProfileName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"selectors": selectors.Attribute(selectors.RequiresReplace()),
			"subnet_ids": schema.SetAttribute{
				Optional: true, Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Private subnets for the profile's pods. Defaults to the cluster's private subnets (those " +
					"of its subnets without a route to an internet gateway). Changing them replaces the profile.",
				Validators:    []validator.Set{setvalidator.SizeAtLeast(1)},
				PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown(), setplanmodifier.RequiresReplace()},
			},
			"pod_execution_role_arn": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Fargate pod execution role. When not given, the resource creates one (trust " +
					"`eks-fargate-pods.amazonaws.com`, limited to this cluster's profiles; `AmazonEKSFargatePodExecutionRolePolicy`) " +
					"and deletes it with the profile. Changing it replaces the profile.",
				Validators: []validator.String{validate.RoleARN()},
				PlanModifiers: []planmodifier.String{keep, stringplanmodifier.RequiresReplaceIf(
					func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
						// Only a role the user names can change; one the resource made stays put.
						resp.RequiresReplace = !req.ConfigValue.IsNull()
					}, "Changing the role replaces the profile.", "Changing the role replaces the profile.")},
			},
			"tags": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Tags of the profile (merged over the provider's `default_tags`) and of the role the resource makes. Updated in place.",
				Validators:          validate.Tags(),
			},
			"tags_all": tagging.AllAttribute(),
			"arn": schema.StringAttribute{
				Computed: true, MarkdownDescription: "ARN of the Fargate profile.",
				PlanModifiers: []planmodifier.String{keep},
			},
			"status": schema.StringAttribute{
				Computed: true, MarkdownDescription: "Status of the Fargate profile, e.g. `ACTIVE`.",
				PlanModifiers: []planmodifier.String{keep},
			},
		},
	}
}
