package cluster_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// TestAccCluster_addonDegraded: CoreDNS kept on EC2 (no profile selects
// kube-system) in a cluster with Fargate profiles only cannot run, and EKS
// reports its add-on DEGRADED with InsufficientNumberOfReplicas (DescribeAddon,
// health.issues): the apply fails within seconds, not at the timeout,
// naming the add-on, EKS's issue and what to do; destroy leaves nothing.
// (With exclusive_fargate_profiles = false, as here, profiles others add
// might select CoreDNS, so the plan cannot refuse it; with true it does:
// TestAccCluster_coreDNSNowhereRefusedAtPlan.)
func TestAccCluster_addonDegraded(t *testing.T) {
	c := acctest.Client(t)
	name := "small-degraded"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             smallGone(c, name),
		Steps: []resource.TestStep{{
			Config: addonsConfig(name, "10.94.0.0/16", "1.35", `fargate_profiles = { apps = { selectors = [{ namespace = "apps" }] } }
  exclusive_fargate_profiles = false`),
			ExpectError: regexp.MustCompile(`(?s)coredns add-on of EKS cluster "small-degraded".*is DEGRADED\s+\(InsufficientNumberOfReplicas:.*` +
				`desired\s+number\s+of\s+replicas.*CoreDNS's\s+pods\s+have\s+nowhere\s+to\s+run.*coredns_compute_type`),
		}},
	})
}
