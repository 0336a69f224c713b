package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/terrax/terraform-provider-fargate/internal/launch"
)

// up starts `localeks serve` in the background and waits until it is ready.
func up(args []string) int {
	fs := flag.NewFlagSet("up", flag.ExitOnError)
	var f serveFlags
	f.register(fs)
	_ = fs.Parse(args)
	dir, _ := filepath.Abs(f.dataDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "localeks up:", err)
		return 1
	}
	pidFile := filepath.Join(dir, "pid")
	if b, err := os.ReadFile(pidFile); err == nil {
		if pid, _ := strconv.Atoi(strings.TrimSpace(string(b))); pid > 0 && syscall.Kill(pid, 0) == nil {
			fmt.Fprintf(os.Stderr, "localeks is already running (pid %d); `make local-down` stops it\n", pid)
			return 1
		}
	}
	self, _ := os.Executable()
	sargs := []string{"-addr", f.addr, "-region", f.region}
	for _, o := range [][2]string{{"-moto-url", f.motoURL}, {"-moto-python", f.motoPython}, {"-moto-script", f.motoScript}, {"-shaping", f.shaping}, {"-pace", f.pace}} {
		if o[1] != "" {
			sargs = append(sargs, o[0], o[1])
		}
	}
	if f.verbose {
		sargs = append(sargs, "-v")
	}
	p, err := launch.Serve(self, dir, sargs, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, "localeks did not come up:", err)
		return 1
	}
	envFile := filepath.Join(dir, "env")
	env, _ := os.ReadFile(envFile)
	fmt.Printf("localeks is up (pid %d, log %s).\n\nPoint the AWS SDK, Terraform and the provider at it:\n  source %s\n\n%s\n"+
		"kubectl: each cluster's endpoint and CA come from DescribeCluster; authenticate with `aws eks get-token`\n"+
		"(or the provider's fargate_cluster_auth data source). Stop it with `make local-down`.\n",
		p.Pid(), p.Log, envFile, strings.TrimSpace(string(env)))
	return 0
}

// down stops what up started and removes the data directory.
func down(args []string) int {
	fs := flag.NewFlagSet("down", flag.ExitOnError)
	dataDir := fs.String("data-dir", ".localeks", "data directory of `up`")
	_ = fs.Parse(args)
	dir, _ := filepath.Abs(*dataDir)
	b, err := os.ReadFile(filepath.Join(dir, "pid"))
	if err == nil {
		if pid, _ := strconv.Atoi(strings.TrimSpace(string(b))); pid > 0 {
			_ = syscall.Kill(-pid, syscall.SIGTERM) // the whole session: moto and control planes too
			for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
				time.Sleep(100 * time.Millisecond)
			}
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		fmt.Fprintln(os.Stderr, "localeks down:", err)
		return 1
	}
	fmt.Println("localeks is down")
	return 0
}
