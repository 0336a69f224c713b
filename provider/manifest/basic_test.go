package manifest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// basicConfig is a lean cluster (no node group, no profile) and a manifest
// of a namespace and a ConfigMap, which need no pod to run.
func basicConfig(name, greeting string) string {
	return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "small" {
  name    = %q
  network = { vpc_cidr = "10.84.0.0/16", availability_zones = ["eu-west-1a", "eu-west-1b"] }
}

resource "fargate_manifest" "config" {
  cluster  = fargate_cluster.small.name
  manifest = <<-YAML
    apiVersion: v1
    kind: Namespace
    metadata:
      name: basic
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: greeting
      namespace: basic
    data:
      greeting: %q
  YAML
}
`, name, greeting)
}

// TestAccManifest_basic applies two objects to a new cluster in the same
// apply and changes one in place, checked through the Kubernetes API.
func TestAccManifest_basic(t *testing.T) {
	c := acctest.Client(t)
	name := "small-manifest"
	const addr = "fargate_manifest.config"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if inv, err := acctest.TakeE(c, name); err != nil || !inv.Empty() {
				return fmt.Errorf("left in AWS after destroy of cluster %s: %s (%v)", name, inv, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: basicConfig(name, "hello"),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkGreeting(t, name, "hello"),
					resource.TestCheckResourceAttr(addr, "objects.#", "2"),
					resource.TestCheckResourceAttr(addr, "objects.0.id", "v1/Namespace//basic"),
					resource.TestCheckResourceAttr(addr, "objects.1.id", "v1/ConfigMap/basic/greeting"),
					resource.TestCheckNoResourceAttr(addr, "objects.1.placement"),
				),
			},
			{
				Config: basicConfig(name, "bonjour"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("fargate_cluster.small", plancheck.ResourceActionNoop),
				}},
				Check: checkGreeting(t, name, "bonjour"),
			},
		},
	})
}

// checkGreeting reads the ConfigMap from the cluster's Kubernetes API.
func checkGreeting(t *testing.T, cluster, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		cm, err := acctest.Kube(t, cluster).Kube.CoreV1().ConfigMaps("basic").Get(context.Background(), "greeting", metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("reading ConfigMap basic/greeting of cluster %s: %w", cluster, err)
		}
		if got := cm.Data["greeting"]; got != want {
			return fmt.Errorf("ConfigMap basic/greeting has greeting %q, want %q", got, want)
		}
		return nil
	}
}
