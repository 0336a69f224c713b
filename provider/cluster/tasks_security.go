package cluster

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/controlplane"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/fargatelogging"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
)

// The steps of the security settings: the control plane's log group and
// the Secrets key before the cluster (EKS would make the log group itself,
// with no expiry and none of the cluster's tags), logging and encryption in
// CreateCluster, Fargate logging once the profiles (and so the pod
// execution role) exist; on destroy, after the cluster, its log groups and
// key.

// prepareSecurity: control plane log group | KMS key.
func (r *run) prepareSecurity(ctx context.Context, ob *observed.Record, s securitySpec) error {
	var tasks []task
	if len(s.logTypes) > 0 {
		tasks = append(tasks, task{"control plane log group", nil, func(ctx context.Context) error { return r.ensureClusterLogGroup(ctx, ob, s) }})
	}
	if s.makeKey {
		tasks = append(tasks, task{"Secrets KMS key", nil, func(ctx context.Context) error {
			arn, err := r.key.Ensure(ctx)
			if arn != "" {
				ob.UpdateSecurity(func(sec *observed.Security) { sec.MadeKey = arn })
			}
			return err
		}})
	}
	return graph(ctx, tasks...)
}

func (r *run) ensureClusterLogGroup(ctx context.Context, ob *observed.Record, s securitySpec) error {
	if err := r.logs.Ensure(ctx, eksrules.ClusterLogGroup(r.name), s.logRetention); err != nil {
		return err
	}
	ob.UpdateSecurity(func(sec *observed.Security) { sec.LogRetention = s.logRetention })
	return nil
}

// securityOnCreate puts logging and encryption into CreateCluster.
func securityOnCreate(ob *observed.Record, s securitySpec) func(*eks.CreateClusterInput) {
	return func(in *eks.CreateClusterInput) {
		if len(s.logTypes) > 0 {
			in.Logging = controlplane.Logging(s.logTypes)
		}
		key := s.keyARN
		if s.makeKey {
			key = ob.Snapshot().Security.MadeKey
		}
		if key != "" {
			in.EncryptionConfig = controlplane.Encryption(key)
		}
	}
}

// addEncryption turns on envelope encryption of Secrets on a cluster made
// without it (the plan refuses every other change of it): the key first,
// when the resource makes it.
func (r *run) addEncryption(ctx context.Context, ob *observed.Record, s securitySpec) error {
	if c := ob.Cluster(); (!s.makeKey && s.keyARN == "") || (c != nil && len(c.EncryptionConfig) > 0) {
		return nil
	}
	key := s.keyARN
	if s.makeKey {
		if err := r.prepareSecurity(ctx, ob, securitySpec{makeKey: true}); err != nil {
			return err
		}
		key = ob.Snapshot().Security.MadeKey
	}
	return r.controlPlane.AssociateEncryption(ctx, ob, key)
}

// updateLogs: the log group first (so EKS writes to one with its
// retention), then the log types; the group goes once no type is left.
func (r *run) updateLogs(ctx context.Context, ob *observed.Record, old, new securitySpec) error {
	if len(new.logTypes) > 0 {
		if err := r.ensureClusterLogGroup(ctx, ob, new); err != nil {
			return err
		}
	}
	if !slices.Equal(old.logTypes, new.logTypes) {
		if err := r.controlPlane.UpdateLogging(ctx, ob, new.logTypes); err != nil {
			return err
		}
	}
	if len(new.logTypes) == 0 && len(old.logTypes) > 0 {
		if err := r.logs.Delete(ctx, eksrules.ClusterLogGroup(r.name)); err != nil {
			return err
		}
		ob.UpdateSecurity(func(sec *observed.Security) { sec.LogRetention = 0 })
	}
	return nil
}

// applyFargateLogging: the role's permissions (or what a brought role
// lacks, before anything is made), the log group, then the ConfigMap;
// turned off, the ConfigMap, then the group.
func (r *run) applyFargateLogging(ctx context.Context, ob *observed.Record, old, new fargatelogging.Spec) error {
	if new.LogGroup != "" {
		if err := r.fargateLogs.Permit(ctx, ob, new); err != nil {
			return err
		}
		if err := r.logs.Ensure(ctx, new.LogGroup, new.Retention); err != nil {
			return err
		}
		ob.UpdateSecurity(func(sec *observed.Security) {
			sec.FargateLogGroup, sec.FargateLogRetention = new.LogGroup, new.Retention
		})
		if err := r.fargateLogs.Apply(ctx, ob, new); err != nil {
			return err
		}
	} else if old.LogGroup != "" {
		if err := r.fargateLogs.Remove(ctx, ob); err != nil {
			return err
		}
	}
	if old.LogGroup != "" && old.LogGroup != new.LogGroup {
		if err := r.logs.Delete(ctx, old.LogGroup); err != nil {
			return err
		}
		if new.LogGroup == "" {
			ob.UpdateSecurity(func(sec *observed.Security) { sec.FargateLogGroup, sec.FargateLogRetention = "", 0 })
		}
	}
	return nil
}

// destroySecurity deletes, once the cluster is gone, its log groups, the
// key the resource made and any launch template a node group left.
func (r *run) destroySecurity(ctx context.Context) error {
	groups := []string{eksrules.ClusterLogGroup(r.name)}
	if r.fargateLogGroup != "" {
		groups = append(groups, r.fargateLogGroup)
	}
	for _, g := range groups {
		if err := r.logs.Delete(ctx, g); err != nil {
			return err
		}
	}
	if err := r.templates.DeleteAll(ctx); err != nil {
		return err
	}
	return r.key.Delete(ctx)
}

// tagSecurity brings the tags of the log groups, the key and the launch
// templates the resource made from old to tags_all.
func (r *run) tagSecurity(ctx context.Context, ob *observed.Record, old map[string]string) error {
	set, remove := r.owner.TagChanges(old)
	if len(set)+len(remove) == 0 {
		return nil
	}
	sec := ob.Snapshot().Security
	var groups, templates []string
	if sec.LogRetention != 0 {
		groups = append(groups, eksrules.ClusterLogGroup(r.name))
	}
	if sec.FargateLogGroup != "" {
		groups = append(groups, sec.FargateLogGroup)
	}
	for _, g := range groups {
		if err := r.logs.UpdateTags(ctx, g, set, remove); err != nil {
			return err
		}
	}
	if sec.MadeKey != "" {
		if err := r.key.UpdateTags(ctx, set, remove); err != nil {
			return err
		}
	}
	for _, lt := range sec.LaunchTemplates {
		templates = append(templates, lt.ID)
	}
	slices.Sort(templates)
	return r.templates.UpdateTags(ctx, slices.Compact(templates), set, remove)
}

// observeSecurity reads what the state says the resource made: the log
// groups' retention (0 when gone), the key and the Fargate ConfigMap.
func (r *run) observeSecurity(ctx context.Context, ob *observed.Record, m clusterModel) error {
	s, d := securityOf(ctx, m)
	if d.HasError() {
		return nil // nothing configured to read
	}
	var sec observed.Security
	var err error
	// What the state does not know (an import) is read when EKS says so.
	c := ob.Cluster()
	if len(s.logTypes) > 0 || len(controlplane.EnabledLogTypes(c)) > 0 {
		if sec.LogRetention, err = r.logs.Retention(ctx, eksrules.ClusterLogGroup(r.name)); err != nil && !apierr.NotFound(err) {
			return err
		}
	}
	if s.makeKey || (c != nil && len(c.EncryptionConfig) > 0) {
		if sec.MadeKey, err = r.key.Find(ctx); err != nil {
			return err
		}
	}
	if s.fargate.LogGroup != "" {
		if err := r.fargateLogs.Observe(ctx, ob); err != nil {
			return err
		}
		if sec.FargateLogRetention, err = r.logs.Retention(ctx, s.fargate.LogGroup); err != nil && !apierr.NotFound(err) {
			return err
		}
		if sec.FargateLogRetention != 0 {
			sec.FargateLogGroup = s.fargate.LogGroup
		}
	}
	ob.UpdateSecurity(func(o *observed.Security) {
		o.LogRetention, o.MadeKey, o.FargateLogGroup, o.FargateLogRetention = sec.LogRetention, sec.MadeKey, sec.FargateLogGroup, sec.FargateLogRetention
	})
	return nil
}
