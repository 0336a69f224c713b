package cluster

import (
	"context"
	"errors"
	"maps"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/access"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/addons"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/controlplane"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/fargatelogging"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/incluster"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekswait"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
)

// The operations of fargate_cluster as lists of named steps, in EKS's
// order. Each step records what it makes in the observed record at once, so
// the state written after a failure holds every part.

// step is one named task of an operation.
type step struct {
	name string
	run  func(context.Context) error
}

// inOrder runs steps one after the other; the first failure ends it.
func inOrder(ctx context.Context, steps ...step) error {
	for _, s := range steps {
		tflog.Debug(ctx, "fargate_cluster step: "+s.name)
		if err := s.run(ctx); err != nil {
			return err
		}
	}
	return nil
}

// inParallel runs steps at once and joins their errors.
func inParallel(steps ...step) func(context.Context) error {
	return func(ctx context.Context) error {
		errs := make([]error, len(steps))
		var wg sync.WaitGroup
		for i, s := range steps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tflog.Debug(ctx, "fargate_cluster step: "+s.name)
				errs[i] = s.run(ctx)
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	}
}

// createInput is what a create makes.
type createInput struct {
	version  string
	access   controlplane.Access
	want     children.Set
	coreDNS  string // coredns_compute_type
	addons   addons.Set
	oidc     bool
	auth     access.Config
	entries  access.Set
	security securitySpec
}

// create: IAM roles and network (at once) -> control plane -> access entries -> node groups
// (in parallel) alongside Fargate profiles (one at a time) -> CoreDNS ->
// OIDC provider -> add-ons.
func (r *run) create(ctx context.Context, ob *observed.Record, in createInput) error {
	target := incluster.CoreDNSTarget(in.coreDNS, profilesOf(in.want.Profiles))
	placeCoreDNS := r.coreDNSStep(ob, target, in.addons)
	eks := step{"EKS, then CoreDNS to " + target + ", OIDC provider, add-ons", func(ctx context.Context) error {
		ctx = ekswait.Creating(ctx) // the cluster is made now: see createEKS
		first := step{"EKS, then CoreDNS to " + target, func(ctx context.Context) error {
			return inOrder(ctx,
				step{"EKS", func(ctx context.Context) error { return r.createEKS(ctx, ob, in) }},
				step{"CoreDNS to " + target, placeCoreDNS})
		}}
		if target == incluster.CoreDNSFargate {
			// CoreDNS goes to Fargate as soon as the profiles are ACTIVE,
			// while node groups may still be creating.
			first.run = func(ctx context.Context) error {
				return r.createEKS(ctx, ob, in, func() error { return placeCoreDNS(ctx) })
			}
		}
		return inOrder(ctx, first,
			step{"OIDC provider", func(ctx context.Context) error { return r.ensureOIDC(ctx, ob, in.oidc) }},
			step{"add-ons", func(ctx context.Context) error {
				return r.applyAddons(ctx, ob, addonsInput{want: in.addons, nodeGroups: len(in.want.NodeGroups)})
			}},
			step{"Fargate logging", func(ctx context.Context) error {
				return r.applyFargateLogging(ctx, ob, fargatelogging.Spec{}, in.security.fargate)
			}})
	}}
	return inOrder(ctx,
		step{"IAM roles | network", inParallel(
			step{"IAM roles", func(ctx context.Context) error { return r.ensureRoles(ctx, ob, in.want) }},
			step{"network", func(ctx context.Context) error { return r.network.Ensure(ctx, ob.Network(), ob.SetNetwork) }},
			step{"log group | KMS key", func(ctx context.Context) error { return r.prepareSecurity(ctx, ob, in.security) }},
		)},
		eks)
}

// createEKS: control plane -> node groups | profiles (then afterProfiles,
// in the profiles' lane). Once the cluster exists, a failure leaves a
// tainted resource worth resuming rather than replacing, which the errors
// of its waits say (ekswait.Creating).
func (r *run) createEKS(ctx context.Context, ob *observed.Record, in createInput, afterProfiles ...func() error) error {
	ctx = ekswait.Creating(ctx)
	return inOrder(ctx,
		step{"control plane", func(ctx context.Context) error {
			return r.controlPlane.Create(ctx, ob, in.version, in.access, in.auth.CreateOption(), securityOnCreate(ob, in.security))
		}},
		step{"access entries", func(ctx context.Context) error { return r.access.Apply(ctx, ob, nil, in.entries) }},
		step{"node groups | Fargate profiles", func(ctx context.Context) error {
			return r.children.Change(ctx, ob, children.Set{}, in.want, afterProfiles...)
		}})
}

// ensureRoles creates the roles the configuration does not name and the
// cluster needs now.
func (r *run) ensureRoles(ctx context.Context, ob *observed.Record, want children.Set) error {
	have := ob.Roles()
	for _, need := range []struct {
		ok   bool
		kind roles.Kind
		arn  string
		set  func(*observed.Roles, string)
	}{
		{true, roles.Cluster, have.Cluster, func(r *observed.Roles, a string) { r.Cluster = a }},
		{len(want.NodeGroups) > 0, roles.Node, have.Node, func(r *observed.Roles, a string) { r.Node = a }},
		{len(want.Profiles) > 0, roles.PodExecution, have.PodExecution, func(r *observed.Roles, a string) { r.PodExecution = a }},
	} {
		if !need.ok || need.arn != "" {
			continue
		}
		arn, err := r.roles.Ensure(ctx, need.kind)
		if arn != "" {
			ob.UpdateRoles(func(r *observed.Roles) { need.set(r, arn) })
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// updateInput is what an update changes.
type updateInput struct {
	old, new             children.Set
	oldAccess, newAccess controlplane.Access
	oldTags              map[string]string
	coreDNS              string
	version              string // "" when unchanged
	addons               addonsInput
	oidc                 bool
	authMode             string // "" when unchanged
	oldEntries, entries  access.Set
	oldSec, newSec       securitySpec
}

// update: IAM roles -> endpoint access -> authentication mode -> access entries -> tags -> node groups | profiles ->
// CoreDNS -> OIDC provider -> add-ons, or, with a new Kubernetes version,
// control plane -> add-ons -> node groups. Each step runs only when the one
// before succeeded.
func (r *run) update(ctx context.Context, ob *observed.Record, in updateInput) error {
	steps := []step{{"IAM roles", func(ctx context.Context) error { return r.ensureRoles(ctx, ob, in.new) }}}
	if in.oldAccess.String() != in.newAccess.String() {
		steps = append(steps, step{"endpoint access", func(ctx context.Context) error { return r.controlPlane.UpdateAccess(ctx, ob, in.newAccess) }})
	}
	if in.authMode != "" {
		steps = append(steps, step{"authentication mode", func(ctx context.Context) error { return r.access.SetMode(ctx, ob, in.authMode) }})
	}
	steps = append(steps, step{"access entries", func(ctx context.Context) error { return r.access.Apply(ctx, ob, in.oldEntries, in.entries) }},
		step{"control plane logs", func(ctx context.Context) error { return r.updateLogs(ctx, ob, in.oldSec, in.newSec) }},
		step{"Secrets encryption", func(ctx context.Context) error { return r.addEncryption(ctx, ob, in.newSec) }})
	if !maps.Equal(in.oldTags, r.owner.Tags) {
		steps = append(steps, step{"tags", func(ctx context.Context) error { return r.updateTags(ctx, ob, in.oldTags) }})
	}
	steps = append(steps,
		step{"node groups | Fargate profiles", func(ctx context.Context) error { return r.children.Change(ctx, ob, in.old, in.new) }},
		step{"Fargate logging", func(ctx context.Context) error {
			return r.applyFargateLogging(ctx, ob, in.oldSec.fargate, in.newSec.fargate)
		}},
		step{"CoreDNS", r.coreDNSStep(ob, incluster.CoreDNSTarget(in.coreDNS, profilesOf(in.new.Profiles)), in.addons.want)},
		step{"OIDC provider", func(ctx context.Context) error { return r.ensureOIDC(ctx, ob, in.oidc) }})
	addonsStep := step{"add-ons", func(ctx context.Context) error { return r.applyAddons(ctx, ob, in.addons) }}
	if in.version != "" {
		steps = append(steps, step{"Kubernetes version", func(ctx context.Context) error { return r.upgradeVersion(ctx, ob, in.version, addonsStep) }})
	} else {
		steps = append(steps, addonsStep)
	}
	return inOrder(ctx, steps...)
}

// settle: what an interrupted apply left in transition becomes ACTIVE:
// the control plane, then node groups and profiles.
func (r *run) settle(ctx context.Context, ob *observed.Record) error {
	return inOrder(ctx,
		step{"settle control plane", func(ctx context.Context) error { return r.controlPlane.Settle(ctx, ob) }},
		step{"settle node groups and Fargate profiles", func(ctx context.Context) error { return r.children.Settle(ctx, ob) }})
}

// upgradeVersion: control plane, then the steps between (the add-ons, which
// follow the control plane's version), then every node group, as EKS
// requires (nodes may not be newer than the control plane).
func (r *run) upgradeVersion(ctx context.Context, ob *observed.Record, version string, between ...step) error {
	steps := []step{{"upgrade control plane", func(ctx context.Context) error { return r.controlPlane.UpgradeVersion(ctx, ob, version) }}}
	steps = append(steps, between...)
	return inOrder(ctx, append(steps,
		step{"upgrade node groups", func(ctx context.Context) error { return r.children.UpgradeNodegroups(ctx, ob, version) }})...)
}

// updateTags: EKS objects -> IAM roles -> OIDC provider -> VPC parts -> read
// the cluster back.
func (r *run) updateTags(ctx context.Context, ob *observed.Record, old map[string]string) error {
	return inOrder(ctx,
		step{"tag EKS objects", func(ctx context.Context) error { return r.controlPlane.UpdateTags(ctx, ob, old) }},
		step{"tag IAM roles", func(ctx context.Context) error { return r.roles.UpdateTags(ctx, old) }},
		step{"tag OIDC provider", func(ctx context.Context) error { return r.oidc.UpdateTags(ctx, old) }},
		step{"tag log groups, KMS key, launch templates", func(ctx context.Context) error { return r.tagSecurity(ctx, ob, old) }},
		step{"tag network", func(ctx context.Context) error { return r.network.UpdateTags(ctx, old) }},
		step{"read control plane", func(ctx context.Context) error { return r.controlPlane.Refresh(ctx, ob) }})
}

// destroy: Fargate profiles (one at a time) | node groups -> control plane
// (EKS deletes its add-ons and Pod Identity associations) -> IAM roles |
// OIDC provider | network. Children are listed from AWS rather than the
// state, so ones left by an interrupted apply go too. Only a cluster this
// resource made (clusterOwned) is deleted.
func (r *run) destroy(ctx context.Context, clusterOwned bool) error {
	var steps []step
	if clusterOwned {
		steps = append(steps, step{"EKS", r.deleteEKS})
	}
	// Roles and network depend on nothing left: both at once.
	steps = append(steps, step{"IAM roles | OIDC provider | network", inParallel(
		step{"IAM roles", r.roles.DeleteAll},
		step{"OIDC provider", r.oidc.Delete},
		step{"network", r.network.Delete},
		step{"log groups | KMS key", r.destroySecurity},
	)})
	return inOrder(ctx, steps...)
}

// deleteEKS deletes the cluster after all its node groups and profiles.
func (r *run) deleteEKS(ctx context.Context) error {
	if _, err := r.controlPlane.Find(ctx); err != nil {
		return ignoreNotFound(err)
	}
	return inOrder(ctx,
		step{"delete node groups | Fargate profiles", r.children.DeleteAll},
		step{"delete control plane", r.controlPlane.Delete})
}
