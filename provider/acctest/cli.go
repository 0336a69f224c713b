package acctest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Workdir is a Terraform working directory driven through bin/terraform,
// with the provider installed from bin/mirror (`make install`) as a user of
// the published provider gets it: the provider runs as its own process, so
// tests can interrupt and kill it. Terraform's debug log (with the
// provider's) goes to LogPath.
type Workdir struct {
	t       testing.TB
	root    string
	cli     string // the terraform binary
	Dir     string
	LogPath string
	// Env is added to the environment of every terraform command.
	Env []string
}

// NewWorkdir writes config as main.tf into a fresh directory and runs
// `terraform init`.
func NewWorkdir(t testing.TB, config string) *Workdir {
	t.Helper()
	return newWorkdir(t, "", config)
}

// newWorkdir is NewWorkdir with the terraform binary cli (bin/terraform if "").
func newWorkdir(t testing.TB, cli, config string) *Workdir {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if cli == "" {
		cli = filepath.Join(root, "bin", "terraform")
	}
	if _, err := os.Stat(filepath.Join(root, "bin", "terraformrc")); err != nil {
		t.Fatalf("bin/terraformrc is missing: run `make install`")
	}
	dir := t.TempDir()
	w := &Workdir{t: t, root: root, cli: cli, Dir: dir, LogPath: filepath.Join(dir, "terraform.log")}
	w.SetConfig(config)
	w.Must("init", "-input=false", "-no-color")
	return w
}

// SetConfig replaces main.tf.
func (w *Workdir) SetConfig(config string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(config), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

func (w *Workdir) command(args ...string) *exec.Cmd {
	cmd := exec.Command(w.cli, args...)
	cmd.Dir = w.Dir
	cmd.Env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+filepath.Join(w.root, "bin", "terraformrc"),
		"TF_LOG=DEBUG", "TF_LOG_PATH="+w.LogPath)
	cmd.Env = append(cmd.Env, w.Env...)
	// Its own process group, so a kill reaches Terraform and the provider
	// as a killed CI job or closed terminal would.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// Run runs terraform with args and returns its combined output.
func (w *Workdir) Run(args ...string) (string, error) {
	out, err := w.command(args...).CombinedOutput()
	return string(out), err
}

// Must runs terraform and fails the test if it fails.
func (w *Workdir) Must(args ...string) string {
	w.t.Helper()
	out, err := w.Run(args...)
	if err != nil {
		w.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// Apply and Destroy run without prompting.
func (w *Workdir) Apply() string {
	w.t.Helper()
	return w.Must("apply", "-auto-approve", "-input=false", "-no-color")
}
func (w *Workdir) Destroy() string {
	w.t.Helper()
	return w.Must("destroy", "-auto-approve", "-input=false", "-no-color")
}

// Process is a terraform command running in the background.
type Process struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// Start starts terraform with args in the background.
func (w *Workdir) Start(args ...string) *Process {
	w.t.Helper()
	p := &Process{cmd: w.command(args...), out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	w.t.Cleanup(func() { p.Kill(); <-p.done })
	return p
}

// Interrupt sends SIGINT to terraform, as Ctrl-C does.
func (p *Process) Interrupt() { _ = p.cmd.Process.Signal(syscall.SIGINT) }

// Kill sends SIGKILL to terraform and the provider.
func (p *Process) Kill() { _ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) }

// Wait waits up to d for the process to end; false if it still runs.
func (p *Process) Wait(d time.Duration) (ended bool, err error) {
	select {
	case <-p.done:
		return true, p.err
	case <-time.After(d):
		return false, nil
	}
}

// Output is what the process printed so far.
func (p *Process) Output() string { return p.out.String() }

// WaitFor polls cond every 50 ms until it holds (true) or d passes.
func WaitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
