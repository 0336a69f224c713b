package children

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/launchtemplate"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// Node group hardening: the launch template the resource makes for each
// node group (see package launchtemplate), its taints and update config.

// Taint is one node group taint, in EKS's spelling (effect NO_SCHEDULE, ...).
type Taint struct{ Key, Value, Effect string }

// UpdateConfig bounds the nodes an update takes down at once; at most one
// field is set (zero: EKS's default, one node).
type UpdateConfig struct{ MaxUnavailable, MaxUnavailablePercentage int64 }

func (u UpdateConfig) eks() *ekstypes.NodegroupUpdateConfig {
	switch {
	case u.MaxUnavailable > 0:
		return &ekstypes.NodegroupUpdateConfig{MaxUnavailable: aws.Int32(int32(u.MaxUnavailable))}
	case u.MaxUnavailablePercentage > 0:
		return &ekstypes.NodegroupUpdateConfig{MaxUnavailablePercentage: aws.Int32(int32(u.MaxUnavailablePercentage))}
	}
	return nil
}

func eksTaints(ts []Taint) []ekstypes.Taint {
	var out []ekstypes.Taint
	for _, t := range ts {
		out = append(out, ekstypes.Taint{Key: aws.String(t.Key), Value: aws.String(t.Value), Effect: ekstypes.TaintEffect(t.Effect)})
	}
	return out
}

// hardeningChanged reports an in-place change of taints, update config or
// (for a node group on the resource's launch template) disk size.
func hardeningChanged(old, p NodeGroup) bool {
	return !slices.Equal(old.Taints, p.Taints) || (p.UpdateConfig != UpdateConfig{} && old.UpdateConfig != p.UpdateConfig) ||
		DiskSizeRolls(old, p)
}

// DiskSizeRolls reports a new disk size for a node group on the resource's
// launch template, which gets a new template version; one made before
// (EKS's own disk size) is replaced.
func DiskSizeRolls(old, p NodeGroup) bool {
	return old.LaunchTemplateID != "" && p.DiskSize != 0 && old.DiskSize != p.DiskSize
}

// withHardening puts the launch template, taints and update config into a
// new node group's request; EKS refuses diskSize beside a launch template.
func (ch *Children) withHardening(ctx context.Context, ob *observed.Record, name string, s NodeGroup, in *eks.CreateNodegroupInput) error {
	tpl, ok := ch.prepared(name, s.DiskSize)
	if !ok {
		var err error
		if tpl, err = ch.templates.Ensure(ctx, name, s.DiskSize); err != nil {
			return err
		}
	}
	recordTemplate(ob, name, tpl)
	in.LaunchTemplate = &ekstypes.LaunchTemplateSpecification{Id: aws.String(tpl.ID), Version: aws.String(tpl.Version)}
	in.DiskSize = nil
	in.Taints = eksTaints(s.Taints)
	in.UpdateConfig = s.UpdateConfig.eks()
	return nil
}

func recordTemplate(ob *observed.Record, name string, tpl launchtemplate.Template) {
	ob.UpdateSecurity(func(sec *observed.Security) {
		sec.LaunchTemplates[name] = observed.LaunchTemplate{ID: tpl.ID, Version: tpl.Version, DiskSize: tpl.DiskSize}
	})
}

func forgetTemplate(ob *observed.Record, name string) {
	ob.UpdateSecurity(func(sec *observed.Security) { delete(sec.LaunchTemplates, name) })
}

// configHardening adds taint and update config changes to a node group's
// config update.
func configHardening(in *eks.UpdateNodegroupConfigInput, old, s NodeGroup) {
	if !slices.Equal(old.Taints, s.Taints) {
		p := &ekstypes.UpdateTaintsPayload{AddOrUpdateTaints: eksTaints(s.Taints)}
		for _, t := range old.Taints {
			if !slices.ContainsFunc(s.Taints, func(n Taint) bool { return n.Key == t.Key && n.Effect == t.Effect }) {
				p.RemoveTaints = append(p.RemoveTaints, eksTaints([]Taint{t})...)
			}
		}
		in.Taints = p
	}
	if s.UpdateConfig != (UpdateConfig{}) && old.UpdateConfig != s.UpdateConfig {
		in.UpdateConfig = s.UpdateConfig.eks()
	}
}

// rollTemplate makes the new template version and moves the node group
// onto it (UpdateNodegroupVersion with launchTemplate), in place.
func (ch *Children) rollTemplate(ctx context.Context, ob *observed.Record, name string, s NodeGroup) error {
	tpl, err := ch.templates.Ensure(ctx, name, s.DiskSize)
	if err != nil {
		return err
	}
	if _, err := ch.wait.NodegroupActive(ctx, ch.name, name); err != nil {
		return err
	}
	out, err := ch.c.EKS.UpdateNodegroupVersion(ctx, &eks.UpdateNodegroupVersionInput{
		ClusterName: aws.String(ch.name), NodegroupName: aws.String(name),
		LaunchTemplate: &ekstypes.LaunchTemplateSpecification{Id: aws.String(tpl.ID), Version: aws.String(tpl.Version)},
	})
	if err != nil {
		return fmt.Errorf("moving node group %q of EKS cluster %q to version %s of launch template %s: %w", name, ch.name, tpl.Version, tpl.ID, err)
	}
	if err := ch.finishNodegroupUpdate(ctx, ob, name, out.Update); err != nil {
		return err
	}
	recordTemplate(ob, name, tpl)
	return nil
}

// observeTemplate records the template version node group ng runs, when
// the resource made it. One recorded already (from the state, by
// KnownTemplate) is not read again while ng runs it: a launch template
// version never changes.
func (ch *Children) observeTemplate(ctx context.Context, ob *observed.Record, name string, ng *ekstypes.Nodegroup) error {
	known, ok := ob.Snapshot().Security.LaunchTemplates[name]
	if ng.LaunchTemplate == nil || ng.LaunchTemplate.Version == nil {
		forgetTemplate(ob, name)
		return nil
	}
	if ok && known.ID == aws.ToString(ng.LaunchTemplate.Id) && known.Version == aws.ToString(ng.LaunchTemplate.Version) {
		return nil
	}
	tpl, err := ch.templates.Find(ctx, name, aws.ToString(ng.LaunchTemplate.Version))
	if apierr.NotFound(err) {
		forgetTemplate(ob, name)
		return nil // not one the resource made
	}
	if err != nil {
		return err
	}
	recordTemplate(ob, name, tpl)
	return nil
}

// KnownTemplate records the launch template version node group name ran
// when the state was last read, so that Observe reads only what changed.
func KnownTemplate(ob *observed.Record, name, id, version string, diskSize int64) {
	if id != "" && version != "" {
		recordTemplate(ob, name, launchtemplate.Template{ID: id, Version: version, DiskSize: diskSize})
	}
}

// PrepareTemplates makes the launch templates of the node groups want
// before they can be created (while the control plane is), so that
// creating each is then one call.
func (ch *Children) PrepareTemplates(ctx context.Context, ob *observed.Record, want map[string]NodeGroup) error {
	return parallel(slices.Sorted(maps.Keys(want)), func(name string) error {
		tpl, err := ch.templates.Ensure(ctx, name, want[name].DiskSize)
		if err != nil {
			return err
		}
		recordTemplate(ob, name, tpl)
		ch.mu.Lock()
		defer ch.mu.Unlock()
		if ch.ready == nil {
			ch.ready = map[string]launchtemplate.Template{}
		}
		ch.ready[name] = tpl
		return nil
	})
}

// prepared is the template PrepareTemplates made for node group name, if it
// has the disk size wanted.
func (ch *Children) prepared(name string, diskSize int64) (launchtemplate.Template, bool) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	tpl, ok := ch.ready[name]
	return tpl, ok && tpl.DiskSize == cmp.Or(diskSize, launchtemplate.DefaultDiskSize)
}
