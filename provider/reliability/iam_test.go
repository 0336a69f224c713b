package reliability_test

import (
	"fmt"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// small is a cluster with one node group and one profile; timeouts is the
// body of its timeouts block.
func small(name, cidr, timeouts string) string {
	return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "small" {
  name             = %q
  network          = { vpc_cidr = %q }
  node_groups      = { "ng" = { instance_types = ["t3.medium"], desired_size = 1, min_size = 1, max_size = 3 } }
  fargate_profiles = { "fp" = { selectors = [{ namespace = "apps" }] } }
  timeouts {
    %s
  }
}
`, name, cidr, timeouts)
}

// Scenario 3: IAM's eventual consistency. A role is refused by EKS as
// "could not be assumed" for its first seconds, as real IAM does; the
// create waits it out and succeeds.
func TestIAM_newRolesNotYetAssumable(t *testing.T) {
	c := acctest.Client(t)
	const name = "iam-lag"
	acctest.Shape(t, map[string]any{"iam_propagation": "5s"})
	before := acctest.Calls(t)
	w := acctest.NewWorkdir(t, small(name, "10.66.0.0/16", ""))
	w.Apply()
	d := delta(before, acctest.Calls(t))
	if d["eks:CreateCluster"] < 2 {
		t.Fatalf("EKS never refused the new cluster role, so the test proves nothing: %v", d)
	}
	if inv := acctest.Take(t, c, name); inv.Clusters != 1 || inv.Nodegroups != 1 || inv.Profiles != 1 || len(inv.Roles) != 3 || inv.VPCs != 1 {
		t.Fatalf("after the create: %s", inv)
	}
	t.Logf("CreateCluster called %d times while the role propagated", d["eks:CreateCluster"])
	w.Destroy()
	wantGone(t, c, name)
}
