package cluster

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
	"github.com/terrax/terraform-provider-fargate/provider/internal/validate"
)

// The cluster's security settings: control plane logs, Secrets encryption
// and Fargate logging. Node group hardening is in nodeGroupHardening.
func securityAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"enabled_log_types": schema.SetAttribute{
			Optional: true, ElementType: types.StringType,
			MarkdownDescription: "Control plane log types EKS sends to CloudWatch Logs, any of `" + strings.Join(eksrules.LogTypes, "`, `") +
				"`. The resource makes their log group `/aws/eks/<name>/cluster` before the cluster (with `log_retention_days` and the " +
				"cluster's tags) and deletes it with the cluster, or when no log type is left. Updated in place.",
			Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(eksrules.LogTypes...))},
		},
		"log_retention_days": retentionDays("How long the control plane log group keeps its logs, in days (default 90). Updated in place."),
		"secrets_encryption": boolDefault(false, "Whether the resource makes a KMS key (rotation on, alias `alias/eks/<name>`) to "+
			"envelope-encrypt Kubernetes Secrets; destroy deletes the alias and schedules the key for deletion after 7 days. "+
			"Conflicts with `secrets_encryption_key_arn`. EKS cannot turn encryption off or change its key: doing so is refused at plan."),
		"secrets_encryption_key_arn": schema.StringAttribute{
			Optional: true, Computed: true,
			MarkdownDescription: "ARN of a symmetric KMS key you bring to envelope-encrypt Kubernetes Secrets (never deleted by the " +
				"resource), or, with `secrets_encryption`, the key the resource made. Set on an existing cluster, it is turned on in " +
				"place (EKS `AssociateEncryptionConfig`); EKS cannot turn it off or change its key, so those changes are refused at plan.",
			Validators:    []validator.String{validate.KMSKeyARN()},
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"fargate_logging": schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: "Logs of Fargate pods to CloudWatch Logs through Fargate's built-in Fluent Bit (EKS user guide, " +
				"\"Start AWS Fargate logging for your cluster\"): the namespace `aws-observability` and its ConfigMap `aws-logging`, " +
				"the log group (made with its retention, deleted with the cluster), and the CloudWatch Logs permissions on the " +
				"Fargate pod execution role the resource makes. A role you bring is checked at apply and a missing permission named.",
			Attributes: map[string]schema.Attribute{
				"enabled": boolDefault(true, "Whether Fargate pods ship their logs. Updated in place."),
				"log_group": schema.StringAttribute{
					Optional: true, Computed: true,
					MarkdownDescription: "Log group of the pods' logs. Defaults to `/aws/eks/<name>/fargate`. Updated in place.",
					Validators:          []validator.String{validate.LogGroupName()},
					PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				},
				"retention_days": retentionDays("How long the log group keeps the pods' logs, in days (default 90). Updated in place."),
			},
		},
	}
}

func retentionDays(desc string) schema.Int64Attribute {
	return schema.Int64Attribute{
		Optional: true, Computed: true, Default: int64default.StaticInt64(eksrules.DefaultLogRetentionDays),
		MarkdownDescription: desc, Validators: []validator.Int64{validate.Retention()},
	}
}

// nodeGroupHardening are the node group attributes of the launch template
// the resource makes for each node group, its taints and update config.
func nodeGroupHardening() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"taints": schema.ListNestedAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Kubernetes taints of the nodes (at most %d): pods without a matching toleration are "+
				"not scheduled there. Updated in place.", eksrules.MaxTaintsPerNodegroup),
			Validators: []validator.List{listvalidator.SizeAtMost(eksrules.MaxTaintsPerNodegroup)},
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"key": schema.StringAttribute{Required: true, MarkdownDescription: "Taint key (a Kubernetes label key).",
					Validators: []validator.String{validate.TaintKey()}},
				"value": schema.StringAttribute{Optional: true, MarkdownDescription: "Taint value (a Kubernetes label value).",
					Validators: []validator.String{validate.TaintValue()}},
				"effect": schema.StringAttribute{Required: true,
					MarkdownDescription: "`" + strings.Join(eksrules.TaintEffects, "`, `") + "`.",
					Validators:          []validator.String{stringvalidator.OneOf(eksrules.TaintEffects...)}},
			}},
		},
		"update_config": schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: "How many nodes a node group update may take down at once: exactly one of `max_unavailable` " +
				"and `max_unavailable_percentage`. Updated in place.",
			Validators: []validator.Object{validate.ExactlyOneOf(map[string]string{
				"max_unavailable":            "a number of nodes",
				"max_unavailable_percentage": "a percentage of the nodes",
			})},
			Attributes: map[string]schema.Attribute{
				"max_unavailable": schema.Int64Attribute{Optional: true, MarkdownDescription: "Nodes (1-100).",
					Validators: []validator.Int64{int64validator.Between(1, 100)}},
				"max_unavailable_percentage": schema.Int64Attribute{Optional: true, MarkdownDescription: "Percent of the nodes (1-100).",
					Validators: []validator.Int64{int64validator.Between(1, 100)}},
			},
		},
		"launch_template_id": computedString("ID of the EC2 launch template the resource made for the node group: IMDSv2 " +
			"required with a hop limit of 2, and an encrypted gp3 root volume of `disk_size` GiB. Deleted with the node group."),
		"launch_template_version": schema.StringAttribute{
			Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			MarkdownDescription: "Version of the launch template the node group runs; a change to `disk_size` makes a new " +
				"version and rolls the nodes onto it in place.",
		},
	}
}

// securityValidators are the rules of the security settings that span attributes.
func securityValidators() []resource.ConfigValidator {
	return []resource.ConfigValidator{oneKeySource{}}
}

// oneKeySource refuses a key brought and a key to make at once.
type oneKeySource struct{}

func (oneKeySource) Description(context.Context) string {
	return "secrets_encryption and secrets_encryption_key_arn cannot both be set"
}
func (v oneKeySource) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (oneKeySource) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var make types.Bool
	var arn types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secrets_encryption"), &make)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secrets_encryption_key_arn"), &arn)...)
	if make.ValueBool() && !arn.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("secrets_encryption_key_arn"), "Two Secrets encryption keys",
			"secrets_encryption = true makes a KMS key and secrets_encryption_key_arn names one you bring: set only one")
	}
}

// nodeGroupsSchema is the node groups' schema with their hardening.
func nodeGroupsSchema() schema.MapNestedAttribute {
	s := nodeGroupsBaseSchema()
	maps.Copy(s.NestedObject.Attributes, nodeGroupHardening())
	return s
}
