// Command localeks is a local EKS: one AWS endpoint in front of moto, a
// real Kubernetes control plane per EKS cluster, and a simulated data plane
// (node groups, Fargate, EBS, load balancers).
//
//	localeks serve   run in the foreground
//	localeks up      start in the background, write .localeks/env
//	localeks down    stop what `up` started and remove .localeks
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	switch {
	case components[cmd] != nil:
		os.Exit(runComponent(cmd, args))
	case cmd == "etcd":
		os.Exit(runEtcd(args))
	case cmd == "serve":
		os.Exit(serve(args))
	case cmd == "up":
		os.Exit(up(args))
	case cmd == "down":
		os.Exit(down(args))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: localeks serve|up|down [flags]   (see -h of each)`)
	os.Exit(2)
}
