package cluster_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

func coreDNSPlanConfig(body string) string {
	return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "plan" {
  name    = "coredns-plan"
  network = { vpc_cidr = "10.86.0.0/16" }
  %s
}
`, body)
}

// TestAccCluster_coreDNSNowhereRefusedAtPlan: a managed CoreDNS that could
// not run is refused at plan, on coredns_compute_type, instead of failing
// the apply once EKS reports the add-on DEGRADED: on EC2 with no node group
// (auto with no profile selecting it, or ec2), or on Fargate with no
// profile selecting it. What can run, or what the plan cannot judge, plans.
func TestAccCluster_coreDNSNowhereRefusedAtPlan(t *testing.T) {
	acctest.Client(t)
	apps := `fargate_profiles = { apps = { selectors = [{ namespace = "apps" }] } }`
	system := `fargate_profiles = { system = { selectors = [{ namespace = "kube-system" }] } }`
	nodes := `node_groups = { ng = { instance_types = ["t3.medium"], desired_size = 1, min_size = 1, max_size = 1 } }`
	nowhere := func(why string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)CoreDNS has nowhere to run.*` + why + `.*Add\s+the\s+selector\s+\{\s+namespace\s+=\s+"kube-system"\s+\}`)
	}
	plans := func(body string) resource.TestStep {
		return resource.TestStep{Config: coreDNSPlanConfig(body), PlanOnly: true, ExpectNonEmptyPlan: true}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: coreDNSPlanConfig(apps), PlanOnly: true, ExpectError: nowhere(`no\s+Fargate\s+profile\s+selects\s+CoreDNS's\s+pods`)},
			{Config: coreDNSPlanConfig(system + "\n  coredns_compute_type = \"ec2\""), PlanOnly: true, ExpectError: nowhere(`coredns_compute_type\s+is\s+"ec2"`)},
			{Config: coreDNSPlanConfig(apps + "\n  " + nodes + "\n  coredns_compute_type = \"fargate\""), PlanOnly: true, ExpectError: nowhere(`is\s+"fargate",\s+but\s+no\s+Fargate\s+profile`)},
			plans(system),
			plans(apps + "\n  " + nodes),
			plans(system + "\n  " + nodes + "\n  coredns_compute_type = \"ec2\""),
			// Not managed: nothing waits for it.
			plans(apps + "\n  addons = { vpc-cni = {}, kube-proxy = {} }"),
			// Profiles others add could select it.
			plans(apps + "\n  exclusive_fargate_profiles = false"),
			// No compute at all yet: the apply warns instead.
			plans(""),
		},
	})
}
