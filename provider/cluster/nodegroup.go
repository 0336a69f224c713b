package cluster

import (
	"context"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// createNodegroups creates node groups in parallel (EKS allows it) and
// waits for each to become ACTIVE.
func (o *ops) createNodegroups(ctx context.Context, ob *observed, specs map[string]nodeGroupSpec, names []string) error {
	return parallel(names, func(name string) error { return o.createNodegroup(ctx, ob, name, specs[name]) })
}

func (o *ops) createNodegroup(ctx context.Context, ob *observed, name string, s nodeGroupSpec) error {
	subnets := s.SubnetIDs
	if len(subnets) == 0 {
		subnets = ob.network.Private
	}
	in := &eks.CreateNodegroupInput{
		ClusterName:   aws.String(o.name),
		NodegroupName: aws.String(name),
		NodeRole:      aws.String(ob.roles.node),
		Subnets:       subnets,
		InstanceTypes: s.InstanceTypes,
		ScalingConfig: &ekstypes.NodegroupScalingConfig{
			DesiredSize: aws.Int32(int32(s.DesiredSize)), MinSize: aws.Int32(int32(s.MinSize)), MaxSize: aws.Int32(int32(s.MaxSize)),
		},
		Labels: s.Labels,
		Tags:   o.tags,
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
	var out *eks.CreateNodegroupOutput
	err := apierr.RetryWhile(ctx, apierr.DefaultBackoff, iamPropagating, func() (err error) {
		out, err = o.c.EKS.CreateNodegroup(ctx, in)
		return err
	})
	switch {
	case apierr.Is(err, "ResourceInUseException", "already exists"):
		// Left by an interrupted apply of this resource: the cluster is ours,
		// so is the node group. The next plan shows any difference.
	case err != nil:
		return fmt.Errorf("creating node group %q of EKS cluster %q: %w", name, o.name, err)
	default:
		ob.setNodegroup(name, out.Nodegroup)
	}
	ng, err := waitNodegroupActive(ctx, o.c.EKS, o.name, name)
	if ng != nil {
		ob.setNodegroup(name, ng)
	}
	return err
}

// deleteNodegroups deletes node groups in parallel and waits until they are gone.
func (o *ops) deleteNodegroups(ctx context.Context, ob *observed, names []string) error {
	return parallel(names, func(name string) error {
		err := apierr.RetryWhile(ctx, apierr.DefaultBackoff, func(err error) bool {
			return apierr.Is(err, "ResourceInUseException") // an update in progress
		}, func() error {
			_, err := o.c.EKS.DeleteNodegroup(ctx, &eks.DeleteNodegroupInput{ClusterName: aws.String(o.name), NodegroupName: aws.String(name)})
			return err
		})
		if err != nil && !apierr.Is(err, "ResourceNotFoundException") {
			return fmt.Errorf("deleting node group %q of EKS cluster %q: %w", name, o.name, err)
		}
		if err := waitNodegroupDeleted(ctx, o.c.EKS, o.name, name); err != nil {
			return err
		}
		ob.setNodegroup(name, nil)
		return nil
	})
}

// updateNodegroups changes scaling and labels in place.
func (o *ops) updateNodegroups(ctx context.Context, ob *observed, prior, planned map[string]nodeGroupSpec, names []string) error {
	return parallel(names, func(name string) error {
		old, s := prior[name], planned[name]
		in := &eks.UpdateNodegroupConfigInput{ClusterName: aws.String(o.name), NodegroupName: aws.String(name)}
		if old.DesiredSize != s.DesiredSize || old.MinSize != s.MinSize || old.MaxSize != s.MaxSize {
			in.ScalingConfig = &ekstypes.NodegroupScalingConfig{
				DesiredSize: aws.Int32(int32(s.DesiredSize)), MinSize: aws.Int32(int32(s.MinSize)), MaxSize: aws.Int32(int32(s.MaxSize)),
			}
		}
		if !maps.Equal(old.Labels, s.Labels) {
			add, remove := mapChanges(old.Labels, s.Labels)
			in.Labels = &ekstypes.UpdateLabelsPayload{AddOrUpdateLabels: add, RemoveLabels: remove}
		}
		out, err := o.c.EKS.UpdateNodegroupConfig(ctx, in)
		if err != nil {
			return fmt.Errorf("updating node group %q of EKS cluster %q: %w", name, o.name, err)
		}
		return o.finishNodegroupUpdate(ctx, ob, name, out.Update)
	})
}

// finishNodegroupUpdate waits for an update of a node group, then for the
// node group to be ACTIVE, and records it.
func (o *ops) finishNodegroupUpdate(ctx context.Context, ob *observed, name string, u *ekstypes.Update) error {
	if err := waitUpdate(ctx, o.c.EKS, o.name, name, "", u); err != nil {
		return err
	}
	ng, err := waitNodegroupActive(ctx, o.c.EKS, o.name, name)
	if ng != nil {
		ob.setNodegroup(name, ng)
	}
	return err
}
