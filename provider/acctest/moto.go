// Package acctest runs the provider's acceptance tests: it starts moto (the
// AWS emulator) on a free loopback port for the test binary, points the AWS
// SDK and the real Terraform CLI (bin/terraform) at it, and gives tests the
// provider and AWS clients to check results through the AWS API.
package acctest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// Moto is a moto server started by the tests.
type Moto struct {
	URL string
	cmd *exec.Cmd
	log string
}

// RepoRoot finds the repository root (where go.mod is) from the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "tools", "moto_server.py")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root (go.mod with tools/moto_server.py) not found above the working directory")
		}
		dir = parent
	}
}

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartMoto starts .venv's moto through tools/moto_server.py and waits until
// it answers. The server dies with the test process even if that is killed.
func StartMoto(root string) (*Moto, error) {
	python := filepath.Join(root, ".venv", "bin", "python")
	if _, err := os.Stat(python); err != nil {
		return nil, fmt.Errorf("moto is not installed (%s missing): run `make tools`", python)
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(python, filepath.Join(root, "tools", "moto_server.py"), "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	logFile, err := os.CreateTemp("", "moto-*.log")
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Real IAM has the AWS managed policies the roles attach; moto loads them on request.
	cmd.Env = append(os.Environ(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting moto: %w", err)
	}
	m := &Moto{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, log: logFile.Name()}
	logFile.Close()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(m.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return m, nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	m.Stop()
	out, _ := os.ReadFile(logFile.Name())
	return nil, fmt.Errorf("moto did not answer on %s within 60s; its log:\n%s", m.URL, out)
}

// Stop ends the moto server and waits for it.
func (m *Moto) Stop() {
	if m == nil || m.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
	_ = m.cmd.Wait()
	_ = os.Remove(m.log)
}
