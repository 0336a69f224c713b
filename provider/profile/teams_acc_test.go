package profile_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

func platformConfig(cluster string, exclusive bool) string {
	return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "platform" {
  name                       = %q
  network                    = { vpc_cidr = "10.31.0.0/16", availability_zones = ["eu-west-1a", "eu-west-1b"] }
  exclusive_fargate_profiles = %t
}
`, cluster, exclusive)
}

// applyAll applies the working directories at the same time, as two
// Terraform processes (two state files), and waits for both.
func applyAll(t *testing.T, args []string, ws ...*acctest.Workdir) {
	t.Helper()
	ps := make([]*acctest.Process, len(ws))
	for i, w := range ws {
		ps[i] = w.Start(args...)
	}
	for i, p := range ps {
		ended, err := p.Wait(10 * time.Minute)
		if !ended || err != nil {
			t.Fatalf("terraform %v in %s (ended %t): %v\n%s", args, ws[i].Dir, ended, err, p.Output())
		}
	}
}

// TestAccProfile_teamsInTheirOwnStates: the platform's cluster in one
// configuration, and each team's app module in its own (three state files);
// the two teams apply at the same time, their profile operations taking
// turns on the cluster, without a conflict. The cluster's plan stays empty
// throughout; with exclusive_fargate_profiles = true, the teams' profiles
// show in it as ones to remove, as before. Also drift and import of a
// profile.
func TestAccProfile_teamsInTheirOwnStates(t *testing.T) {
	t.Parallel()
	c := acctest.Client(t)
	const cluster = "shared-teams"
	p := acctest.NewWorkdir(t, platformConfig(cluster, false))
	p.Apply()
	a, b := appWorkdir(t, teamConfig(cluster, "team-a")), appWorkdir(t, teamConfig(cluster, "team-b"))
	defer func() {
		applyAll(t, []string{"destroy", "-auto-approve", "-input=false", "-no-color"}, a, b)
		p.Destroy()
		if inv := acctest.Take(t, c, cluster); !inv.Empty() {
			t.Errorf("left after destroy: %s", inv)
		}
	}()

	// Profiles CREATING for a while, as on EKS, so the two teams' creates
	// meet: one is refused while the other's is in progress, and waits its
	// turn.
	acctest.Shape(t, map[string]any{"profile_create": "8s", "profile_delete": "2s"})
	conflicts := acctest.Calls(t)["localeks:profile-conflicts"]
	// Team B starts once team A's profile is CREATING, so that the two meet
	// however the machine schedules two Terraform processes.
	apply := []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	pa := a.Start(apply...)
	if !acctest.WaitFor(5*time.Minute, func() bool {
		fp, err := c.EKS.DescribeFargateProfile(context.Background(), &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String("fp-team-a")})
		return err == nil && fp.FargateProfile.Status == "CREATING"
	}) {
		t.Fatalf("team A's profile never was CREATING:\n%s", pa.Output())
	}
	applyAll(t, apply, b)
	if ended, err := pa.Wait(10 * time.Minute); !ended || err != nil {
		t.Fatalf("terraform apply of team A (ended %t): %v\n%s", ended, err, pa.Output())
	}
	if acctest.Calls(t)["localeks:profile-conflicts"] == conflicts {
		t.Fatal("the two teams' profile creates never met, so their turn-taking was not exercised")
	}
	for _, ns := range []string{"team-a", "team-b"} {
		checkApp(t, c, cluster, ns, map[string]string{"app": ns}, 2)
	}
	for _, w := range []*acctest.Workdir{p, a, b} {
		planEmpty(t, w, "after both teams applied")
	}
	// Each team's plan placed its pods on its profile before the profile
	// existed; the platform's plan counts the teams' profiles too.
	for w, want := range map[*acctest.Workdir]string{a: `"team-a":"fargate:fp-team-a"`, b: `"team-b":"fargate:fp-team-b"`} {
		if out := w.Must("output", "-json", "placement"); !strings.Contains(out, want) {
			t.Fatalf("placement output %s, want %s", out, want)
		}
	}
	p.SetConfig(platformConfig(cluster, false) + fmt.Sprintf(`
resource "fargate_manifest" "probe" {
  cluster  = fargate_cluster.platform.name
  manifest = %q
}
`, "apiVersion: v1\nkind: Pod\nmetadata: {name: probe, namespace: team-a, labels: {app: team-a}}\nspec: {containers: [{name: c, image: nginx:1.27}]}\n"))
	planShows(t, p, "a manifest of the platform selected by team A's profile", `placement\s+= "fargate:fp-team-a"`)
	p.SetConfig(platformConfig(cluster, false))

	// Drift: a profile deleted outside Terraform is made again.
	if _, err := c.EKS.DeleteFargateProfile(context.Background(), &eks.DeleteFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String("fp-team-b")}); err != nil {
		t.Fatal(err)
	}
	planShows(t, b, "after fp-team-b was deleted outside Terraform", `module\.app\.fargate_profile\.this will be created`)
	b.Apply()
	// Deleting the profile deleted its pods; their replacements, made while
	// no profile selected them, stay Pending on EKS until restarted.
	restartPods(t, cluster, "team-b")
	checkApp(t, c, cluster, "team-b", map[string]string{"app": "team-b"}, 2)

	// Import: <cluster>:<name> reads back what the configuration says.
	a.Must("state", "rm", "module.app.fargate_profile.this")
	a.Must("import", "-input=false", "-no-color", "module.app.fargate_profile.this", cluster+":fp-team-a")
	planEmpty(t, a, "after the import of fp-team-a")

	// An exclusive cluster shows the teams' profiles as ones to remove.
	p.SetConfig(platformConfig(cluster, true))
	p.Apply()
	out := planShows(t, p, "with exclusive_fargate_profiles = true", `"fp-team-a" = \{`, `"fp-team-b" = \{`)
	if !strings.Contains(out, "fargate_cluster.platform will be updated in-place") {
		t.Fatalf("the plan of the exclusive cluster:\n%s", out)
	}
	// Turned off again, it leaves them alone (the plan that turns it off
	// drops them from its state only).
	p.SetConfig(platformConfig(cluster, false))
	p.Apply()
	for _, ns := range []string{"team-a", "team-b"} {
		checkApp(t, c, cluster, ns, map[string]string{"app": ns}, 2)
	}
	planEmpty(t, p, "after exclusive_fargate_profiles was turned off again")
}
