package launch

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// StartMoto starts moto on a free loopback port (python running script; see
// MotoPython and MotoScript) and waits until it answers. Its output goes to
// log, or, when log is nil, to a temporary file that a failed start quotes
// and Stop removes.
func StartMoto(python, script string, log io.Writer) (*Process, error) {
	if _, err := os.Stat(python); err != nil {
		return nil, fmt.Errorf("moto is not installed (%s is missing): run `make tools`", python)
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(python, script, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	// Real IAM has the AWS managed policies the roles attach; moto loads them on request.
	cmd.Env = append(os.Environ(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	var logName string
	if log == nil {
		f, err := os.CreateTemp("", "moto-*.log")
		if err != nil {
			return nil, err
		}
		defer f.Close()
		log, logName = f, f.Name()
	}
	cmd.Stdout, cmd.Stderr = log, log
	p, err := start(cmd, false)
	if err != nil {
		return nil, fmt.Errorf("starting moto (%s %s): %w; run `make tools`", python, script, err)
	}
	p.URL, p.Log, p.tempLog = fmt.Sprintf("http://127.0.0.1:%d", port), logName, logName != ""
	if err := p.waitReady("moto on "+p.URL, func() bool {
		resp, err := http.Get(p.URL + "/moto-api/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}); err != nil {
		p.Stop(0)
		return nil, err
	}
	return p, nil
}

// Serve starts `binary serve` (the localeks command) with its data, its log
// (localeks.log), its process ID (pid) and the environment file it writes
// once ready (env, see WriteEnvFile) in dir, and waits until it is ready. args are further flags
// of serve, such as -moto-url. Detached, it outlives the caller (`localeks
// up`); otherwise it is killed when the caller dies. The caller removes dir.
func Serve(binary, dir string, args []string, detach bool) (*Process, error) {
	if _, err := os.Stat(binary); err != nil {
		return nil, fmt.Errorf("%s is missing: run `make localeks`", binary)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	envFile := filepath.Join(dir, "env")
	_ = os.Remove(envFile) // a stale one from an earlier run would read as ready
	log, err := os.Create(filepath.Join(dir, "localeks.log"))
	if err != nil {
		return nil, err
	}
	defer log.Close()
	cmd := exec.Command(binary, append([]string{"serve", "-data-dir", dir, "-env-file", envFile}, args...)...)
	cmd.Stdout, cmd.Stderr = log, log
	p, err := start(cmd, detach)
	if err != nil {
		return nil, fmt.Errorf("starting localeks (%s): %w", binary, err)
	}
	p.Log = log.Name()
	// At once, so that `localeks down` finds it even if the caller is
	// interrupted while it waits.
	if err := os.WriteFile(filepath.Join(dir, "pid"), []byte(strconv.Itoa(p.Pid())), 0o600); err != nil {
		p.Stop(0)
		return nil, err
	}
	if err := p.waitReady("localeks", func() bool {
		env, err := ReadEnvFile(envFile)
		p.URL = env["AWS_ENDPOINT_URL"]
		return err == nil && p.URL != ""
	}); err != nil {
		p.Stop(0)
		return nil, err
	}
	return p, nil
}
