package clusterauth_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

// ephemeralProviders are fargate and the kubeprobe provider.
var ephemeralProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"fargate":   acctest.ProviderFactories["fargate"],
	"kubeprobe": providerserver.NewProtocol6WithError(kubeprobe{}),
}

const ephemeralProviderBlock = `
terraform {
  required_providers {
    fargate   = { source = "terrax/fargate" }
    kubeprobe = { source = "terrax/kubeprobe" }
  }
}
`

// useEphemeralTerraform points resource.Test at a Terraform CLI that knows
// ephemeral resources (failing the test without one), with its working
// directories under the returned directory, for reading what it wrote.
func useEphemeralTerraform(t *testing.T) (workdirs string) {
	t.Helper()
	t.Setenv("TF_ACC_TERRAFORM_PATH", acctest.EphemeralTerraform(t))
	workdirs = t.TempDir()
	t.Setenv("TF_ACC_TEMP_DIR", workdirs)
	return workdirs
}

// exampleConfig is the documentation's example: the ephemeral resource, and
// the kubernetes provider block it configures, given to kubeprobe (which
// takes the kubernetes provider's arguments).
func exampleConfig(t *testing.T) string {
	t.Helper()
	root, err := acctest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "examples", "ephemeral-resources", "fargate_cluster_auth")
	var b strings.Builder
	for _, f := range []string{"ephemeral-resource.tf", "kubernetes-provider.hcl"} {
		text, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(text)
	}
	cfg := b.String()
	if !strings.Contains(cfg, `provider "kubernetes" {`) {
		t.Fatalf("the example configures no kubernetes provider:\n%s", cfg)
	}
	return strings.Replace(cfg, `provider "kubernetes" {`, `provider "kubeprobe" {`, 1)
}

// The ephemeral resource configures a provider block as users configure the
// kubernetes provider, and that provider lists the cluster's namespaces with
// it; its token is in neither the saved plan (file and `terraform show
// -json`) nor the state file.
func TestAccClusterAuthEphemeral(t *testing.T) {
	acctest.Client(t)
	workdirs := useEphemeralTerraform(t)
	forgetTokens() // those of an earlier run (-count) are not this run's
	cluster := ephemeralProviderBlock + `
resource "fargate_cluster" "c" {
  name    = "terrax-fargate"
  network = { vpc_cidr = "10.6.0.0/16" }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: ephemeralProviders,
		Steps: []resource.TestStep{
			// The cluster first: the example names it, so it must exist when planned.
			{Config: cluster},
			{
				Config: cluster + exampleConfig(t) + `
data "kubeprobe_namespaces" "all" {}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{noTokenInPlanJSON{}}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckTypeSetElemAttr("data.kubeprobe_namespaces.all", "names.*", "kube-system"),
					resource.TestCheckTypeSetElemAttr("data.kubeprobe_namespaces.all", "names.*", "default"),
					tokensAccepted,
					func(*terraform.State) error { return noTokenOnDisk(workdirs) },
				),
			},
		},
	})
}

func TestAccClusterAuthEphemeral_missingCluster(t *testing.T) {
	acctest.Client(t)
	useEphemeralTerraform(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: ephemeralProviders,
		Steps: []resource.TestStep{{
			Config:      ephemeralProviderBlock + `ephemeral "fargate_cluster_auth" "c" { name = "nope" }`,
			ExpectError: regexp.MustCompile(`no EKS cluster "nope" in eu-west-1`),
		}},
	})
}

// tokensAccepted: kubeprobe was given tokens, and STS accepts them.
func tokensAccepted(*terraform.State) error {
	seen := seenTokens()
	if len(seen) == 0 {
		return fmt.Errorf("kubeprobe was never configured with a token")
	}
	for _, tok := range seen {
		id, err := eksauth.Verify(context.Background(), tok, "terrax-fargate", acctest.VerifyOptions())
		if err != nil {
			return fmt.Errorf("a token kubeprobe was given is not accepted: %w", err)
		}
		if id.Account != "123456789012" {
			return fmt.Errorf("a token kubeprobe was given speaks for %+v", id)
		}
	}
	return nil
}

// secrets are what must not be written: the token prefix, and each token
// kubeprobe was given, its encoded body and the signature of its presigned
// request.
func secrets() ([]string, error) {
	seen := seenTokens()
	if len(seen) == 0 {
		return nil, fmt.Errorf("kubeprobe was never configured with a token")
	}
	out := []string{eksauth.Prefix}
	for _, tok := range seen {
		raw, err := eksauth.URL(tok)
		if err != nil {
			return nil, err
		}
		u, err := url.Parse(raw)
		if err != nil {
			return nil, err
		}
		sig := u.Query().Get("X-Amz-Signature")
		if sig == "" {
			return nil, fmt.Errorf("a token kubeprobe was given has no signature: %s", raw)
		}
		out = append(out, tok, strings.TrimPrefix(tok, eksauth.Prefix), sig)
	}
	return out, nil
}

func findSecret(where string, data []byte, secrets []string) error {
	for _, s := range secrets {
		if bytes.Contains(data, []byte(s)) {
			return fmt.Errorf("%s holds the token (or part of it: %.24q…)", where, s)
		}
	}
	return nil
}

// noTokenInPlanJSON: the saved plan as `terraform show -json` gives it.
type noTokenInPlanJSON struct{}

func (noTokenInPlanJSON) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	b, err := json.Marshal(req.Plan)
	if err == nil {
		var s []string
		if s, err = secrets(); err == nil {
			err = findSecret("`terraform show -json` of the saved plan", b, s)
		}
	}
	resp.Error = err
}

// noTokenOnDisk: every file Terraform wrote under dir, the state file and
// the saved plan (a zip: each entry read, the plan itself among them).
func noTokenOnDisk(dir string) error {
	s, err := secrets()
	if err != nil {
		return err
	}
	found := map[string]bool{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		found[d.Name()] = true
		if d.Name() == "terraform.tfstate" && !bytes.Contains(b, []byte("kube-system")) {
			return fmt.Errorf("%s lacks the namespaces kubeprobe listed: not the state of this test", p)
		}
		if err := findSecret(p, b, s); err != nil {
			return err
		}
		if zr, zerr := zip.NewReader(bytes.NewReader(b), int64(len(b))); zerr == nil {
			for _, f := range zr.File {
				found[d.Name()+":"+f.Name] = true
				if err := findSecretInZip(p, f, s); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil && (!found["terraform.tfstate"] || !found["tfplan:tfplan"]) {
		err = fmt.Errorf("no state file or saved plan under %s (found %v)", dir, found)
	}
	return err
}

func findSecretInZip(file string, f *zip.File, secrets []string) error {
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return findSecret(file+":"+f.Name, b, secrets)
}
