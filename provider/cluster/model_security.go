package cluster

import "github.com/hashicorp/terraform-plugin-framework/types"

// securityModel is the security settings of clusterModel (embedded).
type securityModel struct {
	EnabledLogTypes         types.Set    `tfsdk:"enabled_log_types"`
	LogRetentionDays        types.Int64  `tfsdk:"log_retention_days"`
	SecretsEncryption       types.Bool   `tfsdk:"secrets_encryption"`
	SecretsEncryptionKeyARN types.String `tfsdk:"secrets_encryption_key_arn"`
	FargateLogging          types.Object `tfsdk:"fargate_logging"`
}

type fargateLoggingModel struct {
	Enabled       types.Bool   `tfsdk:"enabled"`
	LogGroup      types.String `tfsdk:"log_group"`
	RetentionDays types.Int64  `tfsdk:"retention_days"`
}

// nodeGroupHardeningModel is the hardening of nodeGroupModel (embedded).
type nodeGroupHardeningModel struct {
	Taints                types.List   `tfsdk:"taints"`
	UpdateConfig          types.Object `tfsdk:"update_config"`
	LaunchTemplateID      types.String `tfsdk:"launch_template_id"`
	LaunchTemplateVersion types.String `tfsdk:"launch_template_version"`
}

type taintModel struct {
	Key    types.String `tfsdk:"key"`
	Value  types.String `tfsdk:"value"`
	Effect types.String `tfsdk:"effect"`
}

type updateConfigModel struct {
	MaxUnavailable           types.Int64 `tfsdk:"max_unavailable"`
	MaxUnavailablePercentage types.Int64 `tfsdk:"max_unavailable_percentage"`
}

var (
	fargateLoggingAttrTypes = securityAttributes()["fargate_logging"].GetType().(types.ObjectType).AttrTypes
	taintObject             = nodeGroupHardening()["taints"].GetType().(types.ListType).ElemType.(types.ObjectType)
	updateConfigAttrTypes   = nodeGroupHardening()["update_config"].GetType().(types.ObjectType).AttrTypes
)
