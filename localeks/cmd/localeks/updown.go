package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

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
	envFile := filepath.Join(dir, "env")
	_ = os.Remove(envFile)
	logFile, err := os.Create(filepath.Join(dir, "localeks.log"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "localeks up:", err)
		return 1
	}
	self, _ := os.Executable()
	sargs := []string{"serve", "-addr", f.addr, "-moto-python", f.motoPython, "-moto-script", f.motoScript,
		"-data-dir", dir, "-region", f.region, "-env-file", envFile}
	if f.motoURL != "" {
		sargs = append(sargs, "-moto-url", f.motoURL)
	}
	if f.shaping != "" {
		sargs = append(sargs, "-shaping", f.shaping)
	}
	if f.verbose {
		sargs = append(sargs, "-v")
	}
	cmd := exec.Command(self, sargs...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "localeks up:", err)
		return 1
	}
	_ = os.WriteFile(pidFile, []byte(strconv.Itoa(cmd.Process.Pid)), 0o600)
	go func() { _ = cmd.Wait() }() // reap it when it ends
	for i := 0; i < 600; i++ {
		if env, err := os.ReadFile(envFile); err == nil {
			fmt.Printf("localeks is up (pid %d, log %s).\n\nPoint the AWS SDK, Terraform and the provider at it:\n  source %s\n\n%s\n"+
				"kubectl: each cluster's endpoint and CA come from DescribeCluster; authenticate with `aws eks get-token`\n"+
				"(or the provider's fargate_cluster_auth data source). Stop it with `make local-down`.\n",
				cmd.Process.Pid, logFile.Name(), envFile, strings.TrimSpace(string(env)))
			return 0
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(logFile.Name())
	fmt.Fprintf(os.Stderr, "localeks did not come up; its log:\n%s\n", log)
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	return 1
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
