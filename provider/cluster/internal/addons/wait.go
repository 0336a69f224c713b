package addons

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekswait"
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
	activeFailures  = []string{string(ekstypes.AddonStatusCreateFailed), string(ekstypes.AddonStatusUpdateFailed), string(ekstypes.AddonStatusDeleteFailed)}
	deletedFailures = []string{string(ekstypes.AddonStatusDeleteFailed)}
)

// waitActive waits for the add-on to be ACTIVE, or DEGRADED, and returns
// it. DEGRADED is installed but with pods not ready, e.g. CoreDNS in a
// cluster with no node and no profile for kube-system yet; EKS makes it
// ACTIVE by itself once they can run, so the apply goes on, with a warning
// in the log, rather than waiting for what it cannot bring.
func (p *Addons) waitActive(ctx context.Context, name string) (*ekstypes.Addon, error) {
	a, err := p.waitFor(ctx, name, "become ACTIVE", []string{string(ekstypes.AddonStatusActive), string(ekstypes.AddonStatusDegraded)}, activeFailures)
	if err == nil && a != nil && a.Status == ekstypes.AddonStatusDegraded {
		tflog.Warn(ctx, fmt.Sprintf("the %s add-on of EKS cluster %q is DEGRADED%s", name, p.cluster, issues(a)))
	}
	return a, err
}

// waitDeleted waits for the add-on to be gone.
func (p *Addons) waitDeleted(ctx context.Context, name string) error {
	_, err := p.waitFor(ctx, name, "be deleted", nil, deletedFailures)
	return err
}

// waitFor polls the add-on until its status is one of target (none: until
// it is gone); a failure status ends the wait at once with EKS's health
// issues.
func (p *Addons) waitFor(ctx context.Context, name, goal string, target, failures []string) (*ekstypes.Addon, error) {
	read := status(p.c.EKS, p.cluster, name)
	var last *ekstypes.Addon
	err := wait.Until(ctx, p.c.Timing.Poll, func(ctx context.Context) (bool, error) {
		a, st, err := read(ctx)
		switch {
		case len(target) == 0 && apierr.NotFound(err):
			return true, nil
		case err != nil:
			return false, wait.Stop(err)
		}
		last = a
		if slices.Contains(failures, st) {
			return false, wait.Stop(fmt.Errorf("is %s%s", st, issues(a)))
		}
		return slices.Contains(target, st), nil
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
