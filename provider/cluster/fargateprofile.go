package cluster

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// profileBusy reports EKS refusing a Fargate profile operation because
// another one on the same cluster is in progress (EKS allows one CREATING or
// DELETING profile per cluster at a time), possibly started by another
// process. Waiting and retrying is the only remedy.
func profileBusy(err error) bool {
	return apierr.Is(err, "ResourceInUseException") && !apierr.Is(err, "ResourceInUseException", "already exists")
}

// createProfiles creates Fargate profiles one at a time, each waited to
// ACTIVE before the next starts.
func (o *ops) createProfiles(ctx context.Context, ob *observed, specs map[string]profileSpec, names []string) error {
	return sequential(ctx, names, func(name string) error { return o.createProfile(ctx, ob, name, specs[name]) })
}

func (o *ops) createProfile(ctx context.Context, ob *observed, name string, s profileSpec) error {
	subnets := s.SubnetIDs
	if len(subnets) == 0 {
		subnets = ob.network.Private
	}
	if len(subnets) == 0 {
		return fmt.Errorf("creating Fargate profile %q of EKS cluster %q: the network has no private subnets, and Fargate runs pods only in private subnets; add private subnets to `network.subnet_ids` or set the profile's `subnet_ids`", name, o.name)
	}
	in := &eks.CreateFargateProfileInput{
		ClusterName:         aws.String(o.name),
		FargateProfileName:  aws.String(name),
		PodExecutionRoleArn: aws.String(ob.roles.podExecution),
		Subnets:             subnets,
		Tags:                o.tags,
	}
	for _, sel := range s.Selectors {
		in.Selectors = append(in.Selectors, ekstypes.FargateProfileSelector{Namespace: aws.String(sel.Namespace), Labels: sel.Labels})
	}
	var out *eks.CreateFargateProfileOutput
	err := apierr.RetryWhile(ctx, profileTurn(), func(err error) bool {
		return profileBusy(err) || iamPropagating(err)
	}, func() (err error) {
		out, err = o.c.EKS.CreateFargateProfile(ctx, in)
		return err
	})
	switch {
	case apierr.Is(err, "ResourceInUseException", "already exists"):
		// Left by an interrupted apply of this resource; the next plan shows any difference.
	case err != nil:
		return fmt.Errorf("creating Fargate profile %q of EKS cluster %q: %w", name, o.name, err)
	default:
		ob.setProfile(name, out.FargateProfile)
	}
	fp, err := waitFargateProfileActive(ctx, o.c.EKS, o.name, name)
	if fp != nil {
		ob.setProfile(name, fp)
	}
	return err
}

// deleteProfiles deletes Fargate profiles one at a time, each waited until
// gone before the next starts.
func (o *ops) deleteProfiles(ctx context.Context, ob *observed, names []string) error {
	return sequential(ctx, names, func(name string) error {
		err := apierr.RetryWhile(ctx, profileTurn(), profileBusy, func() error {
			_, err := o.c.EKS.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{ClusterName: aws.String(o.name), FargateProfileName: aws.String(name)})
			return err
		})
		if err != nil && !apierr.Is(err, "ResourceNotFoundException") {
			return fmt.Errorf("deleting Fargate profile %q of EKS cluster %q: %w", name, o.name, err)
		}
		if err := waitFargateProfileDeleted(ctx, o.c.EKS, o.name, name); err != nil {
			return err
		}
		ob.setProfile(name, nil)
		return nil
	})
}
