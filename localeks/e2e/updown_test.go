package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/terrax/terraform-provider-fargate/localeks/harness"
)

// `localeks up` starts in the background and writes the env file; `down`
// leaves no process and no file.
func TestUpDown(t *testing.T) {
	bin, err := harness.Binary()
	must(t, err)
	root, err := harness.Root()
	must(t, err)
	dir := filepath.Join(t.TempDir(), "state")
	up := exec.Command(bin, "up", "-data-dir", dir, "-moto-python", filepath.Join(root, ".venv/bin/python"), "-moto-script", filepath.Join(root, "tools/moto_server.py"))
	out, err := up.CombinedOutput()
	if err != nil {
		t.Fatalf("up: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "export AWS_ENDPOINT_URL=http://127.0.0.1:") || !strings.Contains(string(out), "source ") {
		t.Fatalf("up does not say how to use it:\n%s", out)
	}
	env, err := os.ReadFile(filepath.Join(dir, "env"))
	must(t, err)
	var endpoint string
	for _, l := range strings.Split(string(env), "\n") {
		if v, ok := strings.CutPrefix(l, "export AWS_ENDPOINT_URL="); ok {
			endpoint = v
		}
	}
	resp, err := http.Get(endpoint + "/_localeks/healthz")
	must(t, err)
	resp.Body.Close()
	pidb, err := os.ReadFile(filepath.Join(dir, "pid"))
	must(t, err)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(pidb)))

	out, err = exec.Command(bin, "down", "-data-dir", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("down: %v\n%s", err, out)
	}
	if syscall.Kill(pid, 0) == nil {
		t.Fatalf("localeks (pid %d) still runs after down", pid)
	}
	if syscall.Kill(-pid, 0) == nil {
		t.Fatalf("a process of localeks' session (moto) still runs after down")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("down left %s behind", dir)
	}
	if resp, err := http.Get(endpoint + "/_localeks/healthz"); err == nil {
		resp.Body.Close()
		t.Fatalf("%s still answers after down", endpoint)
	}
}
