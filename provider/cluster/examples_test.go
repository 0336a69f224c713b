package cluster_test

import (
	"fmt"
	"testing"

	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// TestAccExample_blog applies and destroys examples/blog as a user would,
// and checks the result through the AWS API.
func TestAccExample_blog(t *testing.T) {
	c := acctest.Client(t)
	name := "terrax-fargate"
	resource.Test(t, resource.TestCase{
		CheckDestroy: checkGone(c, name),
		Steps: []resource.TestStep{{
			// The example names its provider source, so the provider is given per step.
			ProtoV6ProviderFactories: acctest.ProviderFactories,
			ConfigDirectory:          config.StaticDirectory("../../examples/blog"),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkCluster(c, name, map[string]string{"team": "brewers"}),
				checkNodegroup(c, name, "node-group", 1, 2, "t2.medium"),
				checkProfiles(c, name, map[string][]ekstypes.FargateProfileSelector{
					"fp-default":      {sel("default", nil), sel("kube-system", nil)},
					"fp-demo-service": {sel("tb-demo", map[string]string{"app": "service"})},
				}),
				func(s *terraform.State) error {
					for _, o := range []string{"cluster_endpoint", "cluster_certificate_authority_data", "private_subnet_ids", "fargate_profiles"} {
						if out := s.RootModule().Outputs[o]; out == nil || out.Value == nil || fmt.Sprint(out.Value) == "" {
							return fmt.Errorf("output %s is empty", o)
						}
					}
					if got := fmt.Sprint(s.RootModule().Outputs["fargate_profiles"].Value); got != "map[fp-default:ACTIVE fp-demo-service:ACTIVE]" {
						return fmt.Errorf("output fargate_profiles = %s", got)
					}
					return nil
				},
			),
		}},
	})
}
