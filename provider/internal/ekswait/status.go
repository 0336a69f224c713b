// Package ekswait waits for EKS objects (clusters, node groups, Fargate
// profiles, add-ons, updates) on the provider's one wait primitive: a
// status function per object reads it, a waiter polls the status until a
// target, with the delays of conns.Timing. A waiter that fails says what the
// object's status is and why, when EKS says, and how to go on.
package ekswait

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
)

// statusFunc reads an object: the object, its status, or an error
// (*apierr.NotFoundError when it does not exist).
type statusFunc[T any] func(context.Context) (*T, string, error)

func statusCluster(conn *eks.Client, name string) statusFunc[ekstypes.Cluster] {
	return func(ctx context.Context) (*ekstypes.Cluster, string, error) {
		c, err := finder.Cluster(ctx, conn, name)
		if err != nil {
			return nil, "", err
		}
		return c, string(c.Status), nil
	}
}

func statusNodegroup(conn *eks.Client, cluster, name string) statusFunc[ekstypes.Nodegroup] {
	return func(ctx context.Context) (*ekstypes.Nodegroup, string, error) {
		ng, err := finder.Nodegroup(ctx, conn, cluster, name)
		if err != nil {
			return nil, "", err
		}
		return ng, string(ng.Status), nil
	}
}

func statusFargateProfile(conn *eks.Client, cluster, name string) statusFunc[ekstypes.FargateProfile] {
	return func(ctx context.Context) (*ekstypes.FargateProfile, string, error) {
		fp, err := finder.FargateProfile(ctx, conn, cluster, name)
		if err != nil {
			return nil, "", err
		}
		return fp, string(fp.Status), nil
	}
}

func statusAddon(conn *eks.Client, cluster, name string) statusFunc[ekstypes.Addon] {
	return func(ctx context.Context) (*ekstypes.Addon, string, error) {
		out, err := conn.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: aws.String(cluster), AddonName: aws.String(name)})
		if apierr.IsA[*ekstypes.ResourceNotFoundException](err) {
			return nil, "", &apierr.NotFoundError{What: fmt.Sprintf("add-on %q of EKS cluster %q", name, cluster), Cause: err}
		}
		if err != nil {
			return nil, "", err
		}
		return out.Addon, string(out.Addon.Status), nil
	}
}

// statusUpdate reads an update of the cluster, or of one of its node groups
// or add-ons.
func statusUpdate(conn *eks.Client, cluster, nodegroup, addon, id string) statusFunc[ekstypes.Update] {
	return func(ctx context.Context) (*ekstypes.Update, string, error) {
		in := &eks.DescribeUpdateInput{Name: aws.String(cluster), UpdateId: aws.String(id)}
		if nodegroup != "" {
			in.NodegroupName = aws.String(nodegroup)
		}
		if addon != "" {
			in.AddonName = aws.String(addon)
		}
		out, err := conn.DescribeUpdate(ctx, in)
		if err != nil {
			return nil, "", err
		}
		return out.Update, string(out.Update.Status), nil
	}
}

// issuesOf lists the health issues EKS reports of an object, as
// "code: message".
func issuesOf[I any](issues []I, f func(I) (code string, msg *string)) []string {
	var out []string
	for _, i := range issues {
		code, msg := f(i)
		out = append(out, fmt.Sprintf("%s: %s", code, aws.ToString(msg)))
	}
	return out
}

func clusterIssues(c *ekstypes.Cluster) []string {
	if c.Health == nil {
		return nil
	}
	return issuesOf(c.Health.Issues, func(i ekstypes.ClusterIssue) (string, *string) { return string(i.Code), i.Message })
}

func nodegroupIssues(ng *ekstypes.Nodegroup) []string {
	if ng.Health == nil {
		return nil
	}
	return issuesOf(ng.Health.Issues, func(i ekstypes.Issue) (string, *string) { return string(i.Code), i.Message })
}

func profileIssues(fp *ekstypes.FargateProfile) []string {
	if fp.Health == nil {
		return nil
	}
	return issuesOf(fp.Health.Issues, func(i ekstypes.FargateProfileIssue) (string, *string) { return string(i.Code), i.Message })
}

func addonIssues(a *ekstypes.Addon) []string {
	if a.Health == nil {
		return nil
	}
	return issuesOf(a.Health.Issues, func(i ekstypes.AddonIssue) (string, *string) { return string(i.Code), i.Message })
}
