package cluster

import (
	"context"

	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/lbcontroller"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
)

// The steps of the AWS Load Balancer Controller (lbcontroller).
const (
	stepLBC    = "AWS Load Balancer Controller"
	stepDelLBC = "remove AWS Load Balancer Controller"
)

// lbcSpec is load_balancer_controller as an apply reads it: rotate when the
// plan leaves the webhook certificate unknown (missing, not matching, or
// expiring soon: see planLBC).
type lbcSpec struct {
	enabled bool
	version string
	rotate  bool
}

func lbcOf(ctx context.Context, m clusterModel) (lbcSpec, diag.Diagnostics) {
	var d diag.Diagnostics
	lm, ok := lbcModelOf(ctx, &m, &d)
	if !ok {
		return lbcSpec{}, d
	}
	return lbcSpec{enabled: lm.Enabled.ValueBool(), version: lm.Version.ValueString(), rotate: lm.CertExpires.IsUnknown()}, d
}

// applyLBC installs, updates or removes the controller, as want says and
// what is there (observed) requires: a controller found missing in part,
// at another version, or with a certificate to replace is installed again.
func (r *run) applyLBC(ctx context.Context, ob *observed.Record, old, want lbcSpec) error {
	have := ob.Snapshot().LoadBalancerController
	switch {
	case want.enabled && (!have.Installed || have.Version != want.version || want.rotate):
		return r.lbc.Install(ctx, ob, lbcontroller.Want{Version: want.version, Rotate: want.rotate})
	case !want.enabled && (old.enabled || have.Installed):
		return r.lbc.Remove(ctx, ob)
	}
	return nil
}

// removeLBC, on destroy, takes the controller out while its pods can still
// run (before node groups and profiles go), so that it deletes the load
// balancers of its Services and Ingresses first.
func (r *run) removeLBC(cluster func() *ekstypes.Cluster) func(context.Context) error {
	return func(ctx context.Context) error {
		c := cluster()
		if !r.withLBC || c == nil || c.Status != ekstypes.ClusterStatusActive {
			return nil
		}
		ob := observed.New()
		ob.SetCluster(c)
		return r.lbc.Remove(ctx, ob)
	}
}

// observeLBC reads the controller when the state has it.
func (r *run) observeLBC(ctx context.Context, ob *observed.Record, m clusterModel) error {
	var d diag.Diagnostics
	lm, ok := lbcModelOf(ctx, &m, &d)
	if !ok || d.HasError() || !lm.Enabled.ValueBool() {
		return nil
	}
	return r.lbc.Observe(ctx, ob, known(lm.RoleARN).ValueString())
}
