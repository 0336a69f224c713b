package reliability_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// Scenario 1: throttling and server errors on every EKS, IAM and EC2
// operation, and answers lost after AWS did the work (only idempotency
// tokens, or recognising one's own object, make those safe to retry).
// Apply, update and destroy of the blog still succeed; each retry is
// logged; nothing is duplicated.
func TestFaults_throttlingServerErrorsLostResponses(t *testing.T) {
	c := acctest.Client(t)
	const name = "faults"
	w := blogWorkdir(t, name, "10.61.0.0/16")
	acctest.Shape(t, map[string]any{
		"throttle_rate": 0.15, "error_rate": 0.05, "seed": 6,
		"lost_response_rate": 0.5,
		"lost_response_ops":  []string{"CreateCluster", "CreateNodegroup", "CreateFargateProfile", "CreateAddon", "CreateNatGateway", "CreateRole", "UpdateNodegroupConfig"},
	})
	before := acctest.Calls(t)

	w.Apply()
	wantBlog(t, c, name)
	// Update: scale the node group and the service.
	w.SetConfig(strings.Replace(blog(t, name, "10.61.0.0/16"), "desired_size = 1, min_size = 1, max_size = 2", "desired_size = 2, min_size = 1, max_size = 3", 1))
	w.Must("apply", "-auto-approve", "-input=false", "-no-color", "-var", "service_replicas=4")
	wantBlog(t, c, name)
	if out := w.Must("plan", "-detailed-exitcode", "-input=false", "-no-color", "-var", "service_replicas=4"); !strings.Contains(out, "No changes.") {
		t.Fatalf("after the update under faults the plan is not empty:\n%s", out)
	}
	w.Must("destroy", "-auto-approve", "-input=false", "-no-color", "-var", "service_replicas=4")
	wantGone(t, c, name)

	d := delta(before, acctest.Calls(t))
	throttled, failed, lost := d["localeks:injected-throttling"], d["localeks:injected-5xx"], d["localeks:injected-lost-response"]
	t.Logf("injected: %d throttled, %d server errors, %d lost responses; %d idempotent replays", throttled, failed, lost, d["localeks:idempotent-replay"])
	if throttled < 10 || failed < 3 || lost < 3 {
		t.Fatalf("too few faults injected to prove anything: %v", d)
	}
	if d["localeks:idempotent-replay"] == 0 {
		t.Fatalf("no lost create was retried with its idempotency token: %v", d)
	}
	for k := range d {
		if strings.HasPrefix(k, "localeks:missing-token:") {
			t.Fatalf("%s: a call that takes an idempotency token was made without one", k)
		}
	}
	// Every injected fault the provider met was retried, and logged; none
	// was retried without bound (the SDK stops after max_retries attempts).
	log, err := os.ReadFile(w.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	retries := len(regexp.MustCompile(`AWS SDK: retrying request`).FindAll(log, -1))
	if retries == 0 || retries > throttled+failed+lost {
		t.Fatalf("%d retries logged for %d injected faults; each fault should cost exactly one logged retry", retries, throttled+failed+lost)
	}
	if n := len(regexp.MustCompile(`retrying request .*attempt 1[0-9]\b`).FindAll(log, -1)); n > 0 {
		t.Fatalf("%d requests retried 10 times or more", n)
	}
}
