package addons

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
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

// waitActive waits for the add-on to be ACTIVE and returns it. DEGRADED
// is installed with pods that cannot run (EKS: InsufficientNumberOfReplicas).
// In a cluster with node groups or profiles that is a mistake, e.g.
// CoreDNS kept on EC2 with Fargate profiles only: once it has lasted
// degradedGrace (EKS reports it for a moment while new pods start) the
// wait ends with an error that names the add-on, its health issues and
// what to do, rather than at the timeout. In a cluster with neither yet,
// nothing can run: the add-on is installed, with a warning saying so.
func (p *Addons) waitActive(ctx context.Context, ob *observed.Record, name string) (*ekstypes.Addon, error) {
	noCompute := len(ob.Nodegroups()) == 0 && len(ob.Profiles()) == 0
	target := []string{string(ekstypes.AddonStatusActive)}
	if noCompute {
		target = append(target, string(ekstypes.AddonStatusDegraded))
	}
	a, err := p.waitFor(ctx, name, "become ACTIVE", target, activeFailures)
	if err == nil && a != nil && a.Status == ekstypes.AddonStatusDegraded {
		ob.Warn(fmt.Sprintf("The %s add-on of EKS cluster %q is DEGRADED", name, p.cluster),
			fmt.Sprintf("EKS installed it, but its pods cannot run%s: the cluster has no node group and no Fargate profile. "+
				"Add one (for CoreDNS, a node group, or a Fargate profile selecting kube-system pods labelled k8s-app=kube-dns); "+
				"EKS makes the add-on ACTIVE once its pods run.", issues(a)))
	}
	return a, err
}

// settled waits for the add-on to be ACTIVE and records it.
func (p *Addons) settled(ctx context.Context, ob *observed.Record, name string) error {
	a, err := p.waitActive(ctx, ob, name)
	record(ob, name, a, err)
	return err
}

// record records the add-on as the wait left it; one left DEGRADED in a
// cluster that has compute is not counted as installed, so the next apply
// tries it again.
func record(ob *observed.Record, name string, a *ekstypes.Addon, err error) {
	if errors.Is(err, errDegraded) {
		a = nil
	}
	ob.SetAddon(name, a)
}

// waitDeleted waits for the add-on to be gone.
func (p *Addons) waitDeleted(ctx context.Context, name string) error {
	_, err := p.waitFor(ctx, name, "be deleted", nil, deletedFailures)
	return err
}

// degradedGrace is how long an add-on may be DEGRADED before a wait for
// it to be ACTIVE gives up: pods that just got a node turn it ACTIVE
// within seconds.
const degradedGrace = 20 * time.Second

// waitFor polls the add-on until its status is one of target (none: until
// it is gone); a failure status, or DEGRADED for degradedGrace, ends the
// wait at once with EKS's health issues.
func (p *Addons) waitFor(ctx context.Context, name, goal string, target, failures []string) (*ekstypes.Addon, error) {
	read := status(p.c.EKS, p.cluster, name)
	var last *ekstypes.Addon
	var degradedSince time.Time
	// As closely as profiles: CoreDNS's add-on ends a create, after them.
	err := wait.Until(ctx, p.c.Timing.ProfilePoll, func(ctx context.Context) (bool, error) {
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
		if st != string(ekstypes.AddonStatusDegraded) {
			degradedSince = time.Time{}
		} else if degradedSince.IsZero() {
			degradedSince = time.Now()
		} else if len(target) > 0 && time.Since(degradedSince) >= p.grace {
			return false, wait.Stop(degraded(name, a))
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

// errDegraded marks an add-on left DEGRADED: installed, not working.
var errDegraded = errors.New("is DEGRADED")

// degraded says what EKS reports of a DEGRADED add-on and what to do.
func degraded(name string, a *ekstypes.Addon) error {
	var todo string
	switch name {
	case CoreDNS:
		todo = "CoreDNS's pods have nowhere to run: give the cluster a node group, or a Fargate profile that selects " +
			"kube-system pods labelled k8s-app=kube-dns and let CoreDNS run on Fargate (coredns_compute_type = \"fargate\", " +
			"which sets computeType in the add-on's configuration)"
	case EBSCSIDriver:
		todo = "the EBS CSI driver's controller runs only on EC2 nodes (not on Fargate): give the cluster a node group"
	default:
		todo = "its pods cannot be scheduled or are not ready (kubectl -n kube-system get pods says why): give them a node group " +
			"or a Fargate profile that selects them"
	}
	return fmt.Errorf("%w%s: %s", errDegraded, issues(a), todo)
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
