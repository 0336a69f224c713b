package ekswait

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekstest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
)

// A node group that ends CREATE_FAILED or turns DEGRADED ends the wait at
// once with its name, its health issues and what to do.
func TestNodegroupActive_failedOrDegraded(t *testing.T) {
	for status, todo := range map[string]string{"CREATE_FAILED": "EKS does not retry", "DEGRADED": "cannot keep its nodes"} {
		t.Run(status, func(t *testing.T) {
			reads := 0
			conn, _ := ekstest.New(t, func([]string, url.Values) ekstest.Reply {
				reads++
				st := "CREATING"
				if reads > 1 {
					st = status
				}
				return ekstest.Reply{Body: map[string]any{"nodegroup": map[string]any{"nodegroupName": "ng", "status": st,
					"health": map[string]any{"issues": []any{map[string]any{"code": "AsgInstanceLaunchFailures", "message": "no capacity"}}}}}}
			})
			w := Waiter{EKS: conn, Timing: conns.Timing{Poll: wait.Fixed(time.Millisecond)}}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := w.NodegroupActive(ctx, "c", "ng")
			for _, want := range []string{`node group "ng" of EKS cluster "c"`, "status " + status, "AsgInstanceLaunchFailures: no capacity", todo} {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("NodegroupActive: %v, want it to say %q", err, want)
				}
			}
			if ctx.Err() != nil {
				t.Fatal("waited until the timeout")
			}
		})
	}
}
