package cluster_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

func TestAccCluster_unreachableEndpoint(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderBlock + `
resource "fargate_cluster" "bad" {
  name                    = "x"
  network                 = { vpc_cidr = "10.0.0.0/16" }
  endpoint_public_access  = false
  endpoint_private_access = false
}`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Unreachable cluster endpoint.*endpoint_public_access\s+= false`),
		}},
	})
}

// flex lets a space in a pattern match the line breaks Terraform wraps
// diagnostics with.
func flex(pattern string) string { return strings.ReplaceAll(pattern, " ", `\s+`) }

// Version changes EKS cannot make are refused at plan, against the state.
func TestAccCluster_versionChange(t *testing.T) {
	cfg := func(v string) string {
		return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "v" {
  name               = "versions"
  kubernetes_version = %q
  network            = { vpc_cidr = "10.3.0.0/16" }
}`, v)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg("1.34")},
			{Config: cfg("1.36"), PlanOnly: true, ExpectError: regexp.MustCompile(flex(`cannot upgrade from 1.34 to 1.36 in one step: EKS upgrades one minor version at a time \(next: 1.35\)`))},
			{Config: cfg("1.33"), PlanOnly: true, ExpectError: regexp.MustCompile(flex(`cannot change the Kubernetes version from 1.34 to 1.33: EKS does not downgrade`))},
		},
	})
}
