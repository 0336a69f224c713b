package reliability_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

var ranOutOfTime = regexp.MustCompile(`ran\s+out\s+of\s+time:\s+raise\s+the\s+.timeouts.\s+of\s+the\s+resource,\s+then\s+apply\s+again\s+to\s+continue`)

// A create that ran out of time leaves a tainted resource: the error says
// how to resume it rather than replace it.
var createRanOutOfTime = regexp.MustCompile(`ran\s+out\s+of\s+time:\s+raise\s+the\s+.timeouts.\s+of\s+the\s+resource;\s+the\s+cluster\s+is\s+recorded\s+in\s+the\s+state\s+as\s+tainted:\s+run\s+.terraform\s+untaint\s+<address>.\s+and\s+apply\s+again\s+to\s+resume,\s+or\s+apply\s+now\s+to\s+replace\s+it\s+\(deleting\s+what\s+was\s+built\)`)

// Scenario 7: timeouts shorter than the operation. Create, update and
// destroy each end with a clear error; the state then holds what exists,
// and the next run with enough time continues from there (after
// `terraform untaint`, as the create error says, the same cluster is kept).
func TestTimeouts_shorterThanTheOperation(t *testing.T) {
	c := acctest.Client(t)
	const name, cidr = "too-short", "10.67.0.0/16"
	acctest.Shape(t, map[string]any{"cluster_create": "6s", "nodegroup_update": "6s", "profile_delete": "6s"})
	w := acctest.NewWorkdir(t, small(name, cidr, `create = "3s"`))

	out, err := w.Run("apply", "-auto-approve", "-input=false", "-no-color")
	if err == nil || !createRanOutOfTime.MatchString(out) {
		t.Fatalf("a create shorter than the cluster's did not fail clearly (%v):\n%s", err, out)
	}
	cl, err := c.EKS.DescribeCluster(bg, &eks.DescribeClusterInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("the cluster being created is gone: %v", err)
	}
	if st := w.Must("state", "show", "-no-color", "fargate_cluster.small"); !strings.Contains(st, aws.ToString(cl.Cluster.Arn)) || !strings.Contains(st, "tainted") {
		t.Fatalf("the state does not hold the cluster being created, tainted:\n%s", st)
	}
	w.Must("untaint", "fargate_cluster.small")
	w.SetConfig(small(name, cidr, `create = "5m"`))
	w.Apply()
	again, err := c.EKS.DescribeCluster(bg, &eks.DescribeClusterInput{Name: aws.String(name)})
	if err != nil || !aws.ToTime(again.Cluster.CreatedAt).Equal(aws.ToTime(cl.Cluster.CreatedAt)) {
		t.Fatalf("the apply after the timeout did not continue with the same cluster: %v", err)
	}
	if inv := acctest.Take(t, c, name); inv.Clusters != 1 || inv.Nodegroups != 1 || inv.Profiles != 1 || len(inv.Roles) != 3 || inv.VPCs != 1 {
		t.Fatalf("after continuing: %s", inv)
	}

	// Update: scaling takes longer than allowed.
	scaled := strings.Replace(small(name, cidr, `update = "2s"`), "desired_size = 1", "desired_size = 3", 1)
	w.SetConfig(scaled)
	if out, err := w.Run("apply", "-auto-approve", "-input=false", "-no-color"); err == nil || !ranOutOfTime.MatchString(out) {
		t.Fatalf("an update shorter than the scaling did not fail clearly (%v):\n%s", err, out)
	}
	w.SetConfig(strings.Replace(scaled, `update = "2s"`, `update = "5m"`, 1))
	w.Apply()
	if plan := w.Must("plan", "-input=false", "-no-color"); !strings.Contains(plan, "No changes.") {
		t.Fatalf("not converged after the update continued:\n%s", plan)
	}

	// Destroy: the profile's deletion takes longer than allowed.
	w.SetConfig(strings.Replace(scaled, `update = "2s"`, `delete = "2s"`, 1))
	w.Apply()
	if out, err := w.Run("destroy", "-auto-approve", "-input=false", "-no-color"); err == nil || !ranOutOfTime.MatchString(out) {
		t.Fatalf("a destroy shorter than the profile's deletion did not fail clearly (%v):\n%s", err, out)
	}
	w.SetConfig(strings.Replace(scaled, `update = "2s"`, `delete = "5m"`, 1))
	w.Apply()
	w.Destroy()
	wantGone(t, c, name)
}
