package cluster_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

func lbcPlanConfig(profiles, more string) string {
	return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "plan" {
  name             = "lbc-plan"
  network          = { vpc_cidr = "10.85.0.0/16" }
  fargate_profiles = { %s }
  %s
}
`, profiles, more)
}

// TestAccCluster_loadBalancerControllerPlanChecks: what cannot work is
// refused at plan, on load_balancer_controller: pods with nowhere to run
// (no node group, and no profile selecting them with their labels), no
// OIDC provider for IRSA, a version the provider does not embed.
func TestAccCluster_loadBalancerControllerPlanChecks(t *testing.T) {
	acctest.Client(t)
	apps := `apps = { selectors = [{ namespace = "apps" }] }`
	system := `system = { selectors = [{ namespace = "kube-system" }] }`
	wrongLabels := `system = { selectors = [{ namespace = "kube-system", labels = { "app.kubernetes.io/name" = "coredns" } }] }`
	on := `load_balancer_controller = { enabled = true }`
	nowhere := regexp.MustCompile(`(?s)has nowhere to run.*load_balancer_controller.*Add the selector \{ namespace = "kube-system" \}`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: lbcPlanConfig(apps, on), PlanOnly: true, ExpectError: nowhere},
			{Config: lbcPlanConfig(wrongLabels, on), PlanOnly: true, ExpectError: nowhere},
			{
				Config: lbcPlanConfig(system, on+"\n  oidc_provider = false"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)needs the IAM OIDC provider.*load_balancer_controller.*oidc_provider = true`),
			},
			{
				Config: lbcPlanConfig(system, `load_balancer_controller = { version = "v2.0.0" }`), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)load_balancer_controller.version.*must be one of.*v2.17.1.*v3.5.0`),
			},
			// Off, or with somewhere to run, it plans.
			// (CoreDNS, which would have nowhere to run either, left unmanaged.)
			{Config: lbcPlanConfig(apps, `load_balancer_controller = { enabled = false }`+"\n  addons = { vpc-cni = {}, kube-proxy = {} }"), PlanOnly: true, ExpectNonEmptyPlan: true},
			{Config: lbcPlanConfig(system, on), PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
}
