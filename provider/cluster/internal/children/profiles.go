package children

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/roles"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
)

// profileBusy reports EKS refusing a Fargate profile operation because
// another one on the same cluster is in progress (EKS allows one CREATING or
// DELETING profile per cluster at a time), possibly started by another
// process. Waiting and retrying is the only remedy.
func profileBusy(err error) bool {
	return apierr.IsA[*ekstypes.ResourceInUseException](err) && !alreadyExists(err)
}

// createProfiles creates Fargate profiles one at a time, each waited to
// ACTIVE before the next starts.
func (ch *Children) createProfiles(ctx context.Context, ob *observed.Record, specs map[string]Profile, names []string) error {
	return sequential(ctx, names, func(name string) error { return ch.createProfile(ctx, ob, name, specs[name]) })
}

func (ch *Children) createProfile(ctx context.Context, ob *observed.Record, name string, s Profile) error {
	subnets := s.SubnetIDs
	if len(subnets) == 0 {
		subnets = ob.Network().Private
	}
	if len(subnets) == 0 {
		return fmt.Errorf("creating Fargate profile %q of EKS cluster %q: the network has no private subnets, and Fargate runs pods only in private subnets; add private subnets to `network.subnet_ids` or set the profile's `subnet_ids`", name, ch.name)
	}
	in := &eks.CreateFargateProfileInput{
		ClusterName:         aws.String(ch.name),
		FargateProfileName:  aws.String(name),
		PodExecutionRoleArn: aws.String(ob.Roles().PodExecution),
		Subnets:             subnets,
		Tags:                ch.owner.Tags,
	}
	for _, sel := range s.Selectors {
		in.Selectors = append(in.Selectors, ekstypes.FargateProfileSelector{Namespace: aws.String(sel.Namespace), Labels: sel.Labels})
	}
	var created *ekstypes.FargateProfile
	return createChild(ctx, ch.timing.ProfileTurn, func(err error) bool { return profileBusy(err) || roles.Propagating(err) },
		fmt.Sprintf("Fargate profile %q of EKS cluster %q", name, ch.name),
		func(ctx context.Context) (*ekstypes.FargateProfile, error) {
			out, err := ch.c.EKS.CreateFargateProfile(ctx, in)
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
			return ch.wait.ProfileActive(ctx, ch.name, name)
		},
		func(ctx context.Context) (bool, error) {
			if fp, err := finder.FargateProfile(ctx, ch.c.EKS, ch.name, name); err != nil || fp.Status != ekstypes.FargateProfileStatusDeleting {
				return false, nil
			}
			return true, ch.wait.ProfileDeleted(ctx, ch.name, name)
		},
		func(fp *ekstypes.FargateProfile) { ob.SetProfile(name, fp) })
}

// deleteProfiles deletes Fargate profiles one at a time, each waited until
// gone before the next starts.
func (ch *Children) deleteProfiles(ctx context.Context, ob *observed.Record, names []string) error {
	return sequential(ctx, names, func(name string) error {
		return deleteChild(ctx, ch.timing.ProfileTurn, profileBusy, fmt.Sprintf("Fargate profile %q of EKS cluster %q", name, ch.name),
			func(ctx context.Context) error {
				_, err := ch.c.EKS.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{ClusterName: aws.String(ch.name), FargateProfileName: aws.String(name)})
				return err
			},
			func(ctx context.Context) error { return ch.wait.ProfileDeleted(ctx, ch.name, name) },
			func() { ob.SetProfile(name, nil) })
	})
}
