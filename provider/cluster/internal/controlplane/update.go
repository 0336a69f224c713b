package controlplane

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
)

// UpdateAccess changes the API endpoint access in place. EKS takes one
// update at a time and refuses one that changes nothing ("already at the
// desired configuration"): it waits for an update an interrupted apply
// left running, and sends nothing when the cluster already has the access.
func (cp *ControlPlane) UpdateAccess(ctx context.Context, ob *observed.Record, access Access) error {
	c, err := cp.wait.ClusterActive(ctx, cp.name)
	if err != nil {
		return err
	}
	if access.Matches(c.ResourcesVpcConfig) {
		ob.SetCluster(c)
		return nil
	}
	out, err := cp.c.EKS.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{
		Name: aws.String(cp.name),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{
			EndpointPublicAccess:  aws.Bool(access.Public),
			EndpointPrivateAccess: aws.Bool(access.Private),
			PublicAccessCidrs:     access.PublicCIDRs,
		},
	})
	if err != nil {
		return fmt.Errorf("updating the endpoint access of EKS cluster %q: %w", cp.name, err)
	}
	return cp.finishUpdate(ctx, ob, out.Update)
}

// UpgradeVersion upgrades the control plane; its node groups follow (EKS
// requires nodes not newer than the control plane). As UpdateAccess, it
// waits for a running update first, and sends nothing when an interrupted
// apply already upgraded it (EKS refuses an upgrade to the same version).
func (cp *ControlPlane) UpgradeVersion(ctx context.Context, ob *observed.Record, version string) error {
	c, err := cp.wait.ClusterActive(ctx, cp.name)
	if err != nil {
		return err
	}
	if aws.ToString(c.Version) == version {
		ob.SetCluster(c)
		return nil
	}
	out, err := cp.c.EKS.UpdateClusterVersion(ctx, &eks.UpdateClusterVersionInput{Name: aws.String(cp.name), Version: aws.String(version)})
	if err != nil {
		return fmt.Errorf("upgrading EKS cluster %q to Kubernetes %s: %w", cp.name, version, err)
	}
	return cp.finishUpdate(ctx, ob, out.Update)
}

// finishUpdate waits for an update of the cluster, then for the cluster to
// be ACTIVE, and records it.
func (cp *ControlPlane) finishUpdate(ctx context.Context, ob *observed.Record, u *ekstypes.Update) error {
	if err := cp.wait.Update(ctx, cp.name, "", "", u); err != nil {
		return err
	}
	c, err := cp.wait.ClusterActive(ctx, cp.name)
	ob.SetCluster(c)
	return err
}

// UpdateTags brings the tags of every EKS object of the cluster (the
// cluster, its node groups and profiles) from old to tags_all.
func (cp *ControlPlane) UpdateTags(ctx context.Context, ob *observed.Record, old map[string]string) error {
	s := ob.Snapshot()
	var arns []string
	if s.Cluster != nil {
		arns = append(arns, aws.ToString(s.Cluster.Arn))
	}
	for _, ng := range s.NodeGroups {
		arns = append(arns, aws.ToString(ng.NodegroupArn))
	}
	for _, fp := range s.Profiles {
		arns = append(arns, aws.ToString(fp.FargateProfileArn))
	}
	add, remove := cp.owner.TagChanges(old)
	for _, arn := range arns {
		if len(remove) > 0 {
			if _, err := cp.c.EKS.UntagResource(ctx, &eks.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: remove}); err != nil {
				return fmt.Errorf("untagging %s: %w", arn, err)
			}
		}
		if len(add) > 0 {
			if _, err := cp.c.EKS.TagResource(ctx, &eks.TagResourceInput{ResourceArn: aws.String(arn), Tags: add}); err != nil {
				return fmt.Errorf("tagging %s: %w", arn, err)
			}
		}
	}
	return nil
}

// Refresh reads the cluster again and records it.
func (cp *ControlPlane) Refresh(ctx context.Context, ob *observed.Record) error {
	c, err := finder.Cluster(ctx, cp.c.EKS, cp.name)
	if err == nil {
		ob.SetCluster(c)
	}
	return err
}
