// Package logging owns the CloudWatch Logs groups of a cluster: the one EKS
// writes control plane logs to (/aws/eks/<name>/cluster) and the one
// Fargate pods ship their logs to. The resource makes them itself, before
// EKS or Fluent Bit would (EKS makes the control plane's with no expiry and
// none of the cluster's tags), so each carries its retention and the owner
// tag, and destroy deletes exactly the groups it made.
package logging

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
)

// Groups are the log groups of one cluster.
type Groups struct {
	c     *conns.Client
	owner owned.Owner
}

// New returns the log groups of the cluster of owner.
func New(c *conns.Client, owner owned.Owner) *Groups { return &Groups{c: c, owner: owner} }

// Ensure makes log group name with a retention of days and the owner's
// tags, or sets the retention of the group an earlier apply made. A group
// of that name the resource did not make is refused: its logs are not the
// resource's to expire or delete.
func (g *Groups) Ensure(ctx context.Context, name string, days int64) error {
	lg, err := finder.LogGroup(ctx, g.c.Logs, name)
	switch {
	case apierr.NotFound(err):
		_, err = g.c.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name), Tags: g.owner.TagsWith(nil)})
		if err != nil && !apierr.IsA[*logtypes.ResourceAlreadyExistsException](err) {
			return fmt.Errorf("creating log group %q: %w", name, err)
		}
	case err != nil:
		return err
	default:
		mine, err := g.owns(ctx, name)
		if err != nil {
			return err
		}
		if !mine {
			return fmt.Errorf("log group %q already exists and was not made by this resource (EKS keeps a deleted cluster's log group); "+
				"delete it, or export and delete it, and apply again", name)
		}
		if int64(aws.ToInt32(lg.RetentionInDays)) == days {
			return nil
		}
	}
	if _, err := g.c.Logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{
		LogGroupName: aws.String(name), RetentionInDays: aws.Int32(int32(days)),
	}); err != nil {
		return fmt.Errorf("setting the retention of log group %q to %d days: %w", name, days, err)
	}
	return nil
}

// Retention is the retention of log group name in days (0: never
// expires); *apierr.NotFoundError when it does not exist.
func (g *Groups) Retention(ctx context.Context, name string) (int64, error) {
	lg, err := finder.LogGroup(ctx, g.c.Logs, name)
	if err != nil {
		return 0, err
	}
	return int64(aws.ToInt32(lg.RetentionInDays)), nil
}

// Delete deletes log group name when the resource made it.
func (g *Groups) Delete(ctx context.Context, name string) error {
	mine, err := g.owns(ctx, name)
	if apierr.NotFound(err) {
		return nil
	}
	if err != nil || !mine {
		return err
	}
	_, err = g.c.Logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)})
	if err != nil && !apierr.IsA[*logtypes.ResourceNotFoundException](err) {
		return fmt.Errorf("deleting log group %q: %w", name, err)
	}
	return nil
}

// owns reports whether log group name carries this cluster's owner tag.
func (g *Groups) owns(ctx context.Context, name string) (bool, error) {
	//nolint:staticcheck // ListTagsForResource needs the group's ARN; this takes its name
	out, err := g.c.Logs.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String(name)})
	if apierr.IsA[*logtypes.ResourceNotFoundException](err) {
		return false, &apierr.NotFoundError{What: fmt.Sprintf("log group %q", name), Cause: err}
	}
	if err != nil {
		return false, fmt.Errorf("reading the tags of log group %q: %w", name, err)
	}
	return out.Tags[owned.Tag] == g.owner.Value(), nil
}

// UpdateTags sets and removes tags of log group name.
func (g *Groups) UpdateTags(ctx context.Context, name string, set map[string]string, remove []string) error {
	if len(remove) > 0 {
		//nolint:staticcheck // UntagResource needs the group's ARN; this takes its name
		if _, err := g.c.Logs.UntagLogGroup(ctx, &cloudwatchlogs.UntagLogGroupInput{LogGroupName: aws.String(name), Tags: remove}); err != nil {
			return fmt.Errorf("untagging log group %q: %w", name, err)
		}
	}
	if len(set) > 0 {
		//nolint:staticcheck // as above
		if _, err := g.c.Logs.TagLogGroup(ctx, &cloudwatchlogs.TagLogGroupInput{LogGroupName: aws.String(name), Tags: set}); err != nil {
			return fmt.Errorf("tagging log group %q: %w", name, err)
		}
	}
	return nil
}
