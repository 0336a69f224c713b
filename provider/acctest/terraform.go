package acctest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// EphemeralTerraform is a Terraform CLI that knows ephemeral resources
// (1.10 or later), for the tests that use them: bin/terraform-ephemeral,
// which `make tools` links to a new enough `terraform` on PATH, else that
// `terraform` itself. The pinned bin/terraform is older, and Terraform 1.9+
// cannot be built with go install, so the tests cannot make one; with none
// found the test fails, saying what to install.
func EphemeralTerraform(t testing.TB) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var tried []string
	candidates := []string{filepath.Join(root, "bin", "terraform-ephemeral")}
	if p, err := exec.LookPath("terraform"); err == nil {
		candidates = append(candidates, p)
	}
	for _, tf := range candidates {
		v, err := terraformVersion(tf)
		if err == nil && v.atLeast(1, 10) {
			return tf
		}
		if err == nil {
			err = fmt.Errorf("version %s", v)
		}
		tried = append(tried, fmt.Sprintf("%s (%v)", tf, err))
	}
	t.Fatalf("this test needs a Terraform CLI 1.10 or later (ephemeral resources), and none was found; tried %v.\n"+
		"Install Terraform >= 1.10 as `terraform` on PATH (or set TERRAFORM_EPHEMERAL=/path/to/terraform) and run `make tools`.", tried)
	return ""
}

type version struct{ major, minor, patch int }

func (v version) String() string { return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch) }

func (v version) atLeast(major, minor int) bool {
	return v.major > major || v.major == major && v.minor >= minor
}

func terraformVersion(tf string) (version, error) {
	cmd := exec.Command(tf, "version", "-json")
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null", "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return version{}, err
	}
	var info struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		return version{}, fmt.Errorf("reading `terraform version -json`: %w", err)
	}
	var v version
	if _, err := fmt.Sscanf(info.Version, "%d.%d.%d", &v.major, &v.minor, &v.patch); err != nil {
		return version{}, fmt.Errorf("version %q: %w", info.Version, err)
	}
	return v, nil
}

// NewEphemeralWorkdir is NewWorkdir with EphemeralTerraform's CLI.
func NewEphemeralWorkdir(t testing.TB, config string) *Workdir {
	t.Helper()
	return newWorkdir(t, EphemeralTerraform(t), config)
}
