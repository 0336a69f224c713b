package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/terrax/terraform-provider-fargate/localeks/server"
)

type serveFlags struct {
	addr, motoURL, motoPython, motoScript, dataDir, region, envFile, shaping string
	verbose                                                                  bool
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "addr", "127.0.0.1:0", "address of the AWS endpoint (loopback only)")
	fs.StringVar(&f.motoURL, "moto-url", "", "attach to this moto server instead of starting one")
	fs.StringVar(&f.motoPython, "moto-python", ".venv/bin/python", "Python with moto[server], to start moto")
	fs.StringVar(&f.motoScript, "moto-script", "tools/moto_server.py", "moto server launcher")
	fs.StringVar(&f.dataDir, "data-dir", ".localeks", "where control planes keep their data")
	fs.StringVar(&f.region, "region", "eu-west-1", "AWS region")
	fs.StringVar(&f.envFile, "env-file", "", "write shell export lines for the AWS SDK here once ready")
	fs.StringVar(&f.shaping, "shaping", "", "JSON file with traffic shaping (see the shaping package)")
	fs.BoolVar(&f.verbose, "v", false, "log control plane output")
}

func freeAddr() (string, error) {
	port, err := freePort()
	return fmt.Sprintf("127.0.0.1:%d", port), err
}

// startMoto starts moto on a free loopback port, killed with localeks.
func startMoto(python, script string, log io.Writer) (string, *exec.Cmd, error) {
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	host, port, _ := strings.Cut(addr, ":")
	cmd := exec.Command(python, script, "-H", host, "-p", port)
	cmd.Env = append(os.Environ(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("starting moto (%s %s): %w; run `make tools`", python, script, err)
	}
	url := "http://" + addr
	for i := 0; i < 300; i++ {
		if resp, err := http.Get(url + "/moto-api/"); err == nil {
			resp.Body.Close()
			return url, cmd, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	return "", nil, errors.New("moto did not answer within 30s")
}

func serve(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var f serveFlags
	f.register(fs)
	_ = fs.Parse(args)
	log := io.Discard
	if f.verbose {
		log = os.Stderr
	}
	var moto *exec.Cmd
	if f.motoURL == "" {
		var err error
		if f.motoURL, moto, err = startMoto(f.motoPython, f.motoScript, log); err != nil {
			fmt.Fprintln(os.Stderr, "localeks:", err)
			return 1
		}
		defer func() { _ = syscall.Kill(-moto.Process.Pid, syscall.SIGKILL) }()
	}
	self, _ := os.Executable()
	dataDir, _ := filepath.Abs(f.dataDir)
	s, err := server.New(server.Options{MotoURL: f.motoURL, Addr: f.addr, Binary: self, DataDir: dataDir, Region: f.region, Log: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "localeks:", err)
		return 1
	}
	defer func() { _ = s.Close() }()
	if f.shaping != "" {
		if err := s.LoadShaping(f.shaping); err != nil {
			fmt.Fprintln(os.Stderr, "localeks:", err)
			return 1
		}
	}
	env := fmt.Sprintf("export AWS_ENDPOINT_URL=%s\nexport AWS_ACCESS_KEY_ID=testing\nexport AWS_SECRET_ACCESS_KEY=testing\nexport AWS_REGION=%s\nexport AWS_EC2_METADATA_DISABLED=true\n", s.URL, f.region)
	if f.envFile != "" {
		if err := os.WriteFile(f.envFile, []byte(env), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "localeks:", err)
			return 1
		}
	}
	fmt.Printf("localeks ready: AWS endpoint %s (moto %s)\n", s.URL, f.motoURL)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	return 0
}
