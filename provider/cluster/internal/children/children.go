// Package children owns what runs the cluster's pods: managed node groups
// (made, changed and deleted in parallel, as EKS allows) and Fargate
// profiles (one at a time, as EKS requires, each waiting its turn when
// another process holds the cluster's one profile operation). Each change
// deletes before it creates, as a replaced entry keeps its name.
package children

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/launchtemplate"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekswait"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// NodeGroup is what the configuration asks of one node group, in plain
// Go. Zero values of the optional fields mean "EKS's default" (or, in a
// plan, "not known yet").
type NodeGroup struct {
	InstanceTypes                 []string
	DesiredSize, MinSize, MaxSize int64
	CapacityType, AMIType         string
	DiskSize                      int64
	Labels                        map[string]string
	SubnetIDs                     []string // sorted
	Taints                        []Taint
	UpdateConfig                  UpdateConfig
	// LaunchTemplateID is the template the resource made for it ("" for a
	// new node group, or one made before the resource made templates).
	LaunchTemplateID string
}

// Profile is what the configuration asks of one Fargate profile.
type Profile struct {
	Selectors []placement.Selector
	SubnetIDs []string // sorted
}

// Set is the node groups and profiles of a cluster, by name.
type Set struct {
	NodeGroups map[string]NodeGroup
	Profiles   map[string]Profile
}

// Children are the node groups and profiles of one cluster.
type Children struct {
	c      *conns.Client
	name   string
	owner  owned.Owner
	timing conns.Timing
	wait   ekswait.Waiter
	// templates are the node groups' launch templates; ready, those
	// PrepareTemplates made in this operation.
	templates Templates
	mu        sync.Mutex
	ready     map[string]launchtemplate.Template
	// templatesLater leaves deleted node groups' templates to destroy.
	templatesLater bool
	// lastCreate and lastDelete are how long the last Fargate profile
	// create and delete took (profiles go one at a time, so no lock).
	lastCreate, lastDelete time.Duration
}

// Templates makes, reads and deletes the node groups' launch templates
// (package launchtemplate; tests give a fake).
type Templates interface {
	Ensure(ctx context.Context, ng string, diskSize int64) (launchtemplate.Template, error)
	Find(ctx context.Context, ng, version string) (launchtemplate.Template, error)
	Delete(ctx context.Context, ng string) error
}

// SetTemplates replaces the launch templates part.
func (ch *Children) SetTemplates(t Templates) { ch.templates = t }

// New returns the children of the cluster of owner.
func New(c *conns.Client, owner owned.Owner) *Children {
	return &Children{c: c, name: owner.Cluster, owner: owner, timing: c.Timing, wait: ekswait.Waiter{EKS: c.EKS, Timing: c.Timing},
		templates: launchtemplate.New(c, owner)}
}

// Change turns the node groups and profiles from old into new: node groups
// in parallel, profiles one at a time, both lanes at once. Each lane
// deletes before it creates, as a replaced entry keeps its name.
// afterProfiles run in the profiles' lane once they are done, without
// waiting for the node groups.
func (ch *Children) Change(ctx context.Context, ob *observed.Record, old, new Set, afterProfiles ...func() error) error {
	ngChanges, fpChanges := DiffNodeGroups(old.NodeGroups, new.NodeGroups), DiffProfiles(old.Profiles, new.Profiles)
	var wg sync.WaitGroup
	var ngErr, fpErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		if ngErr = ch.deleteNodegroups(ctx, ob, Names(ngChanges, Remove, Replace)); ngErr != nil {
			return
		}
		ngErr = errors.Join(
			ch.updateNodegroups(ctx, ob, old.NodeGroups, new.NodeGroups, Names(ngChanges, Update)),
			ch.createNodegroups(ctx, ob, new.NodeGroups, Names(ngChanges, Create, Replace)))
	}()
	go func() {
		defer wg.Done()
		if fpErr = ch.deleteProfiles(ctx, ob, Names(fpChanges, Remove, Replace)); fpErr != nil {
			return
		}
		if fpErr = ch.createProfiles(ctx, ob, new.Profiles, Names(fpChanges, Create, Replace)); fpErr != nil {
			return
		}
		for _, f := range afterProfiles {
			if fpErr = f(); fpErr != nil {
				return
			}
		}
	}()
	wg.Wait()
	return errors.Join(ngErr, fpErr)
}

// DeleteAllNodegroups deletes every node group of the cluster, listed
// from AWS rather than the state, so ones left by an interrupted apply go too.
func (ch *Children) DeleteAllNodegroups(ctx context.Context) error {
	// Their launch templates go after the control plane (destroy deletes
	// them all then), not before it.
	ch.templatesLater = true
	return ch.deleteAll(ctx, true, false)
}

// DeleteAllProfiles deletes every Fargate profile of the cluster, as
// DeleteAllNodegroups.
func (ch *Children) DeleteAllProfiles(ctx context.Context) error {
	return ch.deleteAll(ctx, false, true)
}

func (ch *Children) deleteAll(ctx context.Context, nodegroups, profiles bool) error {
	// Every existing entry against an empty target: all are removed.
	old := Set{NodeGroups: map[string]NodeGroup{}, Profiles: map[string]Profile{}}
	// A cluster that does not exist has none (destroy lists them while it
	// looks for the cluster).
	if nodegroups {
		ngs, err := finder.Nodegroups(ctx, ch.c.EKS, ch.name)
		if gone(err) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, n := range ngs {
			old.NodeGroups[n] = NodeGroup{}
		}
	}
	if profiles {
		fps, err := finder.FargateProfiles(ctx, ch.c.EKS, ch.name)
		if gone(err) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, n := range fps {
			old.Profiles[n] = Profile{}
		}
	}
	return ch.Change(ctx, observed.New(), old, Set{})
}

// Observe records every node group and profile of the cluster.
func (ch *Children) Observe(ctx context.Context, ob *observed.Record) error {
	// Node groups and profiles at once, and each of them at once: a
	// refresh takes its longest chain of calls, not their sum.
	return parallel([]string{"node groups", "profiles"}, func(kind string) error {
		if kind == "profiles" {
			return ch.observeProfiles(ctx, ob)
		}
		names, err := finder.Nodegroups(ctx, ch.c.EKS, ch.name)
		if err != nil {
			return err
		}
		for n := range ob.Snapshot().Security.LaunchTemplates {
			if !slices.Contains(names, n) {
				forgetTemplate(ob, n)
			}
		}
		return parallel(names, func(n string) error {
			ng, err := finder.Nodegroup(ctx, ch.c.EKS, ch.name, n)
			if apierr.NotFound(err) {
				return nil // deleted between list and describe
			}
			if err != nil {
				return err
			}
			ob.SetNodegroup(n, ng)
			return ch.observeTemplate(ctx, ob, n, ng)
		})
	})
}

func (ch *Children) observeProfiles(ctx context.Context, ob *observed.Record) error {
	names, err := finder.FargateProfiles(ctx, ch.c.EKS, ch.name)
	if err != nil {
		return err
	}
	return parallel(names, func(n string) error {
		fp, err := finder.FargateProfile(ctx, ch.c.EKS, ch.name, n)
		if apierr.NotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		ob.SetProfile(n, fp)
		return nil
	})
}

// Settle waits for what an interrupted or timed-out apply left CREATING or
// UPDATING to become ACTIVE, so an update starts from, and reports, settled
// node groups and profiles.
func (ch *Children) Settle(ctx context.Context, ob *observed.Record) error {
	for name, ng := range ob.Nodegroups() {
		if ng.Status == ekstypes.NodegroupStatusCreating || ng.Status == ekstypes.NodegroupStatusUpdating {
			ng, err := ch.wait.NodegroupActive(ctx, ch.name, name)
			if gone(err) {
				ob.SetNodegroup(name, nil)
				continue
			}
			if err != nil {
				return err
			}
			ob.SetNodegroup(name, ng)
		}
	}
	for name, fp := range ob.Profiles() {
		if fp.Status == ekstypes.FargateProfileStatusCreating {
			fp, err := ch.wait.ProfileActive(ctx, ch.name, name)
			if gone(err) {
				ob.SetProfile(name, nil)
				continue
			}
			if err != nil {
				return err
			}
			ob.SetProfile(name, fp)
		}
	}
	return nil
}

// gone reports that what a settle waited for was deleted meanwhile (by
// another tool, say): nothing is left to settle, and the update makes it
// again if it is configured.
func gone(err error) bool {
	return apierr.NotFound(err) || apierr.IsA[*ekstypes.ResourceNotFoundException](err)
}

// parallel runs f for every name at once and joins the errors: one failing
// node group does not stop the others, so the state records all that exist.
func parallel(names []string, f func(string) error) error {
	var wg sync.WaitGroup
	errs := make([]error, len(names))
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(n)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// sequential runs f for every name in turn, going on after a failure for the
// same reason, and joins the errors.
func sequential(ctx context.Context, names []string, f func(string) error) error {
	var errs []error
	for _, n := range names {
		if ctx.Err() != nil {
			errs = append(errs, fmt.Errorf("not started for %q: %w", n, context.Cause(ctx)))
			continue
		}
		errs = append(errs, f(n))
	}
	return errors.Join(errs...)
}
