package cluster

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/lbcontroller"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

var lbcPath = path.Root("load_balancer_controller")

// lbcModelOf reads load_balancer_controller; ok is false when it is null
// or unknown.
func lbcModelOf(ctx context.Context, m *clusterModel, diags *diag.Diagnostics) (lm loadBalancerControllerModel, ok bool) {
	if m == nil || m.LoadBalancerController.IsNull() || m.LoadBalancerController.IsUnknown() {
		return lm, false
	}
	diags.Append(m.LoadBalancerController.As(ctx, &lm, objectAsOptions)...)
	return lm, true
}

// planLBC plans the controller's role and certificate, refuses what cannot
// work (no OIDC provider, nowhere for its pods to run, turning it off while
// Services or Ingresses need it), and returns whether the cluster will have
// it (nil: unknown), for the manifests' checks.
func (r *Resource) planLBC(ctx context.Context, state, plan *clusterModel, nodeGroups int, diags *diag.Diagnostics) *bool {
	off := false
	prior, priorOK := lbcModelOf(ctx, state, diags)
	wasOn := priorOK && prior.Enabled.ValueBool()
	lm, ok := lbcModelOf(ctx, plan, diags)
	switch {
	case plan.LoadBalancerController.IsUnknown() || (ok && lm.Enabled.IsUnknown()):
		return nil
	case !ok || !lm.Enabled.ValueBool():
		if ok {
			lm.RoleARN, lm.CertExpires = types.StringNull(), types.StringNull()
			r.setLBC(ctx, plan, lm, diags)
		}
		if wasOn {
			r.refuseWhileInUse(ctx, state, diags)
		}
		return &off
	}
	on := true
	lm.RoleARN, lm.CertExpires = types.StringUnknown(), types.StringUnknown()
	if wasOn && !prior.RoleARN.IsNull() {
		lm.RoleARN = prior.RoleARN
	}
	if wasOn && certGood(prior.CertExpires, time.Now()) {
		lm.CertExpires = prior.CertExpires
	}
	r.setLBC(ctx, plan, lm, diags)
	if !plan.OIDCProvider.IsUnknown() && !plan.OIDCProvider.ValueBool() {
		diags.AddAttributeError(lbcPath, "The AWS Load Balancer Controller needs the IAM OIDC provider",
			"Its IAM role is trusted through the cluster's IAM OIDC provider (IRSA, which works on Fargate, where EKS Pod Identity does not). "+
				"Set oidc_provider = true, or turn load_balancer_controller off.")
	}
	r.refuseNowhereToRun(ctx, plan, nodeGroups, diags)
	return &on
}

func (r *Resource) setLBC(ctx context.Context, plan *clusterModel, lm loadBalancerControllerModel, diags *diag.Diagnostics) {
	v, d := types.ObjectValueFrom(ctx, lbcAttrTypes, lm)
	diags.Append(d...)
	plan.LoadBalancerController = v
}

// certGood: the state's certificate is known and expires after the
// renewal window.
func certGood(expires types.String, now time.Time) bool {
	if expires.IsNull() || expires.IsUnknown() {
		return false
	}
	t, err := time.Parse(time.RFC3339, expires.ValueString())
	return err == nil && t.Sub(now) > lbcontroller.RenewBefore
}

// refuseNowhereToRun: with no node group, the controller's pods run only
// where a Fargate profile selects them. Profiles others add
// (exclusive_fargate_profiles = false) are not known here, so then nothing
// is concluded.
func (r *Resource) refuseNowhereToRun(ctx context.Context, plan *clusterModel, nodeGroups int, diags *diag.Diagnostics) {
	profiles, known := knownProfiles(ctx, plan)
	if nodeGroups > 0 || !known || placement.Place(profiles, placement.LBCNamespace, lbcontroller.Selector).OnFargate() {
		return
	}
	diags.AddAttributeError(lbcPath, "The AWS Load Balancer Controller has nowhere to run",
		fmt.Sprintf("Its pods (namespace %s, labels app.kubernetes.io/name = app.kubernetes.io/instance = %q) need a node group, or a Fargate "+
			"profile that selects them, and the cluster has neither. Add the selector { namespace = %q } to a Fargate profile in "+
			"fargate_profiles (it also runs CoreDNS on Fargate), or add a node group.", placement.LBCNamespace, placement.LBCName, placement.LBCNamespace))
}

// refuseWhileInUse refuses to turn the controller off while Services,
// Ingresses or TargetGroupBindings of the cluster need it: their load
// balancers or targets would be left behind, and the objects stuck deleting
// (their finalizers wait for the controller).
func (r *Resource) refuseWhileInUse(ctx context.Context, state *clusterModel, diags *diag.Diagnostics) {
	if r.client == nil || state.Endpoint.IsNull() || state.CertificateAuthority.IsNull() {
		return
	}
	kc, err := kubeclient.New(r.client.STS, state.Name.ValueString(), state.Endpoint.ValueString(), state.CertificateAuthority.ValueString())
	var deps []lbcontroller.Dependent
	if err == nil {
		deps, err = lbcontroller.InUse(ctx, kc)
	}
	if err != nil {
		diags.AddAttributeError(lbcPath, "Cannot check what needs the AWS Load Balancer Controller",
			fmt.Sprintf("Turning the controller off is safe only when no Service, Ingress or TargetGroupBinding of the cluster needs it, and reading them from "+
				"EKS cluster %q failed: %v. Try again once the cluster answers.", state.Name.ValueString(), err))
		return
	}
	if len(deps) > 0 {
		diags.AddAttributeError(lbcPath, "The AWS Load Balancer Controller is in use",
			fmt.Sprintf("It serves %s: turned off, it could not delete their load balancers or deregister their targets, and deleting "+
				"them would hang on its finalizers. Delete them first (remove them from your fargate_manifest resources and apply), then "+
				"turn the controller off.",
				lbcontroller.Names(deps)))
	}
}
