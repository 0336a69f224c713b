package cluster

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/controlplane"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
)

// flattenSecurity writes the observed security settings over m (the plan
// or prior state). A log group deleted outside Terraform leaves its
// retention null, so the plan shows it and the apply makes it again.
func flattenSecurity(ctx context.Context, ob observed.Snapshot, m *clusterModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if m.LogRetentionDays.IsUnknown() || m.LogRetentionDays.IsNull() {
		m.LogRetentionDays = types.Int64Value(eksrules.DefaultLogRetentionDays) // after an import
	}
	if m.SecretsEncryption.IsUnknown() || m.SecretsEncryption.IsNull() {
		// After an import: the cluster's key is the one the resource made.
		made := false
		if c := ob.Cluster; c != nil && ob.Security.MadeKey != "" {
			for _, e := range c.EncryptionConfig {
				made = made || (e.Provider != nil && aws.ToString(e.Provider.KeyArn) == ob.Security.MadeKey)
			}
		}
		m.SecretsEncryption = types.BoolValue(made)
	}
	m.SecretsEncryptionKeyARN = known(m.SecretsEncryptionKeyARN)
	if c := ob.Cluster; c != nil {
		types := controlplane.EnabledLogTypes(c)
		if len(types) > 0 || !m.EnabledLogTypes.IsNull() {
			m.EnabledLogTypes = stringSetOf(types)
		}
		if len(types) > 0 {
			m.LogRetentionDays = int64OrNull(ob.Security.LogRetention)
		}
		m.SecretsEncryptionKeyARN = stringOrNull("")
		for _, e := range c.EncryptionConfig {
			if e.Provider != nil {
				m.SecretsEncryptionKeyARN = stringOrNull(aws.ToString(e.Provider.KeyArn))
			}
		}
	} else if m.SecretsEncryption.ValueBool() {
		m.SecretsEncryptionKeyARN = stringOrNull(ob.Security.MadeKey) // made, the cluster not yet
	}
	if m.FargateLogging.IsNull() || m.FargateLogging.IsUnknown() {
		if m.FargateLogging.IsUnknown() {
			m.FargateLogging = types.ObjectNull(fargateLoggingAttrTypes)
		}
		return diags
	}
	var fl fargateLoggingModel
	diags.Append(m.FargateLogging.As(ctx, &fl, objectAsOptions)...)
	if fl.Enabled.IsNull() || fl.Enabled.IsUnknown() {
		fl.Enabled = types.BoolValue(true)
	}
	fl.LogGroup, fl.RetentionDays = known(fl.LogGroup), knownInt64(fl.RetentionDays)
	if fl.Enabled.ValueBool() {
		// What is missing (the ConfigMap, the group) shows as drift.
		fl.LogGroup = orKnown(ob.Security.FargateLogGroup, fl.LogGroup)
		fl.RetentionDays = int64OrNull(ob.Security.FargateLogRetention)
		fl.Enabled = types.BoolValue(ob.Security.FargateConfigMap)
	}
	var d diag.Diagnostics
	m.FargateLogging, d = types.ObjectValueFrom(ctx, fargateLoggingAttrTypes, fl)
	diags.Append(d...)
	return diags
}

func int64OrNull(v int64) types.Int64 {
	if v == 0 {
		return types.Int64Null()
	}
	return types.Int64Value(v)
}

func knownInt64(v types.Int64) types.Int64 {
	if v.IsUnknown() {
		return types.Int64Null()
	}
	return v
}
