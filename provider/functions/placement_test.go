package functions_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// The function through the real Terraform CLI, on the blog's profiles
// written out as HCL.
func TestAccPlacementFunction(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderBlock + `
locals {
  profiles = {
    "fp-default"      = { selectors = [{ namespace = "default" }, { namespace = "kube-system" }] }
    "fp-demo-service" = { selectors = [{ namespace = "tb-demo", labels = { app = "service" } }] }
    "fp-wild"         = { selectors = [{ namespace = "team-*", labels = { tier = "web?" } }] }
  }
}
output "service"  { value = provider::fargate::placement(local.profiles, "tb-demo", { app = "service", "pod-template-hash" = "5d9c" }) }
output "database" { value = provider::fargate::placement(local.profiles, "tb-demo", { app = "database" }) == null }
output "coredns"  { value = provider::fargate::placement(local.profiles, "kube-system", { "k8s-app" = "kube-dns" }) }
output "nolabels" { value = provider::fargate::placement(local.profiles, "default", null) }
output "wildcard" { value = provider::fargate::placement(local.profiles, "team-a", { tier = "web1" }) }
output "wildmiss" { value = provider::fargate::placement(local.profiles, "team-a", { tier = "web12" }) == null }
output "pinned"   { value = provider::fargate::placement(local.profiles, "tb-demo", { app = "service", "eks.amazonaws.com/fargate-profile" = "fp-default" }) == null }
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckOutput("service", "fp-demo-service"),
				resource.TestCheckOutput("database", "true"),
				resource.TestCheckOutput("coredns", "fp-default"),
				resource.TestCheckOutput("nolabels", "fp-default"),
				resource.TestCheckOutput("wildcard", "fp-wild"),
				resource.TestCheckOutput("wildmiss", "true"),
				// Pinned to a profile whose selectors do not match: not on Fargate.
				resource.TestCheckOutput("pinned", "true"),
			),
		}},
	})
}

func TestAccPlacementFunction_badArgument(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderBlock + `
output "x" { value = provider::fargate::placement({ fp = { selectors = "default" } }, "default", {}) }
`,
			ExpectError: regexp.MustCompile(`Invalid value for "fargate_profiles" parameter:\s+profile\s+"fp":\s+want\s+a\s+list\s+of\s+selectors`),
		}},
	})
}
