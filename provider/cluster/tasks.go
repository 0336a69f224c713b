package cluster

import (
	"context"
	"maps"
	"slices"

	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
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
	lbc      lbcSpec
}

// The steps of a create, by name.
const (
	stepClusterRole  = "cluster IAM role"
	stepChildRoles   = "node and pod execution IAM roles"
	stepSubnets      = "VPC and subnets"
	stepNATRoute     = "NAT gateway and private route"
	stepControlPlane = "control plane"
	stepNodeGroups   = "node groups"
	stepTemplates    = "node groups' launch templates"
	stepDNSProfiles  = "CoreDNS's Fargate profiles"
	stepProfiles     = "Fargate profiles"
	stepCoreDNS      = "CoreDNS"
	stepOIDC         = "OIDC provider"
	stepAddonRoles   = "add-ons' IAM roles"
	stepNodeless     = "add-ons that need no node"
	stepAddons       = "add-ons"
	stepSecurity     = "log group and KMS key"
	stepAccess       = "access entries"
	stepFargateLogs  = "Fargate logging"
)

// create, each step as soon as what EKS and EC2 require of it is done:
//
//	cluster IAM role, VPC and subnets, log group and KMS key -> control plane
//	  (meanwhile: node and pod execution roles; NAT gateway and private route)
//	control plane -> access entries
//	access entries -> the Fargate profiles selecting CoreDNS -> CoreDNS (to
//	  Fargate), while the other Fargate profiles follow (one at a time)
//	access entries, NAT route, launch templates -> node groups (in parallel)
//	control plane -> OIDC provider, add-ons that need no node
//	node groups, profiles, CoreDNS, OIDC provider, add-ons' roles -> the
//	  other add-ons -> Fargate logging
//	node groups, profiles, CoreDNS, OIDC provider, add-ons that need no node
//	  -> the AWS Load Balancer Controller
//
// CoreDNS to EC2 waits for the node groups too.
func (r *run) create(ctx context.Context, ob *observed.Record, in createInput) error {
	target := incluster.CoreDNSTarget(in.coreDNS, profilesOf(in.want.Profiles))
	nodeless, others := splitNodeless(in.addons)
	coreDNSNeeds := needs(stepDNSProfiles, stepNATRoute)
	if target != incluster.CoreDNSFargate {
		coreDNSNeeds = needs(stepProfiles, stepNATRoute, stepNodeGroups)
	}
	// CoreDNS on Fargate needs only a profile that selects its pods: those
	// go first, so CoreDNS starts while the other profiles are created.
	dnsProfiles, otherProfiles := splitProfiles(in.want.Profiles, incluster.CoreDNSProfiles(profilesOf(in.want.Profiles)))
	// Once the cluster exists, a failure leaves a tainted resource worth
	// resuming rather than replacing, which the errors of its waits say.
	made := func(f func(context.Context) error) func(context.Context) error {
		return func(ctx context.Context) error { return f(ekswait.Creating(ctx)) }
	}
	return graph(ctx,
		task{stepClusterRole, nil, func(ctx context.Context) error { return r.ensureRoles(ctx, ob, in.want, roles.Cluster) }},
		task{stepChildRoles, nil, func(ctx context.Context) error {
			return r.ensureRoles(ctx, ob, in.want, roles.Node, roles.PodExecution)
		}},
		task{stepSubnets, nil, func(ctx context.Context) error { return r.network.Ensure(ctx, ob.Network(), ob.SetNetwork) }},
		task{stepNATRoute, needs(stepSubnets), func(ctx context.Context) error { return r.network.Route(ctx, ob.Network(), ob.SetNetwork) }},
		task{stepSecurity, nil, func(ctx context.Context) error { return r.prepareSecurity(ctx, ob, in.security) }},
		task{stepControlPlane, needs(stepClusterRole, stepSubnets, stepSecurity), made(func(ctx context.Context) error {
			return r.controlPlane.Create(ctx, ob, in.version, in.access, in.auth.CreateOption(), securityOnCreate(ob, in.security))
		})},
		task{stepAccess, needs(stepControlPlane), made(func(ctx context.Context) error { return r.access.Apply(ctx, ob, nil, in.entries) })},
		task{stepTemplates, nil, func(ctx context.Context) error { return r.children.PrepareTemplates(ctx, ob, in.want.NodeGroups) }},
		task{stepNodeGroups, needs(stepAccess, stepChildRoles, stepNATRoute, stepTemplates), made(func(ctx context.Context) error {
			return r.children.Change(ctx, ob, children.Set{}, children.Set{NodeGroups: in.want.NodeGroups})
		})},
		task{stepDNSProfiles, needs(stepAccess, stepChildRoles), made(func(ctx context.Context) error {
			return r.children.Change(ctx, ob, children.Set{}, children.Set{Profiles: dnsProfiles})
		})},
		task{stepProfiles, needs(stepDNSProfiles), made(func(ctx context.Context) error {
			return r.children.Change(ctx, ob, children.Set{}, children.Set{Profiles: otherProfiles})
		})},
		task{stepCoreDNS, coreDNSNeeds, made(r.coreDNSStep(ob, target, in.addons))},
		task{stepOIDC, needs(stepControlPlane), made(func(ctx context.Context) error { return r.ensureOIDC(ctx, ob, in.oidc) })},
		task{stepAddonRoles, nil, func(ctx context.Context) error {
			_, err := r.ebsCSIRole(ctx, ob, in.addons, len(in.want.NodeGroups))
			return err
		}},
		task{stepNodeless, needs(stepControlPlane), made(func(ctx context.Context) error {
			return r.addons.Apply(ctx, ob, nil, nodeless, clusterVersion(ob))
		})},
		task{stepAddons, needs(stepNodeGroups, stepProfiles, stepCoreDNS, stepOIDC, stepAddonRoles), made(func(ctx context.Context) error {
			return r.applyAddons(ctx, ob, addonsInput{want: others, nodeGroups: len(in.want.NodeGroups)})
		})},
		task{stepFargateLogs, needs(stepAddons), made(func(ctx context.Context) error {
			return r.applyFargateLogging(ctx, ob, fargatelogging.Spec{}, in.security.fargate)
		})},
		task{stepLBC, needs(stepOIDC, stepNodeGroups, stepProfiles, stepCoreDNS, stepNodeless), made(func(ctx context.Context) error {
			return r.applyLBC(ctx, ob, lbcSpec{}, in.lbc)
		})},
	)
}

// splitProfiles splits profiles into the named ones and the others.
func splitProfiles(profiles map[string]children.Profile, names []string) (named, others map[string]children.Profile) {
	named, others = map[string]children.Profile{}, map[string]children.Profile{}
	for n, p := range profiles {
		if slices.Contains(names, n) {
			named[n] = p
		} else {
			others[n] = p
		}
	}
	return named, others
}

// ensureRoles creates the roles of kinds (all when none is given) that the
// configuration does not name and the cluster needs now.
func (r *run) ensureRoles(ctx context.Context, ob *observed.Record, want children.Set, kinds ...roles.Kind) error {
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
		if !need.ok || need.arn != "" || (len(kinds) > 0 && !slices.ContainsFunc(kinds, func(k roles.Kind) bool { return k.Name == need.kind.Name })) {
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
	oldLBC, lbc          lbcSpec
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
	steps = append(steps, step{stepLBC, func(ctx context.Context) error { return r.applyLBC(ctx, ob, in.oldLBC, in.lbc) }})
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

// The steps of a destroy, by name.
const (
	stepFindCluster   = "find the cluster"
	stepDelNodeGroups = "delete node groups"
	stepDelProfiles   = "delete Fargate profiles"
	stepDelNAT        = "delete NAT gateway and route tables"
	stepDelCluster    = "delete control plane"
	stepDelRoles      = "delete IAM roles"
	stepDelOIDC       = "delete OIDC provider"
	stepDelNetwork    = "delete network"
	stepDelSecurity   = "delete log groups, launch templates, KMS key"
)

// destroy, each step as soon as EKS and EC2 allow:
//
//	the AWS Load Balancer Controller (its Services' and Ingresses' load
//	  balancers first) -> node groups, Fargate profiles
//	node groups (in parallel) -> NAT gateway, its elastic IP, route tables
//	node groups, Fargate profiles (one at a time) -> control plane
//	  (EKS deletes its add-ons and Pod Identity associations)
//	control plane -> IAM roles | OIDC provider | log groups, launch
//	  templates, KMS key
//	control plane, NAT gateway -> network (subnets once EKS releases its
//	  network interfaces, then the VPC)
//
// Children are listed from AWS rather than the state, so ones left by an
// interrupted apply go too. Only a cluster this resource made
// (clusterOwned) is deleted; the network it made goes in any case.
func (r *run) destroy(ctx context.Context, clusterOwned bool) error {
	exists := false
	var found *ekstypes.Cluster
	eks := func(f func(context.Context) error) func(context.Context) error {
		return func(ctx context.Context) error {
			if !exists {
				return nil
			}
			return f(ctx)
		}
	}
	// The children are listed while the cluster is looked for: a missing
	// cluster has none.
	owned := func(f func(context.Context) error) func(context.Context) error {
		return func(ctx context.Context) error {
			if !clusterOwned {
				return nil
			}
			return f(ctx)
		}
	}
	// The AWS Load Balancer Controller, when the state has it, goes before
	// the compute its pods run on, and its load balancers before it.
	var afterLBC []string
	if r.withLBC {
		afterLBC = needs(stepDelLBC)
	}
	return graph(ctx,
		task{stepFindCluster, nil, func(ctx context.Context) error {
			if !clusterOwned {
				return nil
			}
			c, err := r.controlPlane.Find(ctx)
			exists, found = err == nil, c
			return ignoreNotFound(err)
		}},
		task{stepDelLBC, needs(stepFindCluster), eks(r.removeLBC(func() *ekstypes.Cluster { return found }))},
		task{stepDelNodeGroups, afterLBC, owned(r.children.DeleteAllNodegroups)},
		task{stepDelProfiles, afterLBC, owned(r.children.DeleteAllProfiles)},
		task{stepDelNAT, needs(stepDelNodeGroups), r.network.DeleteNAT},
		task{stepDelCluster, needs(stepFindCluster, stepDelNodeGroups, stepDelProfiles), eks(r.controlPlane.Delete)},
		task{stepDelRoles, needs(stepDelCluster), r.roles.DeleteAll},
		task{stepDelOIDC, needs(stepDelCluster), r.oidc.Delete},
		task{stepDelNetwork, needs(stepDelCluster, stepDelNAT), r.network.Delete},
		task{stepDelSecurity, needs(stepDelCluster), r.destroySecurity},
	)
}
