package ekswait

import (
	"context"
	"errors"
	"fmt"
)

type creatingKey struct{}

// Creating marks ctx as the create of a cluster that now exists: when a
// create fails, Terraform records the resource as tainted and the next
// apply would replace it, so the way on is different (see Hint).
func Creating(ctx context.Context) context.Context {
	return context.WithValue(ctx, creatingKey{}, true)
}

// Resume says how to go on after a create that failed once the cluster
// existed, without replacing what was built.
const Resume = "the cluster is recorded in the state as tainted: run `terraform untaint <address>` and apply again to resume, " +
	"or apply now to replace it (deleting what was built)"

// Hint adds to err, when ctx ran out of time or was interrupted, which
// knob to turn and how to go on.
func Hint(ctx context.Context, err error) error {
	creating, _ := ctx.Value(creatingKey{}).(bool)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && creating:
		return fmt.Errorf("%w; the operation ran out of time: raise the `timeouts` of the resource; %s", err, Resume)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%w; the operation ran out of time: raise the `timeouts` of the resource, then apply again to continue", err)
	case ctx.Err() != nil && creating:
		return fmt.Errorf("%w; interrupted: %s", err, Resume)
	case ctx.Err() != nil:
		return fmt.Errorf("%w; interrupted: apply again to continue", err)
	}
	return err
}
