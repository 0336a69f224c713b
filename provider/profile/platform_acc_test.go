package profile_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// TestAccProfile_platformExample applies examples/modules/platform: one
// cluster that leaves others' profiles alone, and the fargate-app module
// twice on it, in one run. Both teams' profiles and pods are there, the
// plan stays empty; removing one module deletes its profile, its role and
// its workloads and nothing of the other team's or the platform's.
func TestAccProfile_platformExample(t *testing.T) {
	t.Parallel()
	c := acctest.Client(t)
	root, err := acctest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "examples", "modules", "platform", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	config := strings.ReplaceAll(string(b), `"../fargate-app"`, `"./fargate-app"`)
	const cluster = "platform"
	w := appWorkdir(t, config)
	defer func() {
		w.Destroy()
		if inv := acctest.Take(t, c, cluster); !inv.Empty() {
			t.Errorf("left after destroy: %s", inv)
		}
	}()

	w.Apply()
	checkApp(t, c, cluster, "team-a", map[string]string{"app": "team-a"}, 2)
	checkApp(t, c, cluster, "team-b", map[string]string{"app": "api", "tier": "backend"}, 1)
	if out := w.Must("output", "-json", "placement"); !strings.Contains(out, `"team-a":"fargate:fp-team-a"`) || !strings.Contains(out, `"team-b":"fargate:fp-team-b"`) {
		t.Fatalf("placement output: %s", out)
	}
	planEmpty(t, w, "after the first apply")

	roleB := roleOf(t, c, cluster, "fp-team-b")
	config = regexp.MustCompile(`(?s)module "team_b" \{.*?\n\}\n`).ReplaceAllString(config, "")
	config = strings.ReplaceAll(config, "team_b = module.team_b.placement", "")
	w.SetConfig(config)
	w.Apply()
	checkAppGone(t, c, cluster, "team-b", roleB)
	checkApp(t, c, cluster, "team-a", map[string]string{"app": "team-a"}, 2)
	if inv := acctest.Take(t, c, cluster); inv.Profiles != 2 { // fp-system and fp-team-a
		t.Fatalf("after removing team B: %s; want 2 profiles", inv)
	}
	planEmpty(t, w, "after removing team B")
}
