package addons

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/ekswait"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
)

// status reads an add-on: the add-on and its status, or a not-found error.
func status(conn *eks.Client, cluster, name string) func(context.Context) (*ekstypes.Addon, string, error) {
	return func(ctx context.Context) (*ekstypes.Addon, string, error) {
		a, err := finder.Addon(ctx, conn, cluster, name)
		if err != nil {
			return nil, "", err
		}
		return a, string(a.Status), nil
	}
}

// Failure statuses: EKS leaves an add-on in them until someone acts.
var (
	activeFailures  = []string{string(ekstypes.AddonStatusCreateFailed), string(ekstypes.AddonStatusDegraded), string(ekstypes.AddonStatusDeleteFailed)}
	deletedFailures = []string{string(ekstypes.AddonStatusDeleteFailed)}
)

// waitActive waits for the add-on to be ACTIVE and returns it.
func (p *Addons) waitActive(ctx context.Context, name string) (*ekstypes.Addon, error) {
	return p.waitFor(ctx, name, "become ACTIVE", string(ekstypes.AddonStatusActive), activeFailures)
}

// waitDeleted waits for the add-on to be gone.
func (p *Addons) waitDeleted(ctx context.Context, name string) error {
	_, err := p.waitFor(ctx, name, "be deleted", "", deletedFailures)
	return err
}

// waitFor polls the add-on until its status is target ("": until it is
// gone); a failure status ends the wait at once with EKS's health issues.
func (p *Addons) waitFor(ctx context.Context, name, goal, target string, failures []string) (*ekstypes.Addon, error) {
	read := status(p.c.EKS, p.cluster, name)
	var last *ekstypes.Addon
	err := wait.Until(ctx, p.c.Timing.Poll, func(ctx context.Context) (bool, error) {
		a, st, err := read(ctx)
		switch {
		case target == "" && apierr.NotFound(err):
			return true, nil
		case err != nil:
			return false, wait.Stop(err)
		}
		last = a
		if slices.Contains(failures, st) {
			return false, wait.Stop(fmt.Errorf("is %s%s", st, issues(a)))
		}
		return st == target, nil
	})
	if err != nil {
		st := "unknown"
		if last != nil {
			st = string(last.Status)
		}
		return last, ekswait.Hint(ctx, fmt.Errorf("waiting for the %s add-on of EKS cluster %q to %s (last status %s): %w", name, p.cluster, goal, st, err))
	}
	return last, nil
}

func issues(a *ekstypes.Addon) string {
	if a == nil || a.Health == nil || len(a.Health.Issues) == 0 {
		return ""
	}
	s := ""
	for _, i := range a.Health.Issues {
		s += fmt.Sprintf("; %s: %s", i.Code, aws.ToString(i.Message))
	}
	return " (" + s[2:] + ")"
}
