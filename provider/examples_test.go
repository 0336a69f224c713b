package provider_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// exampleDirs are the documentation's examples (tfplugindocs layout).
func exampleDirs(t *testing.T) (root string, dirs []string) {
	t.Helper()
	root, err := acctest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, pattern := range []string{"examples/provider", "examples/resources/*", "examples/data-sources/*", "examples/ephemeral-resources/*", "examples/functions/*"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, m...)
	}
	if len(dirs) < 5 {
		t.Fatalf("only %d example directories", len(dirs))
	}
	return root, dirs
}

// example copies an example's .tf files into a Terraform working directory
// (adding the required_providers block the documentation leaves out), with a
// Terraform CLI >= 1.10 for ephemeral resources. Other providers cannot be
// installed here: the provider block an ephemeral resource's example
// configures (kubernetes-provider.hcl) is applied by that resource's test.
func example(t *testing.T, dir string) *acctest.Workdir {
	t.Helper()
	var cfg strings.Builder
	files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Write(b)
		cfg.WriteString("\n")
	}
	text := cfg.String()
	if !strings.Contains(text, "required_providers") {
		text = acctest.ProviderBlock + text
	}
	if strings.Contains(dir, filepath.Join("examples", "ephemeral-resources")) {
		return acctest.NewEphemeralWorkdir(t, text)
	}
	return acctest.NewWorkdir(t, text)
}

// TestAccExamples_validate: every example of the documentation is valid
// for the provider as built (`terraform validate`), and every import.sh
// names a resource its example declares.
func TestAccExamples_validate(t *testing.T) {
	acctest.Client(t)
	_, dirs := exampleDirs(t)
	for _, dir := range dirs {
		// data-sources/fargate_cluster_auth and ephemeral-resources/fargate_cluster_auth differ.
		t.Run(filepath.Join(filepath.Base(filepath.Dir(dir)), filepath.Base(dir)), func(t *testing.T) {
			w := example(t, dir)
			if out := w.Must("validate", "-no-color"); !strings.Contains(out, "Success!") {
				t.Fatalf("terraform validate: %s", out)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "import.sh")); err == nil {
				for _, line := range strings.Split(string(b), "\n") {
					if f := strings.Fields(line); len(f) == 4 && f[0] == "terraform" && f[1] == "import" {
						typ, name, _ := strings.Cut(f[2], ".")
						tf, _ := os.ReadFile(filepath.Join(dir, "resource.tf"))
						if !strings.Contains(string(tf), `resource "`+typ+`" "`+name+`"`) {
							t.Fatalf("import.sh imports %s, which resource.tf does not declare", f[2])
						}
					}
				}
			}
		})
	}
}

// TestAccExamples_apply applies the main examples on localeks: the
// cluster, the manifest example (a cluster and its workload), then the
// data source and the ephemeral resource against that cluster, and the function; each result is
// checked through the AWS API or the outputs.
func TestAccExamples_apply(t *testing.T) {
	c := acctest.Client(t)
	root, _ := exampleDirs(t)
	// The principals its access entries name exist in IAM, as EKS requires.
	for _, role := range []string{"ci-deployer", "brewers"} {
		acctest.ServiceRole(t, c, role, "ec2.amazonaws.com")
	}
	cl := example(t, filepath.Join(root, "examples", "resources", "fargate_cluster"))
	cl.Apply()
	if inv := acctest.Take(t, c, "terrax-fargate"); inv.Clusters != 1 || inv.Nodegroups != 1 || inv.Profiles != 2 || inv.VPCs != 1 {
		t.Fatalf("the cluster example in AWS: %s", inv)
	}
	if out := cl.Must("output", "-raw", "endpoint"); !strings.HasPrefix(out, "https://") {
		t.Fatalf("the cluster example's endpoint: %q", out)
	}
	cl.Destroy()

	manifest := example(t, filepath.Join(root, "examples", "resources", "fargate_manifest"))
	manifest.Apply()
	defer manifest.Destroy()
	if out := manifest.Must("output", "-json", "placement"); !strings.Contains(out, `"Deployment/springboot-deployment":"fargate:fp-demo-service"`) {
		t.Fatalf("placement output: %s", out)
	}
	if inv := acctest.Take(t, c, "terrax-fargate"); inv.Clusters != 1 || inv.Profiles != 1 {
		t.Fatalf("the example's cluster: %s", inv)
	}

	auth := example(t, filepath.Join(root, "examples", "data-sources", "fargate_cluster_auth"))
	auth.Apply()
	if out := auth.Must("output", "-raw", "kubeconfig_server"); !strings.HasPrefix(out, "https://127.0.0.1:") {
		t.Fatalf("the data source's endpoint: %q", out)
	}

	// The ephemeral resource opens against the cluster, and nothing is written.
	eph := example(t, filepath.Join(root, "examples", "ephemeral-resources", "fargate_cluster_auth"))
	eph.Apply()
	if out := eph.Must("state", "list"); strings.TrimSpace(out) != "" {
		t.Fatalf("the ephemeral resource's example left state: %q", out)
	}

	fn := example(t, filepath.Join(root, "examples", "functions", "placement"))
	fn.Apply()
	if out := fn.Must("output", "-raw", "service_pod"); out != "fp-demo-service" {
		t.Fatalf("placement of the service pod: %q", out)
	}
	if out := fn.Must("output", "-raw", "database_pod"); out != "node groups" {
		t.Fatalf("placement of the database pod: %q", out)
	}
}
