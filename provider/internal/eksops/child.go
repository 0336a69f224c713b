// Package eksops makes and deletes the children of an EKS cluster (node
// groups, Fargate profiles) the way EKS requires: a create that meets one
// of the same name being deleted waits for it, one left by an interrupted
// apply is taken over, and a Fargate profile operation refused because
// another is in progress on the cluster waits its turn. fargate_cluster
// and fargate_profile share it, so both take turns the same way.
package eksops

import (
	"context"
	"fmt"
	"strings"

	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
)

// AlreadyExists reports EKS refusing to create a node group or profile that
// exists: left by an interrupted apply of the same resource; the next plan
// shows any difference.
func AlreadyExists(err error) bool {
	return apierr.IsA[*ekstypes.ResourceInUseException](err) && strings.Contains(apierr.Message(err), "already exists")
}

// Create makes one node group or profile: create (retried while
// retryable), record what EKS answered, wait until ACTIVE and record that.
// One that exists already was left by an interrupted apply of the same
// resource: it is waited for and recorded; the next plan shows any
// difference. One that exists but is DELETING holds its name until it is
// gone (EKS answers "already exists"): predecessorGone waits for that,
// reporting whether it did, and the create is made again.
func Create[T any](ctx context.Context, d wait.Delays, retryable func(error) bool, what string,
	create, waitActive func(context.Context) (*T, error), predecessorGone func(context.Context) (bool, error), record func(*T)) error {
	var made *T
	try := func() error {
		return wait.Retry(ctx, d, retryable, func(ctx context.Context) (err error) {
			made, err = create(ctx)
			return err
		})
	}
	err := try()
	if AlreadyExists(err) {
		if gone, werr := predecessorGone(ctx); werr != nil {
			return fmt.Errorf("creating %s: waiting for the one of that name being deleted: %w", what, werr)
		} else if gone {
			err = try()
		}
	}
	switch {
	case AlreadyExists(err):
	case err != nil:
		return fmt.Errorf("creating %s: %w", what, err)
	default:
		record(made)
	}
	v, err := waitActive(ctx)
	if v != nil {
		record(v)
	}
	return err
}

// Delete deletes one node group or profile (retried while retryable; one
// already gone is fine), waits until it is gone and records that.
func Delete(ctx context.Context, d wait.Delays, retryable func(error) bool, what string,
	del, waitDeleted func(context.Context) error, recordGone func()) error {
	err := wait.Retry(ctx, d, retryable, del)
	if err != nil && !apierr.IsA[*ekstypes.ResourceNotFoundException](err) {
		return fmt.Errorf("deleting %s: %w", what, err)
	}
	if err := waitDeleted(ctx); err != nil {
		return err
	}
	recordGone()
	return nil
}
