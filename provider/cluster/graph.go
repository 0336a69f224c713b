package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// task is a named step of an operation and the steps it needs done first:
// the operation is a small dependency graph of them, so each step starts
// as soon as EKS and EC2 allow, not when an unrelated one ends.
type task struct {
	name  string
	needs []string
	run   func(context.Context) error
}

// graph runs every task once all the tasks it needs have succeeded, each in
// its own goroutine. A task whose need failed does not run; no failure
// cancels a task that has started, so each ends and records what it made
// (the state after a failure holds every part, and nothing is leaked).
// It returns the failures, joined.
func graph(ctx context.Context, tasks ...task) error {
	type result struct {
		done chan struct{}
		ok   bool
	}
	results := make(map[string]*result, len(tasks))
	for _, t := range tasks {
		results[t.name] = &result{done: make(chan struct{})}
	}
	for _, t := range tasks {
		for _, n := range t.needs {
			if results[n] == nil || n == t.name {
				panic(fmt.Sprintf("fargate_cluster step %q needs %q, which is not a step of the operation", t.name, n))
			}
		}
	}
	errs := make([]error, len(tasks))
	for i, t := range tasks {
		go func() {
			r := results[t.name]
			defer close(r.done)
			for _, n := range t.needs {
				if <-results[n].done; !results[n].ok {
					tflog.Debug(ctx, "fargate_cluster step not run: "+t.name+" (needs "+n+")")
					return
				}
			}
			tflog.Debug(ctx, "fargate_cluster step: "+t.name)
			errs[i] = t.run(ctx)
			r.ok = errs[i] == nil
		}()
	}
	for _, t := range tasks {
		<-results[t.name].done
	}
	return errors.Join(errs...)
}

// needs lists step names, leaving out the empty ones (steps an operation
// does not have).
func needs(names ...string) []string {
	return slices.DeleteFunc(names, func(n string) bool { return n == "" })
}
