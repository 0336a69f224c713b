package children

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/eksops"
)

// createProfiles creates Fargate profiles one at a time, each waited to
// ACTIVE before the next starts.
func (ch *Children) createProfiles(ctx context.Context, ob *observed.Record, specs map[string]Profile, names []string) error {
	return ch.oneByOne(ctx, &ch.lastCreate, names, func(c *conns.Client, name string) error {
		return ch.createProfile(ctx, c, ob, name, specs[name])
	})
}

func (ch *Children) createProfile(ctx context.Context, c *conns.Client, ob *observed.Record, name string, s Profile) error {
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
		// The owner tag tells this cluster's profiles from those others add
		// (exclusive_fargate_profiles = false leaves those alone).
		Tags: ch.owner.TagsWith(nil),
	}
	for _, sel := range s.Selectors {
		in.Selectors = append(in.Selectors, ekstypes.FargateProfileSelector{Namespace: aws.String(sel.Namespace), Labels: sel.Labels})
	}
	return eksops.CreateProfile(ctx, c, in, func(fp *ekstypes.FargateProfile) { ob.SetProfile(name, fp) })
}

// deleteProfiles deletes Fargate profiles one at a time, each waited until
// gone before the next starts.
func (ch *Children) deleteProfiles(ctx context.Context, ob *observed.Record, names []string) error {
	return ch.oneByOne(ctx, &ch.lastDelete, names, func(c *conns.Client, name string) error {
		return eksops.DeleteProfile(ctx, c, ch.name, name, func() { ob.SetProfile(name, nil) })
	})
}

// oneByOne runs op for each name in turn, the profile waits of each polling
// closely around the time the one before took (last, kept across calls):
// EKS's profile creates, and its deletes, take about as long each, and
// follow one another on the critical path. Not with a fixed poll_interval.
func (ch *Children) oneByOne(ctx context.Context, last *time.Duration, names []string, op func(*conns.Client, string) error) error {
	return sequential(ctx, names, func(name string) error {
		c := *ch.c
		if c.Timing.ProfilePoll.Relative > 0 {
			c.Timing.ProfilePoll.Expect = *last
		}
		start := time.Now()
		err := op(&c, name)
		if err == nil {
			*last = time.Since(start)
		}
		return err
	})
}
