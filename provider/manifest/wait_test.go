package manifest

import (
	"context"
	"errors"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
)

var quick = &applier{timing: timing{Poll: wait.Fixed(time.Millisecond), Retry: wait.Fixed(time.Millisecond)}}

func TestPoll(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := quick.poll(ctx, "web to roll out", func() (bool, string, error) { return false, "1 of 2 pods ready", nil })
	if want := "timed out waiting for web to roll out: 1 of 2 pods ready; raise the resource's timeouts, or set wait = false"; err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	refused := errors.New("web cannot roll out: Fargate refused it")
	if err := quick.poll(context.Background(), "web", func() (bool, string, error) { return false, "", verdict{refused} }); err != refused {
		t.Fatalf("a verdict: got %v", err)
	}
	if err := quick.poll(context.Background(), "web", func() (bool, string, error) { return false, "", errors.New("forbidden") }); err == nil || err.Error() != "waiting for web: forbidden" {
		t.Fatalf("an error: got %v", err)
	}
	n := 0
	if err := quick.poll(context.Background(), "web", func() (bool, string, error) { n++; return n == 3, "", nil }); err != nil || n != 3 {
		t.Fatalf("done after %d checks: %v", n, err)
	}
}

func TestRetryTransient(t *testing.T) {
	unavailable := apierrors.NewServiceUnavailable("starting")
	n := 0
	if err := quick.retryTransient(context.Background(), func(context.Context) error {
		if n++; n < 3 {
			return unavailable
		}
		return nil
	}); err != nil || n != 3 {
		t.Fatalf("after %d calls: %v", n, err)
	}
	forbidden := apierrors.NewForbidden(schema.GroupResource{Group: "apps", Resource: "deployments"}, "web", errors.New("no"))
	if err := quick.retryTransient(context.Background(), func(context.Context) error { return forbidden }); err != forbidden {
		t.Fatalf("a final error: got %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := quick.retryTransient(ctx, func(context.Context) error { return unavailable })
	if !errors.Is(err, unavailable) || err.Error() != unavailable.Error()+" (gave up: context deadline exceeded)" {
		t.Fatalf("gave up: got %v", err)
	}
}
