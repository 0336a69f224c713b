// Package harness starts localeks for Go tests: moto from the repository's
// .venv, the localeks binary built once per test process, and an in-process
// localeks server, all on loopback and all stopped by Stop.
package harness

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/terrax/terraform-provider-fargate/localeks/controlplane"
	"github.com/terrax/terraform-provider-fargate/localeks/server"
)

// Env is a running localeks with its moto.
type Env struct {
	Server  *server.Server
	URL     string // the AWS endpoint
	MotoURL string
	moto    *exec.Cmd
	dir     string
}

// Root is the repository root (the parent of the localeks module).
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/terrax/terraform-provider-fargate\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root not found")
		}
		dir = parent
	}
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// Binary builds cmd/localeks once (Go's build cache keeps it cheap) or uses
// LOCALEKS_BINARY when set.
func Binary() (string, error) {
	buildOnce.Do(func() {
		if b := os.Getenv("LOCALEKS_BINARY"); b != "" {
			binary = b
			return
		}
		root, err := Root()
		if err != nil {
			buildErr = err
			return
		}
		out := filepath.Join(os.TempDir(), fmt.Sprintf("localeks-test-%d", os.Getpid()))
		cmd := exec.Command("go", "build", "-o", out, "./cmd/localeks")
		cmd.Dir = filepath.Join(root, "localeks")
		if b, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building localeks: %v\n%s", err, b)
			return
		}
		binary = out
	})
	return binary, buildErr
}

// Start starts moto and localeks.
func Start(log *os.File) (*Env, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	root, err := Root()
	if err != nil {
		return nil, err
	}
	port, err := controlplane.FreePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(root, ".venv", "bin", "python"), filepath.Join(root, "tools", "moto_server.py"), "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Env = append(os.Environ(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting moto (run `make tools`): %w", err)
	}
	e := &Env{MotoURL: fmt.Sprintf("http://127.0.0.1:%d", port), moto: cmd}
	ready := false
	for i := 0; i < 300 && !ready; i++ {
		if resp, err := http.Get(e.MotoURL + "/moto-api/"); err == nil {
			resp.Body.Close()
			ready = true
		} else {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !ready {
		e.Stop()
		return nil, errors.New("moto did not answer within 30s")
	}
	if e.dir, err = os.MkdirTemp("", "localeks-*"); err != nil {
		e.Stop()
		return nil, err
	}
	var w = log
	opts := server.Options{MotoURL: e.MotoURL, Binary: bin, DataDir: e.dir}
	if w != nil {
		opts.Log = w
	}
	if e.Server, err = server.New(opts); err != nil {
		e.Stop()
		return nil, err
	}
	e.URL = e.Server.URL
	return e, nil
}

// Stop stops localeks, its control planes and moto, and removes their files.
func (e *Env) Stop() {
	if e.Server != nil {
		_ = e.Server.Close()
	}
	if e.moto != nil && e.moto.Process != nil {
		_ = syscall.Kill(-e.moto.Process.Pid, syscall.SIGKILL)
		_ = e.moto.Wait()
	}
	if e.dir != "" {
		_ = os.RemoveAll(e.dir)
	}
}
