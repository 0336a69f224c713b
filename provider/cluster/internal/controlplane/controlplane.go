// Package controlplane owns the EKS cluster itself: it creates it (or
// carries on with the one an interrupted apply of this resource made),
// changes its endpoint access and tags, upgrades its Kubernetes version,
// settles it when an earlier apply left it in transition, and deletes it.
package controlplane

import (
	"context"
	"fmt"
	"slices"

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
)

// Access is the cluster's API endpoint configuration.
type Access struct {
	Public, Private bool
	PublicCIDRs     []string // nil: EKS's default
}

func (a Access) String() string {
	return fmt.Sprintf("%v/%v/%v", a.Public, a.Private, a.PublicCIDRs)
}

// Matches reports whether EKS's endpoint configuration is already a (nil
// CIDRs: EKS's default, open to all).
func (a Access) Matches(v *ekstypes.VpcConfigResponse) bool {
	if v == nil {
		return false
	}
	cidrs := func(c []string) []string {
		if len(c) == 0 {
			return []string{"0.0.0.0/0"}
		}
		return slices.Sorted(slices.Values(c))
	}
	return a.Public == v.EndpointPublicAccess && a.Private == v.EndpointPrivateAccess && slices.Equal(cidrs(a.PublicCIDRs), cidrs(v.PublicAccessCidrs))
}

// ControlPlane is the EKS cluster of one fargate_cluster.
type ControlPlane struct {
	c     *conns.Client
	owner owned.Owner
	name  string
	wait  ekswait.Waiter
}

// New returns the control plane of the cluster of owner.
func New(c *conns.Client, owner owned.Owner) *ControlPlane {
	return &ControlPlane{c: c, owner: owner, name: owner.Cluster, wait: ekswait.Waiter{EKS: c.EKS, Timing: c.Timing}}
}

// Create creates the cluster with the recorded roles and network, and
// waits until it is ACTIVE, recording it as soon as it exists.
// more adds what other parts set at creation (the access configuration).
func (cp *ControlPlane) Create(ctx context.Context, ob *observed.Record, version string, access Access, more ...func(*eks.CreateClusterInput)) error {
	in := &eks.CreateClusterInput{
		Name:    aws.String(cp.name),
		RoleArn: aws.String(ob.Roles().Cluster),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{
			SubnetIds:             ob.Network().AllSubnets(),
			EndpointPublicAccess:  aws.Bool(access.Public),
			EndpointPrivateAccess: aws.Bool(access.Private),
			PublicAccessCidrs:     access.PublicCIDRs,
		},
		// The owner tag lets a later apply recognise this cluster if the
		// apply that creates it is killed before the state is written.
		Tags: cp.owner.TagsWith(nil),
	}
	if version != "" {
		in.Version = aws.String(version)
	}
	for _, f := range more {
		f(in)
	}
	var out *eks.CreateClusterOutput
	create := func() error {
		return wait.Retry(ctx, cp.c.Timing.Propagation, roles.Propagating, func(ctx context.Context) (err error) {
			out, err = cp.c.EKS.CreateCluster(ctx, in)
			return err
		})
	}
	err := create()
	if apierr.IsA[*ekstypes.ResourceInUseException](err) {
		// EKS keeps the name of a cluster being deleted until it is gone.
		if existing, ferr := finder.Cluster(ctx, cp.c.EKS, cp.name); ferr == nil && existing.Status == ekstypes.ClusterStatusDeleting {
			if err = cp.wait.ClusterDeleted(ctx, cp.name); err == nil {
				err = create()
			}
		}
	}
	switch {
	case apierr.IsA[*ekstypes.ResourceInUseException](err):
		existing, ferr := finder.Cluster(ctx, cp.c.EKS, cp.name)
		if ferr != nil || existing.Tags[owned.Tag] != cp.owner.Value() {
			return fmt.Errorf("EKS cluster %q already exists in %s and is not in this Terraform state; import it with `terraform import <address> %s` or choose another name", cp.name, cp.c.Region, cp.name)
		}
		// Made by an apply of this resource that was killed before it
		// could write the state: carry on with it.
		ob.SetCluster(existing)
	case err != nil:
		return fmt.Errorf("creating EKS cluster %q: %w", cp.name, err)
	default:
		ob.SetCluster(out.Cluster)
	}
	c, err := cp.wait.ClusterActive(ctx, cp.name)
	ob.SetCluster(c)
	return err
}

// Delete deletes the cluster, once its node groups and profiles are gone,
// and waits until it is.
func (cp *ControlPlane) Delete(ctx context.Context) error {
	err := wait.Retry(ctx, cp.c.Timing.Retry, func(err error) bool {
		// Node groups or profiles still being deleted by another process.
		return apierr.IsA[*ekstypes.ResourceInUseException](err)
	}, func(ctx context.Context) error {
		_, err := cp.c.EKS.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(cp.name)})
		return err
	})
	if apierr.IsA[*ekstypes.ResourceNotFoundException](err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting EKS cluster %q: %w", cp.name, err)
	}
	return cp.wait.ClusterDeleted(ctx, cp.name)
}

// Settle waits for a cluster an interrupted or timed-out apply left in
// transition (CREATING or UPDATING) to become ACTIVE.
func (cp *ControlPlane) Settle(ctx context.Context, ob *observed.Record) error {
	if c := ob.Cluster(); c == nil || c.Status == ekstypes.ClusterStatusActive {
		return nil
	}
	c, err := cp.wait.ClusterActive(ctx, cp.name)
	if err != nil {
		return err
	}
	ob.SetCluster(c)
	return nil
}

// Find reads the cluster; *apierr.NotFoundError when it does not exist.
// Its ARN names the caller's account, which then needs no STS call.
func (cp *ControlPlane) Find(ctx context.Context) (*ekstypes.Cluster, error) {
	c, err := finder.Cluster(ctx, cp.c.EKS, cp.name)
	if err == nil {
		cp.c.LearnAccount(aws.ToString(c.Arn))
	}
	return c, err
}
