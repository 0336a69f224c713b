package cluster

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
)

// planSecurity plans the computed security settings and refuses what EKS
// cannot do to an existing cluster: turn Secrets encryption off, or change
// its key. Adding it to a cluster made without is done in place
// (AssociateEncryptionConfig), as terraform-provider-aws does.
func planSecurity(ctx context.Context, config clusterModel, state *clusterModel, plan *clusterModel, diags *diag.Diagnostics) {
	// The key: the one brought, the one made (known once made), or none.
	switch {
	case !config.SecretsEncryptionKeyARN.IsNull():
		plan.SecretsEncryptionKeyARN = config.SecretsEncryptionKeyARN
	case plan.SecretsEncryption.ValueBool() && state != nil && state.SecretsEncryption.ValueBool() && !state.SecretsEncryptionKeyARN.IsNull():
		plan.SecretsEncryptionKeyARN = state.SecretsEncryptionKeyARN
	case plan.SecretsEncryption.ValueBool() || plan.SecretsEncryption.IsUnknown():
		plan.SecretsEncryptionKeyARN = types.StringUnknown()
	default:
		plan.SecretsEncryptionKeyARN = types.StringNull()
	}
	planFargateLogGroup(ctx, state, plan, diags)
	if state == nil || state.ARN.IsNull() {
		return // no cluster yet: anything goes
	}
	// What the user guide says of envelope encryption: "After you enable
	// secrets encryption, you can't disable it. This action is
	// irreversible." (Encrypt Kubernetes secrets with KMS on existing
	// clusters); nor can the key be changed.
	had := !state.SecretsEncryptionKeyARN.IsNull()
	wants := plan.SecretsEncryption.ValueBool() || !config.SecretsEncryptionKeyARN.IsNull()
	at := path.Root("secrets_encryption_key_arn")
	if state.SecretsEncryption.ValueBool() {
		at = path.Root("secrets_encryption")
	}
	switch {
	case plan.SecretsEncryption.IsUnknown() || config.SecretsEncryptionKeyARN.IsUnknown():
	case had && !wants:
		diags.AddAttributeError(at, "Secrets encryption cannot be turned off",
			"EKS cannot turn off envelope encryption of Kubernetes Secrets once a cluster has it (\"This action is irreversible\"). "+
				"Keep "+at.String()+" as it is, or replace the cluster (change its name) to have one without encryption.")
	case had && (plan.SecretsEncryption.ValueBool() != state.SecretsEncryption.ValueBool() ||
		(!config.SecretsEncryptionKeyARN.IsNull() && config.SecretsEncryptionKeyARN.ValueString() != state.SecretsEncryptionKeyARN.ValueString())):
		diags.AddAttributeError(at, "Secrets encryption key cannot change",
			"EKS cannot change the KMS key that encrypts a cluster's Secrets (it was "+state.SecretsEncryptionKeyARN.ValueString()+
				"). Keep it, or replace the cluster (change its name) to use another key.")
	case !had && wants:
		diags.AddAttributeWarning(at, "Secrets encryption cannot be undone",
			"This apply turns on envelope encryption of the cluster's Kubernetes Secrets (EKS AssociateEncryptionConfig). "+
				"EKS cannot turn it off or change its key afterwards.")
	}
}

// planFargateLogGroup plans fargate_logging.log_group: the configured
// name, the state's, or the default /aws/eks/<name>/fargate.
func planFargateLogGroup(ctx context.Context, state *clusterModel, plan *clusterModel, diags *diag.Diagnostics) {
	if plan.FargateLogging.IsNull() || plan.FargateLogging.IsUnknown() {
		return
	}
	var fl fargateLoggingModel
	diags.Append(plan.FargateLogging.As(ctx, &fl, objectAsOptions)...)
	if !fl.LogGroup.IsUnknown() || plan.Name.IsUnknown() {
		return
	}
	fl.LogGroup = types.StringValue(eksrules.FargateLogGroup(plan.Name.ValueString()))
	if state != nil && !state.FargateLogging.IsNull() {
		var prior fargateLoggingModel
		diags.Append(state.FargateLogging.As(ctx, &prior, objectAsOptions)...)
		if !prior.LogGroup.IsNull() {
			fl.LogGroup = prior.LogGroup
		}
	}
	v, d := types.ObjectValueFrom(ctx, fargateLoggingAttrTypes, fl)
	diags.Append(d...)
	plan.FargateLogging = v
}

// markRolled plans a new launch template version for node groups whose
// disk size changes in place.
func markRolled(ctx context.Context, m, config types.Map, old, planned map[string]children.NodeGroup, diags *diag.Diagnostics) types.Map {
	var rolled []string
	for name, p := range planned {
		if o, ok := old[name]; ok && children.DiskSizeRolls(o, p) {
			rolled = append(rolled, name)
		}
	}
	return markNew(ctx, m, config, nodeGroupObject, rolled, func(p *nodeGroupModel, _ nodeGroupModel) {
		p.LaunchTemplateVersion = types.StringUnknown()
	}, diags)
}
