package cluster

import (
	"context"
	"errors"
	"fmt"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// Poll delays of the waiters. EKS transitions take seconds (profiles) to
// minutes (clusters); polling between 1 and 2 seconds notices a change
// within 2 s while costing one Describe call per 1-2 s per object (well
// under EKS's request rate limits; see `make bench`).
// They are variables so that unit tests can make them short.
var (
	pollMin = 1 * time.Second
	pollMax = 2 * time.Second
	// Fargate profiles poll faster: EKS runs one profile operation at a
	// time per cluster, so their waits follow one another on the critical
	// path (each one's lateness adds up) while only one profile waiter
	// polls per cluster at any moment (about 1.3 calls per second).
	profilePollMin = 500 * time.Millisecond
	profilePollMax = 1 * time.Second
)

// profileTurn is how a Fargate profile operation refused because another
// is in progress (profileBusy) waits for its turn: as often as a profile
// waiter polls, so that a tool polling faster does not take every turn.
func profileTurn() apierr.Backoff {
	return apierr.Backoff{Initial: profilePollMin, Max: 2 * profilePollMax}
}

// TERRAX_FARGATE_POLL fixes the poll delay (say "30s"): `make bench`
// compares the waiters with the fixed polling of common tools with it.
func init() {
	if v, err := time.ParseDuration(os.Getenv("TERRAX_FARGATE_POLL")); err == nil && v > 0 {
		pollMin, pollMax = v, v
		profilePollMin, profilePollMax = v, v
	}
}

// remaining is how long until ctx's deadline (the SDK waiters want a
// duration), or a day when ctx has none.
func remaining(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return time.Until(d)
	}
	return 24 * time.Hour
}

func waitClusterActive(ctx context.Context, conn *eks.Client, name string) (*ekstypes.Cluster, error) {
	w := eks.NewClusterActiveWaiter(conn, func(o *eks.ClusterActiveWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax })
	out, err := w.WaitForOutput(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, remaining(ctx))
	if err != nil {
		return nil, explainCluster(ctx, conn, name, "become ACTIVE", err)
	}
	return out.Cluster, nil
}

func waitClusterDeleted(ctx context.Context, conn *eks.Client, name string) error {
	w := eks.NewClusterDeletedWaiter(conn, func(o *eks.ClusterDeletedWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax })
	if err := w.Wait(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, remaining(ctx)); err != nil {
		return explainCluster(ctx, conn, name, "be deleted", err)
	}
	return nil
}

func waitNodegroupActive(ctx context.Context, conn *eks.Client, cluster, name string) (*ekstypes.Nodegroup, error) {
	w := eks.NewNodegroupActiveWaiter(conn, func(o *eks.NodegroupActiveWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax })
	out, err := w.WaitForOutput(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(name)}, remaining(ctx))
	if err != nil {
		return nil, explainNodegroup(ctx, conn, cluster, name, "become ACTIVE", err)
	}
	return out.Nodegroup, nil
}

func waitNodegroupDeleted(ctx context.Context, conn *eks.Client, cluster, name string) error {
	w := eks.NewNodegroupDeletedWaiter(conn, func(o *eks.NodegroupDeletedWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax })
	if err := w.Wait(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(name)}, remaining(ctx)); err != nil {
		return explainNodegroup(ctx, conn, cluster, name, "be deleted", err)
	}
	return nil
}

func waitFargateProfileActive(ctx context.Context, conn *eks.Client, cluster, name string) (*ekstypes.FargateProfile, error) {
	w := eks.NewFargateProfileActiveWaiter(conn, func(o *eks.FargateProfileActiveWaiterOptions) {
		o.MinDelay, o.MaxDelay = profilePollMin, profilePollMax
	})
	out, err := w.WaitForOutput(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(name)}, remaining(ctx))
	if err != nil {
		return nil, explainProfile(ctx, conn, cluster, name, "become ACTIVE", err)
	}
	return out.FargateProfile, nil
}

func waitFargateProfileDeleted(ctx context.Context, conn *eks.Client, cluster, name string) error {
	w := eks.NewFargateProfileDeletedWaiter(conn, func(o *eks.FargateProfileDeletedWaiterOptions) {
		o.MinDelay, o.MaxDelay = profilePollMin, profilePollMax
	})
	if err := w.Wait(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(name)}, remaining(ctx)); err != nil {
		return explainProfile(ctx, conn, cluster, name, "be deleted", err)
	}
	return nil
}

// waitUpdate waits for an EKS update (cluster or node group) to finish. An
// update that the API reports as already finished needs no polling.
func waitUpdate(ctx context.Context, conn *eks.Client, cluster, nodegroup, addon string, u *ekstypes.Update) error {
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
	delay := pollMin
	for {
		switch u.Status {
		case ekstypes.UpdateStatusSuccessful:
			return nil
		case ekstypes.UpdateStatusFailed, ekstypes.UpdateStatusCancelled:
			var msgs []string
			for _, e := range u.Errors {
				msgs = append(msgs, fmt.Sprintf("%s: %s", e.ErrorCode, aws.ToString(e.ErrorMessage)))
			}
			return fmt.Errorf("%s ended %s: %s", what, u.Status, strings.Join(msgs, "; "))
		}
		select {
		case <-ctx.Done():
			cause := context.Cause(ctx)
			return timeoutHint(ctx, cause, fmt.Errorf("waiting for %s (last status %s): %w", what, u.Status, cause))
		case <-time.After(delay):
		}
		delay = min(delay*2, pollMax)
		in := &eks.DescribeUpdateInput{Name: aws.String(cluster), UpdateId: u.Id}
		if nodegroup != "" {
			in.NodegroupName = aws.String(nodegroup)
		}
		if addon != "" {
			in.AddonName = aws.String(addon)
		}
		out, err := conn.DescribeUpdate(ctx, in)
		if err != nil {
			return timeoutHint(ctx, err, fmt.Errorf("waiting for %s: %w", what, err))
		}
		u = out.Update
	}
}

// settle waits for what an interrupted or timed-out apply left in
// transition (the cluster CREATING or UPDATING, node groups and profiles
// CREATING or UPDATING) to become ACTIVE, so an update starts from, and
// reports, a settled cluster.
func (o *ops) settle(ctx context.Context, ob *observed) error {
	if ob.cluster != nil && ob.cluster.Status != ekstypes.ClusterStatusActive {
		c, err := waitClusterActive(ctx, o.c.EKS, o.name)
		if err != nil {
			return err
		}
		ob.setCluster(c)
	}
	for name, ng := range ob.nodeGroups {
		if ng.Status == ekstypes.NodegroupStatusCreating || ng.Status == ekstypes.NodegroupStatusUpdating {
			ng, err := waitNodegroupActive(ctx, o.c.EKS, o.name, name)
			if gone(err) {
				ob.setNodegroup(name, nil)
				continue
			}
			if err != nil {
				return err
			}
			ob.setNodegroup(name, ng)
		}
	}
	for name, fp := range ob.profiles {
		if fp.Status == ekstypes.FargateProfileStatusCreating {
			fp, err := waitFargateProfileActive(ctx, o.c.EKS, o.name, name)
			if gone(err) {
				ob.setProfile(name, nil)
				continue
			}
			if err != nil {
				return err
			}
			ob.setProfile(name, fp)
		}
	}
	return nil
}

// gone reports that what a settle waited for was deleted meanwhile (by
// another tool, say): nothing is left to settle, and the update makes it
// again if it is configured.
func gone(err error) bool {
	return apierr.NotFound(err) || apierr.Is(err, "ResourceNotFoundException")
}

// The explain functions turn a waiter's generic failure into one that says
// what the object's status is and why, when EKS says.

func explainCluster(ctx context.Context, conn *eks.Client, name, goal string, err error) error {
	c, ferr := finder.Cluster(context.WithoutCancel(ctx), conn, name)
	if ferr != nil || c == nil {
		return timeoutHint(ctx, err, fmt.Errorf("waiting for EKS cluster %q to %s: %w", name, goal, err))
	}
	var issues []string
	if c.Health != nil {
		for _, i := range c.Health.Issues {
			issues = append(issues, fmt.Sprintf("%s: %s", i.Code, aws.ToString(i.Message)))
		}
	}
	return timeoutHint(ctx, err, fmt.Errorf("EKS cluster %q did not %s: status %s%s", name, goal, c.Status, issueList(issues)))
}

func explainNodegroup(ctx context.Context, conn *eks.Client, cluster, name, goal string, err error) error {
	ng, ferr := finder.Nodegroup(context.WithoutCancel(ctx), conn, cluster, name)
	if ferr != nil || ng == nil {
		return timeoutHint(ctx, err, fmt.Errorf("waiting for node group %q of EKS cluster %q to %s: %w", name, cluster, goal, err))
	}
	var issues []string
	if ng.Health != nil {
		for _, i := range ng.Health.Issues {
			issues = append(issues, fmt.Sprintf("%s: %s", i.Code, aws.ToString(i.Message)))
		}
	}
	return timeoutHint(ctx, err, fmt.Errorf("node group %q of EKS cluster %q did not %s: status %s%s", name, cluster, goal, ng.Status, issueList(issues)))
}

func explainProfile(ctx context.Context, conn *eks.Client, cluster, name, goal string, err error) error {
	fp, ferr := finder.FargateProfile(context.WithoutCancel(ctx), conn, cluster, name)
	if ferr != nil || fp == nil {
		return timeoutHint(ctx, err, fmt.Errorf("waiting for Fargate profile %q of EKS cluster %q to %s: %w", name, cluster, goal, err))
	}
	var issues []string
	if fp.Health != nil {
		for _, i := range fp.Health.Issues {
			issues = append(issues, fmt.Sprintf("%s: %s", i.Code, aws.ToString(i.Message)))
		}
	}
	return timeoutHint(ctx, err, fmt.Errorf("Fargate profile %q of EKS cluster %q did not %s: status %s%s", name, cluster, goal, fp.Status, issueList(issues)))
}

func issueList(issues []string) string {
	if len(issues) == 0 {
		return ""
	}
	return " (" + strings.Join(issues, "; ") + ")"
}

// timeoutHint tells the user which knob to turn when the time ran out;
// cause is what the waiter said.
func timeoutHint(ctx context.Context, cause, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || strings.Contains(cause.Error(), "exceeded max wait time") {
		return fmt.Errorf("%w; the operation ran out of time: raise the `timeouts` of the resource, then apply again to continue", err)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%w; interrupted: apply again to continue", err)
	}
	return err
}
