// Package launch starts the local AWS that the tests and `localeks up` run
// against: moto (the AWS emulator, from the repository's .venv) on a free
// loopback port, and localeks in front of it.
//
// It lives in the provider's module and imports only the standard library,
// so that provider/acctest and the localeks module (its test harness and its
// serve and up commands) share one launcher while Kubernetes server code
// stays out of the provider's module graph (localeks already requires this
// module; the reverse would pull it in).
package launch

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// module is the provider's module path, as the root go.mod declares it.
const module = "github.com/terrax/terraform-provider-fargate"

// startTimeout bounds how long moto or localeks may take to answer.
const startTimeout = 60 * time.Second

// Root finds the repository root from the working directory up: the
// directory whose go.mod declares the provider's module (not localeks') and
// which holds tools/moto_server.py.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isRoot(dir) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root (go.mod of " + module + " with tools/moto_server.py) not found above the working directory")
		}
		dir = parent
	}
}

func isRoot(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	found := false
	for _, line := range strings.Split(string(b), "\n") {
		found = found || strings.TrimSpace(line) == "module "+module
	}
	_, err = os.Stat(MotoScript(dir))
	return found && err == nil
}

// MotoPython is the Python with moto[server] that `make tools` installs.
func MotoPython(root string) string { return filepath.Join(root, ".venv", "bin", "python") }

// MotoScript starts moto's server with the gaps in its EKS tagging filled.
func MotoScript(root string) string { return filepath.Join(root, "tools", "moto_server.py") }

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// SDKEnv is the environment ("KEY=value") that points the AWS SDK, and so
// Terraform's provider, at endpoint with moto's test credentials.
func SDKEnv(endpoint, region string) []string {
	return []string{
		"AWS_ENDPOINT_URL=" + endpoint,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=" + region,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// WriteEnvFile writes SDKEnv as shell export lines, for `source`. The file
// appears whole (written aside, then renamed): Serve takes it as the sign
// that localeks is ready.
func WriteEnvFile(path, endpoint, region string) error {
	var b strings.Builder
	for _, kv := range SDKEnv(endpoint, region) {
		b.WriteString("export " + kv + "\n")
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ReadEnvFile reads back what WriteEnvFile wrote.
func ReadEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(s.Text(), "export "), "="); ok {
			env[k] = v
		}
	}
	return env, s.Err()
}

// Process is a server started here, in its own process group so that Stop
// reaches its children too (localeks' control planes).
type Process struct {
	URL string
	// Log is the file holding its output, when it has one.
	Log string

	cmd     *exec.Cmd
	exited  chan struct{}
	tempLog bool // Log was made here and goes with Stop
}

// start starts cmd. Detached, it gets a session of its own and outlives the
// caller (localeks up); otherwise it is killed when the caller dies, even by
// SIGKILL, so that no test run leaves servers behind.
func start(cmd *exec.Cmd, detach bool) (*Process, error) {
	if detach {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	} else {
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	return p, nil
}

// waitReady polls ready every 100 ms until it holds, the process ends or
// startTimeout passes.
func (p *Process) waitReady(what string, ready func() bool) error {
	for deadline := time.Now().Add(startTimeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ready() {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s ended before it was ready (%s)%s", what, p.cmd.ProcessState, p.logHint())
		default:
		}
	}
	return fmt.Errorf("%s was not ready within %s%s", what, startTimeout, p.logHint())
}

func (p *Process) logHint() string {
	if p.Log == "" {
		return ""
	}
	b, _ := os.ReadFile(p.Log)
	if len(b) > 4096 {
		b = b[len(b)-4096:]
	}
	return fmt.Sprintf("; its log %s ends:\n%s", p.Log, b)
}

// Pid is the process's id, and that of its process group.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Stop ends the process group: with a grace period, SIGTERM first (localeks
// then stops its control planes) and SIGKILL once it passes.
func (p *Process) Stop(grace time.Duration) {
	if p == nil {
		return
	}
	pgid := -p.cmd.Process.Pid
	if grace > 0 {
		_ = syscall.Kill(pgid, syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(grace):
		}
	}
	_ = syscall.Kill(pgid, syscall.SIGKILL)
	<-p.exited
	if p.tempLog {
		_ = os.Remove(p.Log)
	}
}
