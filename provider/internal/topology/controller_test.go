package topology_test

import (
	"context"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/internal/ekstest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/topology"
)

// reader answers v and counts its calls.
func reader(v *bool, calls *int) topology.ControllerReader {
	return func(context.Context, string) *bool { *calls++; return v }
}

func TestLoadBalancerController_plannedIsNeverRead(t *testing.T) {
	yes, no := true, false
	for _, planned := range []*bool{&yes, &no, nil} {
		r := topology.New()
		r.SetLayout("c", nil, 0)
		r.SetLoadBalancerController("c", planned)
		calls := 0
		got := r.LoadBalancerController(ctx, "c", reader(&yes, &calls))
		if calls != 0 || (got == nil) != (planned == nil) || (got != nil && *got != *planned) {
			t.Fatalf("planned %v: got %v after %d reads", planned, got, calls)
		}
		if c := r.Get("c"); (c.LoadBalancerController == nil) != (planned == nil) {
			t.Fatalf("Get: %v", c.LoadBalancerController)
		}
	}
}

func TestLoadBalancerController_readOncePerRunForClustersFromEKS(t *testing.T) {
	conn, _ := ekstest.New(t, fake)
	no := false
	for _, answer := range []*bool{&no, nil} {
		r := topology.New()
		calls := 0
		if got := r.LoadBalancerController(ctx, "c", reader(answer, &calls)); got != nil || calls != 0 {
			t.Fatalf("before Layout: %v, %d reads", got, calls)
		}
		if _, err := r.Layout(ctx, conn, "c"); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			got := r.LoadBalancerController(ctx, "c", reader(answer, &calls))
			if (got == nil) != (answer == nil) || (got != nil && *got) {
				t.Fatalf("answer %v: got %v", answer, got)
			}
		}
		if calls != 1 {
			t.Fatalf("read %d times, want once", calls)
		}
		if got := r.LoadBalancerController(ctx, "c", nil); got != nil && answer == nil {
			t.Fatalf("without a reader: %v", got)
		}
	}
}
