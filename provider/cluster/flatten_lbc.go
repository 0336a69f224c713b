package cluster

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
)

// flattenLBC writes the controller as found over m (the plan or prior
// state). A controller configured but found missing (its Deployment, its
// webhook configurations or its role gone) reads as not enabled, so the
// plan installs it again; a certificate that cannot serve reads as none,
// so the plan replaces it.
func flattenLBC(ctx context.Context, ob observed.Snapshot, m *clusterModel) diag.Diagnostics {
	if m.LoadBalancerController.IsUnknown() {
		m.LoadBalancerController = types.ObjectNull(lbcAttrTypes)
	}
	if m.LoadBalancerController.IsNull() {
		return nil
	}
	var lm loadBalancerControllerModel
	diags := m.LoadBalancerController.As(ctx, &lm, objectAsOptions)
	st := ob.LoadBalancerController
	lm.RoleARN, lm.CertExpires = types.StringNull(), types.StringNull()
	if lm.Enabled.ValueBool() {
		lm.Enabled = types.BoolValue(st.Installed)
		if st.Version != "" {
			lm.Version = types.StringValue(st.Version)
		}
		lm.RoleARN = stringOrNull(st.RoleARN)
		if !st.CertExpires.IsZero() {
			lm.CertExpires = types.StringValue(st.CertExpires.UTC().Format(time.RFC3339))
		}
	}
	lm.Enabled, lm.Version = types.BoolValue(lm.Enabled.ValueBool()), known(lm.Version)
	v, d := types.ObjectValueFrom(ctx, lbcAttrTypes, lm)
	diags.Append(d...)
	m.LoadBalancerController = v
	return diags
}
