// Package harness starts localeks for Go tests: moto from the repository's
// .venv (through internal/launch, the launcher the provider's tests and
// `localeks up` use), the localeks binary built once per test process, and an
// in-process localeks server, all on loopback and all stopped by Stop.
package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"github.com/terrax/terraform-provider-fargate/internal/launch"
	"github.com/terrax/terraform-provider-fargate/localeks/server"
	"github.com/terrax/terraform-provider-fargate/localeks/shaping"
)

// Env is a running localeks with its moto.
type Env struct {
	Server  *server.Server
	URL     string // the AWS endpoint
	MotoURL string
	moto    *launch.Process
	dir     string
}

// Root is the repository root (the parent of the localeks module).
func Root() (string, error) { return launch.Root() }

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

// Start starts moto and localeks (in process, so tests reach its server).
func Start(log *os.File) (*Env, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	root, err := Root()
	if err != nil {
		return nil, err
	}
	moto, err := launch.StartMoto(launch.MotoPython(root), launch.MotoScript(root), nil)
	if err != nil {
		return nil, err
	}
	e := &Env{MotoURL: moto.URL, moto: moto}
	if e.dir, err = os.MkdirTemp("", "localeks-*"); err != nil {
		e.Stop()
		return nil, err
	}
	opts := server.Options{MotoURL: e.MotoURL, Binary: bin, DataDir: e.dir}
	if log != nil {
		opts.Log = log
	}
	if e.Server, err = server.New(opts); err != nil {
		e.Stop()
		return nil, err
	}
	if v := os.Getenv("LOCALEKS_PACE"); v != "" { // e.g. "off", to measure what EKS's pace costs
		p, err := shaping.ParsePace(v)
		if err != nil {
			e.Stop()
			return nil, err
		}
		e.Server.Shaper.SetPace(p)
	}
	e.URL = e.Server.URL
	return e, nil
}

// Stop stops localeks, its control planes and moto, and removes their files.
func (e *Env) Stop() {
	if e.Server != nil {
		_ = e.Server.Close()
	}
	e.moto.Stop(0)
	if e.dir != "" {
		_ = os.RemoveAll(e.dir)
	}
}
