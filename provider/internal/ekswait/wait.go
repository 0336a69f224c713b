package ekswait

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
)

// Waiter waits for the EKS objects of one client, with its timing.
type Waiter struct {
	EKS    *eks.Client
	Timing conns.Timing
}

// object is what a waiter needs of one object: how to name it, read it
// and say what is wrong with it, and how often to look.
type object[T any] struct {
	what   string // e.g. `node group "ng" of EKS cluster "c"`
	status statusFunc[T]
	issues func(*T) []string
	delays wait.Delays
	// advice, when set, says what to do about an object left in a status.
	advice func(status string) string
}

// until polls o until its status is one of target (or, with goneIsDone,
// until it no longer exists); a status in failure or an error other than
// not-found ends the wait at once, as the SDK's waiters do.
func until[T any](ctx context.Context, o object[T], goal string, target, failure []string, goneIsDone bool) (*T, error) {
	var last *T
	err := wait.Until(ctx, o.delays, func(ctx context.Context) (bool, error) {
		v, st, err := o.status(ctx)
		switch {
		case goneIsDone && apierr.NotFound(err):
			return true, nil
		case err != nil:
			return false, wait.Stop(err)
		case slices.Contains(failure, st):
			return false, wait.Stop(fmt.Errorf("%s is %s", o.what, st))
		}
		last = v
		return slices.Contains(target, st), nil
	})
	if err != nil {
		return nil, explain(ctx, o, goal, err)
	}
	return last, nil
}

// explain turns a failed wait into an error that says what the object's
// status is and why, when EKS says.
func explain[T any](ctx context.Context, o object[T], goal string, err error) error {
	v, st, ferr := o.status(context.WithoutCancel(ctx))
	if ferr != nil || v == nil {
		return Hint(ctx, fmt.Errorf("waiting for %s to %s: %w", o.what, goal, err))
	}
	var issues string
	if is := o.issues(v); len(is) > 0 {
		issues = " (" + strings.Join(is, "; ") + ")"
	}
	msg := fmt.Sprintf("%s did not %s: status %s%s", o.what, goal, st, issues)
	if o.advice != nil {
		if a := o.advice(st); a != "" {
			msg += "; " + a
		}
	}
	return Hint(ctx, errors.New(msg))
}

func (w Waiter) cluster(name string) object[ekstypes.Cluster] {
	return object[ekstypes.Cluster]{fmt.Sprintf("EKS cluster %q", name), statusCluster(w.EKS, name),
		clusterIssues, w.Timing.Cluster(), nil}
}

// node group creates and deletes poll as fast as profiles: they are the
// last wait of a create (with the add-ons that need nodes) and gate the
// control plane's delete.
func (w Waiter) nodegroup(cluster, name string) object[ekstypes.Nodegroup] {
	return object[ekstypes.Nodegroup]{fmt.Sprintf("node group %q of EKS cluster %q", name, cluster), statusNodegroup(w.EKS, cluster, name),
		nodegroupIssues, w.Timing.ProfilePoll, nodegroupAdvice}
}

// profile waits poll faster (Timing.ProfilePoll): EKS runs one profile
// operation at a time per cluster, so their waits follow one another.
func (w Waiter) profile(cluster, name string) object[ekstypes.FargateProfile] {
	return object[ekstypes.FargateProfile]{fmt.Sprintf("Fargate profile %q of EKS cluster %q", name, cluster), statusFargateProfile(w.EKS, cluster, name),
		profileIssues, w.Timing.ProfilePoll, nil}
}

const (
	becomeActive = "become ACTIVE"
	beDeleted    = "be deleted"
)

// ClusterActive waits for the cluster to be ACTIVE and returns it.
func (w Waiter) ClusterActive(ctx context.Context, name string) (*ekstypes.Cluster, error) {
	return until(ctx, w.cluster(name), becomeActive, []string{string(ekstypes.ClusterStatusActive)},
		[]string{string(ekstypes.ClusterStatusDeleting), string(ekstypes.ClusterStatusFailed)}, false)
}

// ClusterDeleted waits for the cluster to be gone.
func (w Waiter) ClusterDeleted(ctx context.Context, name string) error {
	_, err := until(ctx, w.cluster(name), beDeleted, nil,
		[]string{string(ekstypes.ClusterStatusActive), string(ekstypes.ClusterStatusCreating), string(ekstypes.ClusterStatusPending)}, true)
	return err
}

// NodegroupActive waits for the node group to be ACTIVE and returns it. A
// node group CREATE_FAILED or DEGRADED ends the wait at once with its
// health issues: EKS does not leave either by itself soon.
func (w Waiter) NodegroupActive(ctx context.Context, cluster, name string) (*ekstypes.Nodegroup, error) {
	return until(ctx, w.nodegroup(cluster, name), becomeActive, []string{string(ekstypes.NodegroupStatusActive)},
		[]string{string(ekstypes.NodegroupStatusCreateFailed), string(ekstypes.NodegroupStatusDegraded)}, false)
}

// NodegroupDeleted waits for the node group to be gone.
func (w Waiter) NodegroupDeleted(ctx context.Context, cluster, name string) error {
	_, err := until(ctx, w.nodegroup(cluster, name), beDeleted, nil, []string{string(ekstypes.NodegroupStatusDeleteFailed)}, true)
	return err
}

// ProfileActive waits for the Fargate profile to be ACTIVE and returns it.
func (w Waiter) ProfileActive(ctx context.Context, cluster, name string) (*ekstypes.FargateProfile, error) {
	return until(ctx, w.profile(cluster, name), becomeActive, []string{string(ekstypes.FargateProfileStatusActive)},
		[]string{string(ekstypes.FargateProfileStatusCreateFailed)}, false)
}

// ProfileDeleted waits for the Fargate profile to be gone.
func (w Waiter) ProfileDeleted(ctx context.Context, cluster, name string) error {
	_, err := until(ctx, w.profile(cluster, name), beDeleted, nil, []string{string(ekstypes.FargateProfileStatusDeleteFailed)}, true)
	return err
}

// AddonActive waits for the add-on to be ACTIVE.
func (w Waiter) AddonActive(ctx context.Context, cluster, name string) error {
	// As fast as profiles: CoreDNS's add-on ends a create, after them.
	o := object[ekstypes.Addon]{fmt.Sprintf("the %s add-on of EKS cluster %q", name, cluster), statusAddon(w.EKS, cluster, name),
		addonIssues, w.Timing.ProfilePoll, nil}
	_, err := until(ctx, o, becomeActive, []string{string(ekstypes.AddonStatusActive)},
		[]string{string(ekstypes.AddonStatusCreateFailed), string(ekstypes.AddonStatusDegraded)}, false)
	return err
}

// Update waits for an EKS update (of the cluster, or of one of its node
// groups or add-ons) to finish. An update that the API reports as already
// finished needs no polling.
func (w Waiter) Update(ctx context.Context, cluster, nodegroup, addon string, u *ekstypes.Update) error {
	if u == nil || u.Id == nil {
		return nil
	}
	what := fmt.Sprintf("update %s of EKS cluster %q", aws.ToString(u.Id), cluster)
	if nodegroup != "" {
		what = fmt.Sprintf("update %s of node group %q of EKS cluster %q", aws.ToString(u.Id), nodegroup, cluster)
	}
	if addon != "" {
		what = fmt.Sprintf("update %s of add-on %q of EKS cluster %q", aws.ToString(u.Id), addon, cluster)
	}
	status := statusUpdate(w.EKS, cluster, nodegroup, addon, aws.ToString(u.Id))
	last, read := u, false
	err := wait.Until(ctx, w.Timing.Poll, func(ctx context.Context) (bool, error) {
		if read {
			v, _, err := status(ctx)
			if err != nil {
				return false, wait.Stop(fmt.Errorf("waiting for %s: %w", what, err))
			}
			last = v
		}
		read = true
		switch last.Status {
		case ekstypes.UpdateStatusSuccessful:
			return true, nil
		case ekstypes.UpdateStatusFailed, ekstypes.UpdateStatusCancelled:
			var msgs []string
			for _, e := range last.Errors {
				msgs = append(msgs, fmt.Sprintf("%s: %s", e.ErrorCode, aws.ToString(e.ErrorMessage)))
			}
			return false, wait.Stop(fmt.Errorf("%s ended %s: %s", what, last.Status, strings.Join(msgs, "; ")))
		}
		return false, nil
	})
	if errors.Is(err, wait.ErrGaveUp) {
		err = fmt.Errorf("waiting for %s (last status %s): %w", what, last.Status, context.Cause(ctx))
	}
	if err != nil {
		return Hint(ctx, err)
	}
	return nil
}
