package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/terrax/terraform-provider-fargate/internal/launch"
	"github.com/terrax/terraform-provider-fargate/localeks/server"
	"github.com/terrax/terraform-provider-fargate/localeks/shaping"
)

type serveFlags struct {
	addr, motoURL, motoPython, motoScript, dataDir, region, envFile, shaping, pace string
	verbose                                                                        bool
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "addr", "127.0.0.1:0", "address of the AWS endpoint (loopback only)")
	fs.StringVar(&f.motoURL, "moto-url", "", "attach to this moto server instead of starting one")
	fs.StringVar(&f.motoPython, "moto-python", "", "Python with moto[server], to start moto (default: the repository's .venv/bin/python)")
	fs.StringVar(&f.motoScript, "moto-script", "", "moto server launcher (default: the repository's tools/moto_server.py)")
	fs.StringVar(&f.dataDir, "data-dir", ".localeks", "where control planes keep their data")
	fs.StringVar(&f.region, "region", "eu-west-1", "AWS region")
	fs.StringVar(&f.envFile, "env-file", "", "write shell export lines for the AWS SDK here once ready")
	fs.StringVar(&f.shaping, "shaping", "", "JSON file with traffic shaping (see the shaping package)")
	fs.StringVar(&f.pace, "pace", "", "EKS's own durations divided by this factor (default 300), or \"off\": objects not shaped otherwise change state at once")
	fs.BoolVar(&f.verbose, "v", false, "log control plane output")
}

// motoCommand is the moto to start: the flags, or else what `make tools`
// installed in the repository around the working directory.
func (f *serveFlags) motoCommand() (python, script string, err error) {
	python, script = f.motoPython, f.motoScript
	if python == "" || script == "" {
		root, err := launch.Root()
		if err != nil {
			return "", "", fmt.Errorf("%w: run from the repository or pass -moto-python and -moto-script", err)
		}
		python, script = cmp.Or(python, launch.MotoPython(root)), cmp.Or(script, launch.MotoScript(root))
	}
	return python, script, nil
}

func serve(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var f serveFlags
	f.register(fs)
	_ = fs.Parse(args)
	if f.motoURL == "" {
		var log io.Writer // moto's output in a file a failed start quotes
		if f.verbose {
			log = os.Stderr
		}
		python, script, err := f.motoCommand()
		if err != nil {
			fmt.Fprintln(os.Stderr, "localeks:", err)
			return 1
		}
		moto, err := launch.StartMoto(python, script, log)
		if err != nil {
			fmt.Fprintln(os.Stderr, "localeks:", err)
			return 1
		}
		defer moto.Stop(0)
		f.motoURL = moto.URL
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
	if f.pace != "" {
		p, err := shaping.ParsePace(f.pace)
		if err != nil {
			fmt.Fprintln(os.Stderr, "localeks:", err)
			return 1
		}
		s.Shaper.SetPace(p)
	}
	if f.envFile != "" {
		if err := launch.WriteEnvFile(f.envFile, s.URL, f.region); err != nil {
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
