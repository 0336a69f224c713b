package apierr

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/smithy-go"
)

func TestIsAndNotFound(t *testing.T) {
	inUse := &smithy.GenericAPIError{Code: "ResourceInUseException", Message: "cluster x currently has Fargate profile y in status CREATING"}
	wrapped := fmt.Errorf("creating profile: %w", inUse)
	if !Is(wrapped, "ResourceInUseException") || !Is(wrapped, "ResourceInUseException", "in status") {
		t.Fatal("Is should see the wrapped code and message")
	}
	if Is(wrapped, "ResourceInUseException", "already exists") || Is(nil, "X") || Is(wrapped, "Throttling") {
		t.Fatal("Is matched what it should not")
	}
	nf := fmt.Errorf("reading: %w", &NotFoundError{What: `EKS cluster "a"`, Cause: inUse})
	if !NotFound(nf) || NotFound(wrapped) {
		t.Fatal("NotFound misclassifies")
	}
	if got := nf.Error(); got != `reading: EKS cluster "a" not found` {
		t.Fatalf("message = %q", got)
	}
}

func TestRetryWhile(t *testing.T) {
	retryable := &smithy.GenericAPIError{Code: "ResourceInUseException"}
	calls := 0
	err := RetryWhile(context.Background(), Backoff{Initial: time.Millisecond, Max: 2 * time.Millisecond},
		func(err error) bool { return Is(err, "ResourceInUseException") },
		func() error {
			calls++
			if calls < 4 {
				return retryable
			}
			return nil
		})
	if err != nil || calls != 4 {
		t.Fatalf("err=%v calls=%d, want success on the 4th call", err, calls)
	}

	fatal := errors.New("boom")
	calls = 0
	err = RetryWhile(context.Background(), DefaultBackoff, func(error) bool { return false }, func() error { calls++; return fatal })
	if !errors.Is(err, fatal) || calls != 1 {
		t.Fatalf("non-retryable error must stop at once: err=%v calls=%d", err, calls)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err = RetryWhile(ctx, Backoff{Initial: 5 * time.Millisecond, Max: 5 * time.Millisecond},
		func(error) bool { return true }, func() error { return retryable })
	if !errors.Is(err, retryable) || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("expected the last error after the deadline, got %v", err)
	}
}

func TestIsAMessageContains(t *testing.T) {
	inUse := fmt.Errorf("creating: %w", &ekstypes.ResourceInUseException{Message: aws.String("Fargate profile fp already exists")})
	if !IsAMessageContains[*ekstypes.ResourceInUseException](inUse, "already exists") ||
		IsAMessageContains[*ekstypes.ResourceInUseException](inUse, "in progress") ||
		IsAMessageContains[*ekstypes.ResourceNotFoundException](inUse, "already exists") {
		t.Fatal("IsAMessageContains")
	}
}
