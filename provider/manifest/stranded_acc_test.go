package manifest_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// TestAccManifest_profileDeleted: deleting a Fargate profile deletes the
// pods it placed and their Deployment makes them again, Pending with no
// profile to select them ("Delete a Fargate profile", EKS user guide). A
// change to that workload in the same apply fails once its pods have had
// nowhere to run for 30 s, saying why, rather than at the timeout.
func TestAccManifest_profileDeleted(t *testing.T) {
	acctest.Client(t)
	config := func(profiles string, replicas int) string {
		return acctest.ProviderBlock + `
resource "fargate_cluster" "c" {
  name             = "stranded"
  network          = { vpc_cidr = "10.13.0.0/16" }
  fargate_profiles = { system = { selectors = [{ namespace = "kube-system" }] }` + profiles + ` }
}

resource "fargate_manifest" "m" {
  cluster  = fargate_cluster.c.name
  manifest = <<-YAML
    apiVersion: v1
    kind: Namespace
    metadata: {name: apps}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: apps}
    spec:
      replicas: ` + string(rune('0'+replicas)) + `
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: web, image: nginx:1.27}]
    YAML
  timeouts {
    update = "4m"
  }
}
`
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(`, apps = { selectors = [{ namespace = "apps" }] }`, 1)},
			{
				Config:      config("", 2),
				ExpectError: regexp.MustCompile(`(?s)apps/web\s+cannot\s+roll\s+out:\s+pod\s+web-[a-z0-9-]+\s+has\s+nowhere\s+to\s+run:\s+no\s+Fargate\s+profile\s+selects\s+it`),
			},
		},
	})
}
