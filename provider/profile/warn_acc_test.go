package profile_test

import (
	"regexp"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// A profile added to a cluster that this plan makes the owner of every
// profile (exclusive_fargate_profiles left at true) is warned about at
// plan time, on `cluster`: the cluster's next apply would delete it.
func TestAccProfile_exclusiveClusterWarns(t *testing.T) {
	t.Parallel()
	acctest.Client(t)
	w := acctest.NewWorkdir(t, acctest.ProviderBlock+`
resource "fargate_cluster" "c" {
  name    = "exclusive-warns"
  network = { vpc_cidr = "10.32.0.0/16", availability_zones = ["eu-west-1a", "eu-west-1b"] }
}

resource "fargate_profile" "team" {
  cluster   = fargate_cluster.c.name
  name      = "fp-team"
  selectors = [{ namespace = "team" }]
}
`)
	out := w.Must("plan", "-input=false", "-no-color")
	if !regexp.MustCompile(`(?s)Warning: The cluster deletes profiles it did not make.*fargate_profile\.team.*exclusive_fargate_profiles = false`).MatchString(out) {
		t.Fatalf("no warning on the profile:\n%s", out)
	}
	w.SetConfig(acctest.ProviderBlock + `
resource "fargate_cluster" "c" {
  name                       = "exclusive-warns"
  network                    = { vpc_cidr = "10.32.0.0/16", availability_zones = ["eu-west-1a", "eu-west-1b"] }
  exclusive_fargate_profiles = false
}

resource "fargate_profile" "team" {
  cluster   = fargate_cluster.c.name
  name      = "fp-team"
  selectors = [{ namespace = "team" }]
}
`)
	if out := w.Must("plan", "-input=false", "-no-color"); regexp.MustCompile(`Warning`).MatchString(out) {
		t.Fatalf("a warning for a non-exclusive cluster:\n%s", out)
	}
}
