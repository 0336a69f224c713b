package eksops

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekswait"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
)

// ProfileBusy reports EKS refusing a Fargate profile operation because
// another one on the same cluster is in progress (EKS allows one CREATING or
// DELETING profile per cluster at a time), possibly started by another
// process. Waiting for a turn (conns.Timing.ProfileTurn) and retrying is
// the only remedy: EKS offers no lock, so every process, fargate_cluster's
// profiles lane and each fargate_profile alike, retries the same way.
func ProfileBusy(err error) bool {
	return apierr.IsA[*ekstypes.ResourceInUseException](err) && !AlreadyExists(err)
}

// CreateProfile creates the Fargate profile in, waiting its turn, and waits
// until it is ACTIVE, recording what EKS answers as it goes.
func CreateProfile(ctx context.Context, c *conns.Client, in *eks.CreateFargateProfileInput, record func(*ekstypes.FargateProfile)) error {
	cluster, name := aws.ToString(in.ClusterName), aws.ToString(in.FargateProfileName)
	w := ekswait.Waiter{EKS: c.EKS, Timing: c.Timing}
	var created *ekstypes.FargateProfile
	return Create(ctx, c.Timing.ProfileTurn, func(err error) bool { return ProfileBusy(err) || roles.Propagating(err) },
		fmt.Sprintf("Fargate profile %q of EKS cluster %q", name, cluster),
		func(ctx context.Context) (*ekstypes.FargateProfile, error) {
			out, err := c.EKS.CreateFargateProfile(ctx, in)
			if err != nil {
				return nil, err
			}
			created = out.FargateProfile
			return created, nil
		},
		func(ctx context.Context) (*ekstypes.FargateProfile, error) {
			if created != nil && created.Status == ekstypes.FargateProfileStatusActive {
				return created, nil // EKS's answer says so: no poll
			}
			return w.ProfileActive(ctx, cluster, name)
		},
		func(ctx context.Context) (bool, error) {
			if fp, err := finder.FargateProfile(ctx, c.EKS, cluster, name); err != nil || fp.Status != ekstypes.FargateProfileStatusDeleting {
				return false, nil
			}
			return true, w.ProfileDeleted(ctx, cluster, name)
		},
		record)
}

// DeleteProfile deletes a Fargate profile, waiting its turn, and waits
// until it is gone; one already gone is fine.
func DeleteProfile(ctx context.Context, c *conns.Client, cluster, name string, recordGone func()) error {
	w := ekswait.Waiter{EKS: c.EKS, Timing: c.Timing}
	return Delete(ctx, c.Timing.ProfileTurn, ProfileBusy, fmt.Sprintf("Fargate profile %q of EKS cluster %q", name, cluster),
		func(ctx context.Context) error {
			_, err := c.EKS.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(name)})
			return err
		},
		func(ctx context.Context) error { return w.ProfileDeleted(ctx, cluster, name) },
		recordGone)
}
