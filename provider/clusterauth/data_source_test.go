package clusterauth_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// The data source gives the cluster's endpoint and CA and a token that STS
// accepts; the placement function takes the cluster's own profiles.
func TestAccClusterAuth(t *testing.T) {
	acctest.Client(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderBlock + `
resource "fargate_cluster" "c" {
  name             = "authme"
  network          = { vpc_cidr = "10.5.0.0/16" }
  fargate_profiles = { "fp-demo-service" = { selectors = [{ namespace = "tb-demo", labels = { app = "service" } }, { namespace = "kube-system" }] } }
}
data "fargate_cluster_auth" "c" {
  name = fargate_cluster.c.name
}
output "where" { value = provider::fargate::placement(fargate_cluster.c.fargate_profiles, "tb-demo", { app = "service" }) }
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrPair("data.fargate_cluster_auth.c", "endpoint", "fargate_cluster.c", "endpoint"),
				resource.TestCheckResourceAttrPair("data.fargate_cluster_auth.c", "certificate_authority_data", "fargate_cluster.c", "certificate_authority_data"),
				resource.TestMatchResourceAttr("data.fargate_cluster_auth.c", "token", regexp.MustCompile(`^k8s-aws-v1\.[A-Za-z0-9_-]+$`)),
				resource.TestCheckOutput("where", "fp-demo-service"),
				func(s *terraform.State) error {
					attrs := s.RootModule().Resources["data.fargate_cluster_auth.c"].Primary.Attributes
					exp, err := time.Parse(time.RFC3339, attrs["token_expiration"])
					if err != nil || time.Until(exp) < 10*time.Minute {
						return fmt.Errorf("token_expiration %q: want about 14 minutes ahead", attrs["token_expiration"])
					}
					id, err := eksauth.Verify(context.Background(), attrs["token"], "authme", acctest.VerifyOptions())
					if err != nil {
						return fmt.Errorf("the token is not accepted: %w", err)
					}
					if id.Account != "123456789012" {
						return fmt.Errorf("token speaks for %+v", id)
					}
					return nil
				},
			),
		}},
	})
}

func TestAccClusterAuth_missingCluster(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      acctest.ProviderBlock + `data "fargate_cluster_auth" "c" { name = "nope" }`,
			ExpectError: regexp.MustCompile(`no EKS cluster "nope" in eu-west-1`),
		}},
	})
}
