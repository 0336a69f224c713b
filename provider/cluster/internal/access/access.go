// Package access owns who may use the cluster: its authentication mode and
// the access entries of the configuration, with their access policy
// associations (https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html).
// An entry the configuration does not name (the creator's, made by EKS when
// bootstrapped) is left alone.
package access

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekswait"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
)

// Entry is an access entry as configured.
type Entry struct {
	PrincipalARN, Type string
	Groups             []string            // sorted
	Policies           map[string][]string // policy name -> namespaces, sorted (none: cluster scope)
}

// Set is the configured entries by name.
type Set map[string]Entry

// Config is the cluster's accessConfig when it is created.
type Config struct {
	Mode                  string
	BootstrapCreatorAdmin bool
}

// CreateOption puts the access configuration in CreateCluster.
func (c Config) CreateOption() func(*eks.CreateClusterInput) {
	return func(in *eks.CreateClusterInput) {
		in.AccessConfig = &ekstypes.CreateAccessConfigRequest{
			AuthenticationMode:                      ekstypes.AuthenticationMode(c.Mode),
			BootstrapClusterCreatorAdminPermissions: aws.Bool(c.BootstrapCreatorAdmin),
		}
	}
}

// Access is the access part of one cluster.
type Access struct {
	c    *conns.Client
	tags func() map[string]string
	name string
	wait ekswait.Waiter
}

// New returns the access part of the cluster of owner.
func New(c *conns.Client, owner owned.Owner) *Access {
	return &Access{c: c, tags: func() map[string]string { return owner.TagsWith(nil) }, name: owner.Cluster,
		wait: ekswait.Waiter{EKS: c.EKS, Timing: c.Timing}}
}

// SetMode changes the authentication mode in place (EKS only moves towards
// API; the plan refuses the rest), waiting for the update. Nothing is sent
// when the cluster has the mode already (an interrupted apply changed it).
func (a *Access) SetMode(ctx context.Context, ob *observed.Record, mode string) error {
	c, err := a.wait.ClusterActive(ctx, a.name)
	if err != nil {
		return err
	}
	var from string
	if c.AccessConfig != nil {
		from = string(c.AccessConfig.AuthenticationMode)
	}
	if from == mode {
		ob.SetCluster(c)
		return nil
	}
	// EKS moves CONFIG_MAP -> API_AND_CONFIG_MAP -> API, a step at a time.
	if from == eksauth.AuthModeConfigMap && mode == eksauth.AuthModeAPI {
		if err := a.SetMode(ctx, ob, eksauth.AuthModeAPIConfigMap); err != nil {
			return err
		}
	}
	out, err := a.c.EKS.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String(a.name),
		AccessConfig: &ekstypes.UpdateAccessConfigRequest{AuthenticationMode: ekstypes.AuthenticationMode(mode)}})
	if err != nil {
		return fmt.Errorf("changing the authentication mode of EKS cluster %q to %s: %w", a.name, mode, err)
	}
	if err := a.wait.Update(ctx, a.name, "", "", out.Update); err != nil {
		return err
	}
	c, err = finder.Cluster(ctx, a.c.EKS, a.name)
	if err != nil {
		return err
	}
	ob.SetCluster(c)
	return nil
}

// Apply makes EKS's entries those of want: entries of old whose principal
// is no longer wanted (or whose type changed) are deleted; wanted ones are
// created, their groups updated, and their policy associations added,
// re-scoped or removed in place, each compared with what EKS has now.
func (a *Access) Apply(ctx context.Context, ob *observed.Record, old, want Set) error {
	wanted := map[string]string{} // principal -> type
	for _, e := range want {
		wanted[e.PrincipalARN] = e.Type
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(old)) {
		o := old[name]
		w, kept := want[name]
		if kept && w.PrincipalARN == o.PrincipalARN && w.Type == o.Type {
			continue
		}
		// An entry still wanted under another name is kept for it.
		if t, ok := wanted[o.PrincipalARN]; !ok || t != o.Type {
			if err := a.delete(ctx, o.PrincipalARN); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if !kept {
			ob.SetAccessEntry(name, nil)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if err := a.ensure(ctx, ob, name, want[name]); err != nil {
			errs = append(errs, fmt.Errorf("access entry %q (%s): %w", name, want[name].PrincipalARN, err))
		}
	}
	return errors.Join(errs...)
}

func (a *Access) delete(ctx context.Context, principal string) error {
	_, err := a.c.EKS.DeleteAccessEntry(ctx, &eks.DeleteAccessEntryInput{ClusterName: aws.String(a.name), PrincipalArn: aws.String(principal)})
	if err != nil && !apierr.IsA[*ekstypes.ResourceNotFoundException](err) {
		return fmt.Errorf("deleting the access entry of %s from EKS cluster %q: %w", principal, a.name, err)
	}
	return nil
}

func (a *Access) ensure(ctx context.Context, ob *observed.Record, name string, e Entry) error {
	have, err := a.read(ctx, e.PrincipalARN)
	if err != nil && !apierr.NotFound(err) {
		return err
	}
	if have != nil && have.Type != e.Type {
		if err := a.delete(ctx, e.PrincipalARN); err != nil {
			return err
		}
		have = nil
	}
	if have == nil {
		_, err := a.c.EKS.CreateAccessEntry(ctx, &eks.CreateAccessEntryInput{ClusterName: aws.String(a.name),
			PrincipalArn: aws.String(e.PrincipalARN), Type: aws.String(e.Type), KubernetesGroups: e.Groups, Tags: a.tags()})
		if err != nil {
			return fmt.Errorf("creating it in EKS cluster %q: %w", a.name, err)
		}
		have = &observed.AccessEntry{PrincipalARN: e.PrincipalARN, Type: e.Type, Groups: e.Groups, Policies: map[string][]string{}}
	} else if !slices.Equal(have.Groups, e.Groups) {
		_, err := a.c.EKS.UpdateAccessEntry(ctx, &eks.UpdateAccessEntryInput{ClusterName: aws.String(a.name),
			PrincipalArn: aws.String(e.PrincipalARN), KubernetesGroups: nonNil(e.Groups)})
		if err != nil {
			return fmt.Errorf("updating its Kubernetes groups: %w", err)
		}
	}
	for _, policy := range slices.Sorted(maps.Keys(e.Policies)) {
		ns, ok := have.Policies[policy]
		if ok && slices.Equal(ns, e.Policies[policy]) {
			continue
		}
		scope := &ekstypes.AccessScope{Type: ekstypes.AccessScopeTypeCluster}
		if len(e.Policies[policy]) > 0 {
			scope = &ekstypes.AccessScope{Type: ekstypes.AccessScopeTypeNamespace, Namespaces: e.Policies[policy]}
		}
		_, err := a.c.EKS.AssociateAccessPolicy(ctx, &eks.AssociateAccessPolicyInput{ClusterName: aws.String(a.name),
			PrincipalArn: aws.String(e.PrincipalARN), PolicyArn: aws.String(eksauth.AccessPolicyARN(policy)), AccessScope: scope})
		if err != nil {
			return fmt.Errorf("associating %s: %w", policy, err)
		}
	}
	for _, policy := range slices.Sorted(maps.Keys(have.Policies)) {
		if _, ok := e.Policies[policy]; ok {
			continue
		}
		_, err := a.c.EKS.DisassociateAccessPolicy(ctx, &eks.DisassociateAccessPolicyInput{ClusterName: aws.String(a.name),
			PrincipalArn: aws.String(e.PrincipalARN), PolicyArn: aws.String(eksauth.AccessPolicyARN(policy))})
		if err != nil && !apierr.IsA[*ekstypes.ResourceNotFoundException](err) {
			return fmt.Errorf("removing %s: %w", policy, err)
		}
	}
	now, err := a.read(ctx, e.PrincipalARN)
	if err != nil {
		return err
	}
	ob.SetAccessEntry(name, now)
	return nil
}

// Observe reads the entries named (name -> principal, from the state); one
// deleted outside Terraform is not recorded, so the plan makes it again.
func (a *Access) Observe(ctx context.Context, ob *observed.Record, names map[string]string) error {
	for name, principal := range names {
		e, err := a.read(ctx, principal)
		if apierr.NotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		ob.SetAccessEntry(name, e)
	}
	return nil
}

// read is the entry of principal and its associations, as EKS has them.
func (a *Access) read(ctx context.Context, principal string) (*observed.AccessEntry, error) {
	e, err := finder.AccessEntry(ctx, a.c.EKS, a.name, principal)
	if err != nil {
		return nil, err
	}
	assoc, err := finder.AssociatedAccessPolicies(ctx, a.c.EKS, a.name, principal)
	if err != nil {
		return nil, err
	}
	out := &observed.AccessEntry{PrincipalARN: principal, Type: aws.ToString(e.Type), Groups: slices.Sorted(slices.Values(e.KubernetesGroups)),
		Policies: map[string][]string{}}
	for _, p := range assoc {
		var ns []string
		if p.AccessScope != nil && p.AccessScope.Type == ekstypes.AccessScopeTypeNamespace {
			ns = slices.Sorted(slices.Values(p.AccessScope.Namespaces))
		}
		out.Policies[eksauth.AccessPolicyName(aws.ToString(p.PolicyArn))] = ns
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
