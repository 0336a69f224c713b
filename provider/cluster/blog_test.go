package cluster_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

const addr = "fargate_cluster.terrax"

// blogConfig is the blog's eksctl cluster as fargate_cluster, with knobs for
// the update steps.
func blogConfig(name string, desired, max int, profiles, tags string, extra ...string) string {
	instanceType, access := "t2.medium", ""
	if len(extra) > 0 {
		instanceType, access = extra[0], extra[1]
	}
	return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "terrax" {
  name               = %q
  kubernetes_version = "1.35"
  network            = { vpc_cidr = "192.168.0.0/16" }
  %s
  node_groups = {
    "node-group" = { instance_types = [%q], desired_size = %d, min_size = 1, max_size = %d }
    "spare"      = { instance_types = ["t3.small"], desired_size = 1, min_size = 1, max_size = 1 }
  }
  fargate_profiles = {
%s
  }
  tags = { %s }
}
`, name, access, instanceType, desired, max, profiles, tags)
}

const (
	fpDefault  = `    "fp-default"      = { selectors = [{ namespace = "default" }, { namespace = "kube-system" }] }`
	fpService  = `    "fp-demo-service" = { selectors = [{ namespace = "tb-demo", labels = { app = "service" } }] }`
	fpBatch    = `    "fp-batch"        = { selectors = [{ namespace = "batch" }] }`
	fpDefault3 = `    "fp-default"      = { selectors = [{ namespace = "default" }, { namespace = "kube-system" }, { namespace = "monitoring" }] }`
)

// TestAccCluster_blog takes the blog's cluster through its life: create,
// scale, add and remove profiles, retag, change a profile (replacing it
// alone), import, drift and repair, destroy.
func TestAccCluster_blog(t *testing.T) {
	c := acctest.Client(t)
	name := "terrax-fargate"
	saved := arns{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             checkGone(c, name),
		Steps: []resource.TestStep{
			{
				Config: blogConfig(name, 1, 2, fpDefault+"\n"+fpService, `team = "brewers"`),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkCluster(c, name, map[string]string{"team": "brewers"}),
					checkNodegroup(c, name, "node-group", 1, 2, "t2.medium"),
					checkProfiles(c, name, map[string][]ekstypes.FargateProfileSelector{
						"fp-default":      {sel("default", nil), sel("kube-system", nil)},
						"fp-demo-service": {sel("tb-demo", map[string]string{"app": "service"})},
					}),
					resource.TestCheckResourceAttr(addr, "status", "ACTIVE"),
					resource.TestCheckResourceAttr(addr, "node_groups.node-group.status", "ACTIVE"),
					resource.TestCheckResourceAttr(addr, "fargate_profiles.fp-default.status", "ACTIVE"),
					resource.TestCheckResourceAttr(addr, "network.private_subnet_ids.#", "3"),
					resource.TestCheckResourceAttr(addr, "network.public_subnet_ids.#", "3"),
					resource.TestCheckResourceAttrSet(addr, "endpoint"),
					resource.TestCheckResourceAttrSet(addr, "certificate_authority_data"),
					resource.TestCheckResourceAttrSet(addr, "oidc_issuer_url"),
					resource.TestCheckResourceAttrSet(addr, "fargate_pod_execution_role_arn"),
					checkCoreDNSOnFargate(t, name),
					saved.save(c, name),
				),
			},
			{
				// Scale the node group, add a profile, remove one, retag: all in
				// place, nothing else touched.
				Config: blogConfig(name, 2, 3, fpDefault+"\n"+fpBatch, `team = "brewers", env = "demo"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkCluster(c, name, map[string]string{"team": "brewers", "env": "demo"}),
					checkNodegroup(c, name, "node-group", 2, 3, "t2.medium"),
					checkProfiles(c, name, map[string][]ekstypes.FargateProfileSelector{
						"fp-default": {sel("default", nil), sel("kube-system", nil)},
						"fp-batch":   {sel("batch", nil)},
					}),
					checkEKSTags(c, name, map[string]string{"team": "brewers", "env": "demo"}),
					saved.same(c, name, []string{"cluster", "fp/fp-default", "ng/node-group", "ng/spare"}, nil),
				),
			},
			{
				// A changed profile replaces that profile only, a changed
				// instance type that node group only; endpoint access changes
				// in place.
				Config: blogConfig(name, 2, 3, fpDefault3+"\n"+fpBatch, `team = "brewers", env = "demo"`, "t3.large", endpointAccess),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(addr, tfjsonPath("fargate_profiles", "fp-default", "arn")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkProfiles(c, name, map[string][]ekstypes.FargateProfileSelector{
						"fp-default": {sel("default", nil), sel("kube-system", nil), sel("monitoring", nil)},
						"fp-batch":   {sel("batch", nil)},
					}),
					checkNodegroup(c, name, "node-group", 2, 3, "t3.large"),
					checkEndpointAccess(c, name),
					saved.same(c, name, []string{"cluster", "fp/fp-batch", "ng/spare"}, []string{"fp/fp-default", "ng/node-group"}),
				),
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// Drift: a profile deleted and the node group scaled outside
				// Terraform show in the plan as an in-place update...
				PreConfig: func() {
					ctx := context.Background()
					if _, err := c.EKS.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String("fp-batch")}); err != nil {
						t.Fatal(err)
					}
					acctest.ScaleNodegroup(t, c, name, "node-group", 3, 1, 3)
				},
				Config:             blogConfig(name, 2, 3, fpDefault3+"\n"+fpBatch, `team = "brewers", env = "demo"`, "t3.large", endpointAccess),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// ...and the apply repairs it.
				Config: blogConfig(name, 2, 3, fpDefault3+"\n"+fpBatch, `team = "brewers", env = "demo"`, "t3.large", endpointAccess),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkNodegroup(c, name, "node-group", 2, 3, "t3.large"),
					checkProfiles(c, name, map[string][]ekstypes.FargateProfileSelector{
						"fp-default": {sel("default", nil), sel("kube-system", nil), sel("monitoring", nil)},
						"fp-batch":   {sel("batch", nil)},
					}),
				),
			},
		},
	})
}

const endpointAccess = `endpoint_private_access = true
  public_access_cidrs     = ["203.0.113.0/24"]`
