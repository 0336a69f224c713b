package acctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// LocalEKS is a localeks started by the tests (bin/localeks, built by
// `make localeks`; its own Go module, started as a program).
type LocalEKS struct {
	URL string
	cmd *exec.Cmd
	dir string
}

// StartLocalEKS starts bin/localeks in front of the moto at motoURL.
func StartLocalEKS(root, motoURL string) (*LocalEKS, error) {
	bin := filepath.Join(root, "bin", "localeks")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%s is missing: run `make localeks`", bin)
	}
	dir, err := os.MkdirTemp("", "acctest-localeks-*")
	if err != nil {
		return nil, err
	}
	env := filepath.Join(dir, "env")
	cmd := exec.Command(bin, "serve", "-moto-url", motoURL, "-data-dir", filepath.Join(dir, "data"), "-env-file", env)
	log, err := os.Create(filepath.Join(dir, "localeks.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	l := &LocalEKS{cmd: cmd, dir: dir}
	for i := 0; i < 300; i++ {
		if b, err := os.ReadFile(env); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "export AWS_ENDPOINT_URL="); ok {
					l.URL = v
					return l, nil
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	l.Stop()
	return nil, fmt.Errorf("localeks did not start within 30s; see %s", log.Name())
}

// Stop ends localeks and its control planes and removes its files.
func (l *LocalEKS) Stop() {
	if l.cmd.Process != nil {
		_ = syscall.Kill(-l.cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = l.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-l.cmd.Process.Pid, syscall.SIGKILL)
		}
	}
	_ = os.RemoveAll(l.dir)
}

// Shape sets localeks' traffic shaping for one test (see localeks/shaping)
// and resets it when the test ends.
func Shape(t testing.TB, shaping map[string]any) {
	t.Helper()
	put := func(v map[string]any) {
		b, _ := json.Marshal(v)
		req, _ := http.NewRequest(http.MethodPut, LocalEKSURL+"/_localeks/shaping", bytes.NewReader(b))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("shaping localeks: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("shaping localeks: %s", resp.Status)
		}
	}
	put(shaping)
	t.Cleanup(func() { put(map[string]any{}) })
}

// Calls returns localeks' call counts ("service:Operation", and
// "localeks:injected-*" for the faults it injected).
func Calls(t testing.TB) map[string]int {
	t.Helper()
	resp, err := http.Get(LocalEKSURL + "/_localeks/calls")
	if err != nil {
		t.Fatalf("reading localeks' calls: %v", err)
	}
	defer resp.Body.Close()
	calls := map[string]int{}
	if err := json.NewDecoder(resp.Body).Decode(&calls); err != nil {
		t.Fatal(err)
	}
	return calls
}
