// Package addons owns the cluster's EKS managed add-ons: it creates,
// updates (version, configuration, service account role) and deletes them,
// resolves the version EKS installs by default for the cluster's
// Kubernetes version, and makes Pod Identity associations for the
// credentials of an add-on's pods.
package addons

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekswait"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// Names of the add-ons the provider knows something about.
const (
	VPCCNI            = "vpc-cni"
	KubeProxy         = "kube-proxy"
	CoreDNS           = "coredns"
	EBSCSIDriver      = placement.EBSCSIDriverAddon
	PodIdentityAgent  = "eks-pod-identity-agent"
	EBSCSINamespace   = "kube-system"
	EBSCSIServiceAcct = "ebs-csi-controller-sa"
)

// Defaults are the add-ons EKS installs in every cluster, managed by the
// resource when `addons` is not set.
var Defaults = []string{VPCCNI, KubeProxy, CoreDNS}

// Addon is one add-on as configured; "" means EKS's default (Version: the
// default for the cluster's Kubernetes version).
type Addon struct {
	Version, Config, RoleARN string
}

// Set is the add-ons of a cluster, by name.
type Set map[string]Addon

// Addons makes and deletes the add-ons of one cluster.
type Addons struct {
	c       *conns.Client
	cluster string
	tags    map[string]string
	updates ekswait.Waiter
	// grace is how long an add-on may stay DEGRADED (degradedGrace).
	grace time.Duration
	mu    sync.Mutex
	// defaults caches DefaultVersion by "name@version".
	defaults map[string]string
}

// New returns the add-ons of the cluster of owner.
func New(c *conns.Client, owner owned.Owner) *Addons {
	return &Addons{c: c, cluster: owner.Cluster, tags: owner.Tags, updates: ekswait.Waiter{EKS: c.EKS, Timing: c.Timing}, grace: degradedGrace, defaults: map[string]string{}}
}

// Observe records every add-on of the cluster.
func (p *Addons) Observe(ctx context.Context, ob *observed.Record) error {
	names, err := finder.Addons(ctx, p.c.EKS, p.cluster)
	if err != nil {
		return err
	}
	// Each at once: a refresh takes its longest chain of calls.
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := finder.Addon(ctx, p.c.EKS, p.cluster, n)
			if apierr.NotFound(err) {
				return // deleted since the list
			}
			if errs[i] = err; err == nil {
				ob.SetAddon(n, a)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Apply brings the add-ons from old to want: each of want is created or
// updated in place, all at once (EKS orders nothing between them, and each
// may be CREATING for a minute), then each of old not in want is deleted.
// A Version of "" is the default for k8s, the cluster's Kubernetes version.
func (p *Addons) Apply(ctx context.Context, ob *observed.Record, old, want Set, k8s string) error {
	names := slices.Sorted(maps.Keys(want))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.ensure(ctx, ob, name, want[name], k8s)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(old)) {
		if _, keep := want[name]; keep {
			continue
		}
		if err := p.delete(ctx, ob, name); err != nil {
			return err
		}
	}
	return nil
}

func (p *Addons) ensure(ctx context.Context, ob *observed.Record, name string, want Addon, k8s string) error {
	cur, err := finder.Addon(ctx, p.c.EKS, p.cluster, name)
	switch {
	case apierr.NotFound(err):
		// Without a version, EKS installs its default for the cluster.
		return p.create(ctx, ob, name, want)
	case err != nil:
		return err
	case cur.Status != ekstypes.AddonStatusActive:
		// Left in transition by an interrupted apply: settle first.
		if cur, err = p.waitActive(ctx, ob, name); err != nil {
			record(ob, name, cur, err)
			return err
		}
	}
	ob.SetAddon(name, cur)
	if want.Version == "" {
		v, err := p.DefaultVersion(ctx, name, k8s)
		if err != nil {
			return err
		}
		want.Version = v
	}
	in, changed := updateInput(p.cluster, name, cur, want)
	if !changed {
		return nil
	}
	out, err := p.c.EKS.UpdateAddon(ctx, in)
	if err != nil {
		return fmt.Errorf("updating the %s add-on of EKS cluster %q (version %s): %w", name, p.cluster, want.Version, err)
	}
	if err := p.updates.Update(ctx, p.cluster, "", name, out.Update); err != nil {
		return err
	}
	return p.settled(ctx, ob, name)
}

// updateInput is the UpdateAddon call that turns cur into want, and
// whether anything differs.
func updateInput(cluster, name string, cur *ekstypes.Addon, want Addon) (*eks.UpdateAddonInput, bool) {
	in := &eks.UpdateAddonInput{ClusterName: aws.String(cluster), AddonName: aws.String(name), ResolveConflicts: ekstypes.ResolveConflictsOverwrite}
	changed := false
	if aws.ToString(cur.AddonVersion) != want.Version {
		in.AddonVersion, changed = aws.String(want.Version), true
	}
	if !SameJSON(aws.ToString(cur.ConfigurationValues), want.Config) {
		cfg := want.Config
		if cfg == "" {
			cfg = "{}" // EKS's way to go back to the add-on's defaults
		}
		in.ConfigurationValues, changed = aws.String(cfg), true
	}
	if aws.ToString(cur.ServiceAccountRoleArn) != want.RoleARN {
		in.ServiceAccountRoleArn, changed = aws.String(want.RoleARN), true
	}
	return in, changed
}

func (p *Addons) create(ctx context.Context, ob *observed.Record, name string, want Addon) error {
	in := &eks.CreateAddonInput{
		ClusterName: aws.String(p.cluster), AddonName: aws.String(name),
		// EKS installed vpc-cni, kube-proxy and CoreDNS itself: the managed
		// add-on takes them over.
		ResolveConflicts: ekstypes.ResolveConflictsOverwrite, Tags: p.tags,
	}
	if want.Version != "" {
		in.AddonVersion = aws.String(want.Version)
	}
	if want.Config != "" {
		in.ConfigurationValues = aws.String(want.Config)
	}
	if want.RoleARN != "" {
		in.ServiceAccountRoleArn = aws.String(want.RoleARN)
	}
	out, err := p.c.EKS.CreateAddon(ctx, in)
	if err != nil && !apierr.IsA[*ekstypes.ResourceInUseException](err) { // made by a lost response: wait for it
		return fmt.Errorf("creating the %s add-on (version %q) of EKS cluster %q: %w", name, want.Version, p.cluster, err)
	}
	if out != nil {
		ob.SetAddon(name, out.Addon)
		if out.Addon != nil && out.Addon.Status == ekstypes.AddonStatusActive {
			return nil // EKS's answer says so: no poll
		}
	}
	return p.settled(ctx, ob, name)
}

func (p *Addons) delete(ctx context.Context, ob *observed.Record, name string) error {
	_, err := p.c.EKS.DeleteAddon(ctx, &eks.DeleteAddonInput{ClusterName: aws.String(p.cluster), AddonName: aws.String(name)})
	if err != nil && !apierr.IsA[*ekstypes.ResourceNotFoundException](err) {
		return fmt.Errorf("deleting the %s add-on of EKS cluster %q: %w", name, p.cluster, err)
	}
	if err := p.waitDeleted(ctx, name); err != nil {
		return err
	}
	ob.SetAddon(name, nil)
	return nil
}

// Disassociate deletes the Pod Identity association of namespace/sa, if any.
func (p *Addons) Disassociate(ctx context.Context, namespace, sa string) error {
	cur, err := finder.PodIdentityAssociation(ctx, p.c.EKS, p.cluster, namespace, sa)
	if apierr.NotFound(err) {
		return nil
	}
	if err == nil {
		_, err = p.c.EKS.DeletePodIdentityAssociation(ctx, &eks.DeletePodIdentityAssociationInput{ClusterName: aws.String(p.cluster), AssociationId: cur.AssociationId})
	}
	if err != nil && !apierr.IsA[*ekstypes.ResourceNotFoundException](err) {
		return fmt.Errorf("deleting the Pod Identity association of %s/%s in EKS cluster %q: %w", namespace, sa, p.cluster, err)
	}
	return nil
}

// Associate gives the service account namespace/sa the role roleARN
// through EKS Pod Identity (the eks-pod-identity-agent add-on hands out its
// credentials).
func (p *Addons) Associate(ctx context.Context, namespace, sa, roleARN string) error {
	cur, err := finder.PodIdentityAssociation(ctx, p.c.EKS, p.cluster, namespace, sa)
	if err != nil && !apierr.NotFound(err) {
		return err
	}
	// A role made a moment ago is refused until IAM has propagated it.
	err = wait.Retry(ctx, p.c.Timing.Propagation, roles.Propagating, func(ctx context.Context) (err error) {
		switch {
		case cur == nil:
			_, err = p.c.EKS.CreatePodIdentityAssociation(ctx, &eks.CreatePodIdentityAssociationInput{
				ClusterName: aws.String(p.cluster), Namespace: aws.String(namespace), ServiceAccount: aws.String(sa),
				RoleArn: aws.String(roleARN), Tags: p.tags,
			})
		case aws.ToString(cur.RoleArn) != roleARN:
			_, err = p.c.EKS.UpdatePodIdentityAssociation(ctx, &eks.UpdatePodIdentityAssociationInput{
				ClusterName: aws.String(p.cluster), AssociationId: cur.AssociationId, RoleArn: aws.String(roleARN),
			})
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("giving %s/%s of EKS cluster %q the IAM role %s through Pod Identity: %w", namespace, sa, p.cluster, roleARN, err)
	}
	return nil
}
