package cluster

import (
	"context"
	"errors"
	"fmt"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"maps"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// endpointAccess is the cluster's API endpoint configuration.
type endpointAccess struct {
	public, private bool
	publicCIDRs     []string // nil: EKS's default
}

func (o *ops) createCluster(ctx context.Context, ob *observed, version string, access endpointAccess) error {
	in := &eks.CreateClusterInput{
		Name:    aws.String(o.name),
		RoleArn: aws.String(ob.roles.cluster),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{
			SubnetIds:             ob.network.allSubnets(),
			EndpointPublicAccess:  aws.Bool(access.public),
			EndpointPrivateAccess: aws.Bool(access.private),
			PublicAccessCidrs:     access.publicCIDRs,
		},
		// The owner tag lets a later apply recognise this cluster if the
		// apply that creates it is killed before the state is written.
		Tags: o.ownedTags(nil),
	}
	if version != "" {
		in.Version = aws.String(version)
	}
	var out *eks.CreateClusterOutput
	err := apierr.RetryWhile(ctx, apierr.DefaultBackoff, iamPropagating, func() (err error) {
		out, err = o.c.EKS.CreateCluster(ctx, in)
		return err
	})
	switch {
	case apierr.Is(err, "ResourceInUseException"):
		existing, ferr := finder.Cluster(ctx, o.c.EKS, o.name)
		if ferr != nil || existing.Tags[OwnerTag] != o.owner() {
			return fmt.Errorf("EKS cluster %q already exists in %s and is not in this Terraform state; import it with `terraform import <address> %s` or choose another name", o.name, o.c.Region, o.name)
		}
		// Made by an apply of this resource that was killed before it
		// could write the state: carry on with it.
		ob.setCluster(existing)
	case err != nil:
		return fmt.Errorf("creating EKS cluster %q: %w", o.name, err)
	default:
		ob.setCluster(out.Cluster)
	}
	c, err := waitClusterActive(ctx, o.c.EKS, o.name)
	ob.setCluster(c)
	return err
}

func (o *ops) deleteCluster(ctx context.Context) error {
	err := apierr.RetryWhile(ctx, apierr.DefaultBackoff, func(err error) bool {
		// Node groups or profiles still being deleted by another process.
		return apierr.Is(err, "ResourceInUseException")
	}, func() error {
		_, err := o.c.EKS.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(o.name)})
		return err
	})
	if apierr.Is(err, "ResourceNotFoundException") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting EKS cluster %q: %w", o.name, err)
	}
	return waitClusterDeleted(ctx, o.c.EKS, o.name)
}

// updateClusterAccess changes the API endpoint access in place.
func (o *ops) updateClusterAccess(ctx context.Context, ob *observed, access endpointAccess) error {
	out, err := o.c.EKS.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{
		Name: aws.String(o.name),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{
			EndpointPublicAccess:  aws.Bool(access.public),
			EndpointPrivateAccess: aws.Bool(access.private),
			PublicAccessCidrs:     access.publicCIDRs,
		},
	})
	if err != nil {
		return fmt.Errorf("updating the endpoint access of EKS cluster %q: %w", o.name, err)
	}
	if err := waitUpdate(ctx, o.c.EKS, o.name, "", "", out.Update); err != nil {
		return err
	}
	c, err := waitClusterActive(ctx, o.c.EKS, o.name)
	ob.setCluster(c)
	return err
}

// upgradeVersion upgrades the control plane, then every node group, as EKS
// requires (nodes may not be newer than the control plane).
func (o *ops) upgradeVersion(ctx context.Context, ob *observed, version string) error {
	out, err := o.c.EKS.UpdateClusterVersion(ctx, &eks.UpdateClusterVersionInput{Name: aws.String(o.name), Version: aws.String(version)})
	if err != nil {
		return fmt.Errorf("upgrading EKS cluster %q to Kubernetes %s: %w", o.name, version, err)
	}
	if err := waitUpdate(ctx, o.c.EKS, o.name, "", "", out.Update); err != nil {
		return err
	}
	c, err := waitClusterActive(ctx, o.c.EKS, o.name)
	ob.setCluster(c)
	if err != nil {
		return err
	}
	ob.mu.Lock()
	ngs := slices.Sorted(maps.Keys(ob.nodeGroups))
	ob.mu.Unlock()
	return parallel(ngs, func(name string) error {
		out, err := o.c.EKS.UpdateNodegroupVersion(ctx, &eks.UpdateNodegroupVersionInput{
			ClusterName: aws.String(o.name), NodegroupName: aws.String(name), Version: aws.String(version),
		})
		if err != nil {
			return fmt.Errorf("upgrading node group %q of EKS cluster %q to Kubernetes %s: %w", name, o.name, version, err)
		}
		return o.finishNodegroupUpdate(ctx, ob, name, out.Update)
	})
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

// tagARN brings the tags of one EKS object from old to tags_all.
func (o *ops) tagARN(ctx context.Context, arn string, old map[string]string) error {
	add, remove := tagChanges(old, o.tags)
	if len(remove) > 0 {
		if _, err := o.c.EKS.UntagResource(ctx, &eks.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: remove}); err != nil {
			return fmt.Errorf("untagging %s: %w", arn, err)
		}
	}
	if len(add) > 0 {
		if _, err := o.c.EKS.TagResource(ctx, &eks.TagResourceInput{ResourceArn: aws.String(arn), Tags: add}); err != nil {
			return fmt.Errorf("tagging %s: %w", arn, err)
		}
	}
	return nil
}

// updateTags brings every EKS object of the cluster, and the roles and VPC
// parts it owns, from the old tags to tags_all.
func (o *ops) updateTags(ctx context.Context, ob *observed, old map[string]string) error {
	ob.mu.Lock()
	var arns []string
	if ob.cluster != nil {
		arns = append(arns, aws.ToString(ob.cluster.Arn))
	}
	for _, ng := range ob.nodeGroups {
		arns = append(arns, aws.ToString(ng.NodegroupArn))
	}
	for _, fp := range ob.profiles {
		arns = append(arns, aws.ToString(fp.FargateProfileArn))
	}
	ob.mu.Unlock()
	for _, arn := range arns {
		if err := o.tagARN(ctx, arn, old); err != nil {
			return err
		}
	}
	if err := o.updateRoleTags(ctx, old); err != nil {
		return err
	}
	if err := o.updateNetworkTags(ctx, old); err != nil {
		return err
	}
	c, err := finder.Cluster(ctx, o.c.EKS, o.name)
	if err == nil {
		ob.setCluster(c)
	}
	return err
}
