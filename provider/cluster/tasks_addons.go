package cluster

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/addons"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/incluster"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
)

// The steps of the cluster's add-ons and pod credentials: the IAM OIDC
// provider, the EBS CSI driver's role, the managed add-ons.

// addonsInput is what the add-on steps make: the add-ons as the cluster runs
// them (see desiredAddons), before and after.
type addonsInput struct {
	old, want  addons.Set
	nodeGroups int
}

// coreDNSStep places CoreDNS on target. A managed coredns add-on goes to
// Fargate in the profiles' lane, as soon as they are ACTIVE (the add-ons
// step would wait for the node groups too), and CoreDNS is restarted when
// that does not roll it (before the add-on's wait); to EC2, where a new cluster has it, with the other
// add-ons. A self-managed CoreDNS (not in `addons`) is
// moved by the in-cluster work.
func (r *run) coreDNSStep(ob *observed.Record, target string, want addons.Set) func(context.Context) error {
	a, managed := want[addons.CoreDNS]
	switch {
	case !managed:
		return func(ctx context.Context) error { return r.inCluster.PlaceCoreDNS(ctx, ob, target) }
	case target == incluster.CoreDNSFargate:
		return func(ctx context.Context) error {
			// A CoreDNS the add-on's change does not roll is restarted first:
			// its pods, Pending since the cluster had no compute, then go to
			// the ACTIVE profiles, and the add-on can become ACTIVE (EKS
			// reports it DEGRADED while they cannot run).
			restart, err := r.inCluster.CoreDNSRestart(ctx, ob)
			if err != nil {
				return err
			}
			if err := restart(ctx); err != nil {
				return err
			}
			return r.addons.Apply(ctx, ob, nil, addons.Set{addons.CoreDNS: a}, clusterVersion(ob))
		}
	}
	return func(context.Context) error { return nil }
}

// ensureOIDC makes (on) or deletes (off) the cluster's IAM OIDC provider.
func (r *run) ensureOIDC(ctx context.Context, ob *observed.Record, on bool) error {
	if !on {
		if ob.Snapshot().OIDCProvider == "" {
			return nil
		}
		if err := r.oidc.Delete(ctx); err != nil {
			return err
		}
		ob.SetOIDCProvider("")
		return nil
	}
	arn, err := r.oidc.Ensure(ctx, issuerOf(ob))
	if arn != "" {
		ob.SetOIDCProvider(arn)
	}
	return err
}

// applyAddons gives the add-ons their credentials, then creates, updates
// and deletes them; the EBS CSI driver's credentials go after it.
func (r *run) applyAddons(ctx context.Context, ob *observed.Record, in addonsInput) error {
	want, err := r.addonCredentials(ctx, ob, in.want, in.nodeGroups)
	if err != nil {
		return err
	}
	if err := r.addons.Apply(ctx, ob, in.old, want, clusterVersion(ob)); err != nil {
		return err
	}
	return r.dropEBSCredentials(ctx, ob, in.old, want)
}

// dropEBSCredentials deletes what the resource made for the EBS CSI
// driver's credentials and no longer needs: the Pod Identity association
// when the driver is gone or runs with a role through IRSA, and the role
// when the driver is gone or has the user's role.
func (r *run) dropEBSCredentials(ctx context.Context, ob *observed.Record, old, want addons.Set) error {
	if a, ok := old[addons.EBSCSIDriver]; !ok || a.RoleARN != "" {
		return nil // the resource made none
	}
	w, keep := want[addons.EBSCSIDriver]
	if keep && w.RoleARN == "" {
		return nil // Pod Identity, as before
	}
	if err := r.addons.Disassociate(ctx, addons.EBSCSINamespace, addons.EBSCSIServiceAcct); err != nil {
		return err
	}
	if keep && w.RoleARN == ob.Roles().EBSCSI {
		return nil // IRSA with the role made
	}
	if err := r.roles.Delete(ctx, roles.EBSCSI); err != nil {
		return err
	}
	ob.UpdateRoles(func(ro *observed.Roles) { ro.EBSCSI = "" })
	return nil
}

// addonCredentials makes the EBS CSI driver's IAM role unless the
// configuration names one: trusted through EKS Pod Identity when its
// controller runs on the node groups (the agent add-on is in want, see
// desiredAddons); else through IRSA, passed as its service account role.
func (r *run) addonCredentials(ctx context.Context, ob *observed.Record, want addons.Set, nodeGroups int) (addons.Set, error) {
	a, ok := want[addons.EBSCSIDriver]
	if !ok || a.RoleARN != "" {
		return want, nil
	}
	record := func(arn string) { ob.UpdateRoles(func(ro *observed.Roles) { ro.EBSCSI = arn }) }
	if nodeGroups > 0 {
		arn, err := r.ebsCSIRole(ctx, ob, want, nodeGroups)
		if err != nil {
			return want, err
		}
		return want, r.addons.Associate(ctx, addons.EBSCSINamespace, addons.EBSCSIServiceAcct, arn)
	}
	oidcARN := ob.Snapshot().OIDCProvider
	if oidcARN == "" {
		return want, fmt.Errorf("giving the aws-ebs-csi-driver add-on of EKS cluster %q an IAM role: IRSA needs the cluster's "+
			"IAM OIDC provider; set oidc_provider = true, or give the add-on a service_account_role_arn", r.name)
	}
	arn, err := r.roles.EnsureIRSA(ctx, roles.EBSCSI, oidcARN, issuerOf(ob), addons.EBSCSINamespace, addons.EBSCSIServiceAcct)
	if arn != "" {
		record(arn)
	}
	out := maps.Clone(want)
	a.RoleARN = arn
	out[addons.EBSCSIDriver] = a
	return out, err
}

// ebsCSIRole makes the EBS CSI driver's IAM role trusted through EKS Pod
// Identity, when the driver's controller runs on the node groups and the
// configuration names no role; "" when it needs none. A create makes it
// first thing, so IAM has propagated it by the time the add-on needs it.
func (r *run) ebsCSIRole(ctx context.Context, ob *observed.Record, want addons.Set, nodeGroups int) (string, error) {
	if a, ok := want[addons.EBSCSIDriver]; !ok || a.RoleARN != "" || nodeGroups == 0 {
		return "", nil
	}
	if arn := ob.Roles().EBSCSI; arn != "" && r.madeThisRun(arn) {
		return arn, nil
	}
	arn, err := r.roles.Ensure(ctx, roles.EBSCSI)
	if arn != "" {
		ob.UpdateRoles(func(ro *observed.Roles) { ro.EBSCSI = arn })
		r.made = append(r.made, arn)
	}
	return arn, err
}

func (r *run) madeThisRun(arn string) bool { return slices.Contains(r.made, arn) }

// splitNodeless splits off the add-ons EKS makes ACTIVE with no node to run
// on (DaemonSets: the VPC CNI, kube-proxy), which a create makes as soon as
// the control plane is ACTIVE, alongside the node groups.
func splitNodeless(want addons.Set) (nodeless, others addons.Set) {
	nodeless, others = addons.Set{}, addons.Set{}
	for name, a := range want {
		if name == addons.VPCCNI || name == addons.KubeProxy {
			nodeless[name] = a
		} else {
			others[name] = a
		}
	}
	return nodeless, others
}

func issuerOf(ob *observed.Record) string {
	if c := ob.Cluster(); c != nil && c.Identity != nil && c.Identity.Oidc != nil {
		return aws.ToString(c.Identity.Oidc.Issuer)
	}
	return ""
}

func clusterVersion(ob *observed.Record) string {
	if c := ob.Cluster(); c != nil {
		return aws.ToString(c.Version)
	}
	return ""
}

// warn shows the operation's warnings (e.g. an add-on DEGRADED in a
// cluster with no node group or profile yet).
func warn(d *diag.Diagnostics, ob *observed.Record) {
	for _, w := range ob.Warnings() {
		d.AddWarning(w.Summary, w.Detail)
	}
}
