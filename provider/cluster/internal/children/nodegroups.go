package children

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/eksops"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
)

// createNodegroups creates node groups in parallel (EKS allows it) and
// waits for each to become ACTIVE.
func (ch *Children) createNodegroups(ctx context.Context, ob *observed.Record, specs map[string]NodeGroup, names []string) error {
	return parallel(names, func(name string) error { return ch.createNodegroup(ctx, ob, name, specs[name]) })
}

func (ch *Children) createNodegroup(ctx context.Context, ob *observed.Record, name string, s NodeGroup) error {
	subnets := s.SubnetIDs
	if len(subnets) == 0 {
		subnets = ob.Network().Private
	}
	in := &eks.CreateNodegroupInput{
		ClusterName:   aws.String(ch.name),
		NodegroupName: aws.String(name),
		NodeRole:      aws.String(ob.Roles().Node),
		Subnets:       subnets,
		InstanceTypes: s.InstanceTypes,
		ScalingConfig: &ekstypes.NodegroupScalingConfig{
			DesiredSize: aws.Int32(int32(s.DesiredSize)), MinSize: aws.Int32(int32(s.MinSize)), MaxSize: aws.Int32(int32(s.MaxSize)),
		},
		Labels: s.Labels,
		Tags:   ch.owner.Tags,
	}
	if s.CapacityType != "" {
		in.CapacityType = ekstypes.CapacityTypes(s.CapacityType)
	}
	if s.AMIType != "" {
		in.AmiType = ekstypes.AMITypes(s.AMIType)
	}
	if s.DiskSize != 0 {
		in.DiskSize = aws.Int32(int32(s.DiskSize))
	}
	if err := ch.withHardening(ctx, ob, name, s, in); err != nil {
		return err
	}
	var created *ekstypes.Nodegroup
	return eksops.Create(ctx, ch.timing.Propagation, roles.Propagating, fmt.Sprintf("node group %q of EKS cluster %q", name, ch.name),
		func(ctx context.Context) (*ekstypes.Nodegroup, error) {
			out, err := ch.c.EKS.CreateNodegroup(ctx, in)
			if err != nil {
				return nil, err
			}
			created = out.Nodegroup
			return created, nil
		},
		func(ctx context.Context) (*ekstypes.Nodegroup, error) {
			if created != nil && created.Status == ekstypes.NodegroupStatusActive {
				return created, nil // EKS's answer says so: no poll
			}
			return ch.wait.NodegroupActive(ctx, ch.name, name)
		},
		func(ctx context.Context) (bool, error) {
			if ng, err := finder.Nodegroup(ctx, ch.c.EKS, ch.name, name); err != nil || ng.Status != ekstypes.NodegroupStatusDeleting {
				return false, nil
			}
			return true, ch.wait.NodegroupDeleted(ctx, ch.name, name)
		},
		func(ng *ekstypes.Nodegroup) { ob.SetNodegroup(name, ng) })
}

// deleteNodegroups deletes node groups in parallel and waits until they are gone.
func (ch *Children) deleteNodegroups(ctx context.Context, ob *observed.Record, names []string) error {
	return parallel(names, func(name string) error {
		return eksops.Delete(ctx, ch.timing.Retry, func(err error) bool {
			return apierr.IsA[*ekstypes.ResourceInUseException](err) // an update in progress
		}, fmt.Sprintf("node group %q of EKS cluster %q", name, ch.name),
			func(ctx context.Context) error {
				_, err := ch.c.EKS.DeleteNodegroup(ctx, &eks.DeleteNodegroupInput{ClusterName: aws.String(ch.name), NodegroupName: aws.String(name)})
				return err
			},
			func(ctx context.Context) error {
				if err := ch.wait.NodegroupDeleted(ctx, ch.name, name); err != nil || ch.templatesLater {
					return err
				}
				return ch.templates.Delete(ctx, name)
			},
			func() { ob.SetNodegroup(name, nil) })
	})
}

// updateNodegroups changes scaling and labels in place.
func (ch *Children) updateNodegroups(ctx context.Context, ob *observed.Record, prior, planned map[string]NodeGroup, names []string) error {
	return parallel(names, func(name string) error {
		old, s := prior[name], planned[name]
		in := &eks.UpdateNodegroupConfigInput{ClusterName: aws.String(ch.name), NodegroupName: aws.String(name)}
		if old.DesiredSize != s.DesiredSize || old.MinSize != s.MinSize || old.MaxSize != s.MaxSize {
			in.ScalingConfig = &ekstypes.NodegroupScalingConfig{
				DesiredSize: aws.Int32(int32(s.DesiredSize)), MinSize: aws.Int32(int32(s.MinSize)), MaxSize: aws.Int32(int32(s.MaxSize)),
			}
		}
		if !maps.Equal(old.Labels, s.Labels) {
			add, remove := owned.MapChanges(old.Labels, s.Labels)
			in.Labels = &ekstypes.UpdateLabelsPayload{AddOrUpdateLabels: add, RemoveLabels: remove}
		}
		configHardening(in, old, s)
		if in.ScalingConfig != nil || in.Labels != nil || in.Taints != nil || in.UpdateConfig != nil {
			// EKS takes one update of a node group at a time.
			if _, err := ch.wait.NodegroupActive(ctx, ch.name, name); err != nil {
				return err
			}
			out, err := ch.c.EKS.UpdateNodegroupConfig(ctx, in)
			if err != nil {
				return fmt.Errorf("updating node group %q of EKS cluster %q: %w", name, ch.name, err)
			}
			if err := ch.finishNodegroupUpdate(ctx, ob, name, out.Update); err != nil {
				return err
			}
		}
		if DiskSizeRolls(old, s) {
			return ch.rollTemplate(ctx, ob, name, s)
		}
		return nil
	})
}

// finishNodegroupUpdate waits for an update of a node group, then for the
// node group to be ACTIVE, and records it.
func (ch *Children) finishNodegroupUpdate(ctx context.Context, ob *observed.Record, name string, u *ekstypes.Update) error {
	if err := ch.wait.Update(ctx, ch.name, name, "", u); err != nil {
		return err
	}
	ng, err := ch.wait.NodegroupActive(ctx, ch.name, name)
	if ng != nil {
		ob.SetNodegroup(name, ng)
	}
	return err
}

// UpgradeNodegroups upgrades every node group to the control plane's
// version, in parallel.
func (ch *Children) UpgradeNodegroups(ctx context.Context, ob *observed.Record, version string) error {
	return parallel(slices.Sorted(maps.Keys(ob.Nodegroups())), func(name string) error {
		// One update at a time; none when an interrupted apply already upgraded it.
		ng, err := ch.wait.NodegroupActive(ctx, ch.name, name)
		if err != nil {
			return err
		}
		if aws.ToString(ng.Version) == version {
			ob.SetNodegroup(name, ng)
			return nil
		}
		out, err := ch.c.EKS.UpdateNodegroupVersion(ctx, &eks.UpdateNodegroupVersionInput{
			ClusterName: aws.String(ch.name), NodegroupName: aws.String(name), Version: aws.String(version),
		})
		if err != nil {
			return fmt.Errorf("upgrading node group %q of EKS cluster %q to Kubernetes %s: %w", name, ch.name, version, err)
		}
		return ch.finishNodegroupUpdate(ctx, ob, name, out.Update)
	})
}
