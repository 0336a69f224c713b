package cluster

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/fargatelogging"
	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
)

// securitySpec is what the security settings of a model ask for.
type securitySpec struct {
	logTypes     []string // sorted; none: no control plane logs, no log group
	logRetention int64
	makeKey      bool   // secrets_encryption
	keyARN       string // the key the user brings
	fargate      fargatelogging.Spec
}

func securityOf(ctx context.Context, m clusterModel) (securitySpec, diag.Diagnostics) {
	var s securitySpec
	var diags diag.Diagnostics
	s.logTypes, diags = expandStrings(ctx, m.EnabledLogTypes, true)
	s.logRetention = int64OrDefault(m.LogRetentionDays.ValueInt64(), eksrules.DefaultLogRetentionDays)
	s.makeKey = m.SecretsEncryption.ValueBool()
	if !s.makeKey {
		s.keyARN = known(m.SecretsEncryptionKeyARN).ValueString()
	}
	s.fargate, diags = fargateLoggingOf(ctx, m, diags)
	return s, diags
}

// fargateLoggingOf reads fargate_logging; enabled unless it says otherwise.
func fargateLoggingOf(ctx context.Context, m clusterModel, diags diag.Diagnostics) (fargatelogging.Spec, diag.Diagnostics) {
	var s fargatelogging.Spec
	if m.FargateLogging.IsNull() || m.FargateLogging.IsUnknown() {
		return s, diags
	}
	var fl fargateLoggingModel
	diags.Append(m.FargateLogging.As(ctx, &fl, objectAsOptions)...)
	if !fl.Enabled.IsNull() && !fl.Enabled.IsUnknown() && !fl.Enabled.ValueBool() {
		return s, diags
	}
	s.LogGroup = known(fl.LogGroup).ValueString()
	if s.LogGroup == "" {
		s.LogGroup = eksrules.FargateLogGroup(m.Name.ValueString())
	}
	s.Retention = int64OrDefault(fl.RetentionDays.ValueInt64(), eksrules.DefaultLogRetentionDays)
	return s, diags
}

func int64OrDefault(v, def int64) int64 {
	if v == 0 {
		return def
	}
	return v
}

// fargateLogGroupOf is the Fargate log group of a model ("" when none), for
// destroy: the one named even when logging is off (or its ConfigMap gone).
func fargateLogGroupOf(ctx context.Context, m clusterModel) string {
	if m.FargateLogging.IsNull() || m.FargateLogging.IsUnknown() {
		return ""
	}
	var fl fargateLoggingModel
	if m.FargateLogging.As(ctx, &fl, objectAsOptions).HasError() || fl.LogGroup.IsUnknown() {
		return ""
	}
	if g := fl.LogGroup.ValueString(); g != "" {
		return g
	}
	return eksrules.FargateLogGroup(m.Name.ValueString())
}
