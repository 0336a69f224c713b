//go:build bench

package bench_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// The peer models replay another tool's API calls, in its order and on its
// waiting schedule, against the same localeks and timing model as this
// provider's run. This file holds what they share: the clients, the waiting
// schedules (compressed like EKS's durations, so that a peer's poll period
// weighs what it weighs against real EKS), and a step graph.

// awsClients are a peer's SDK clients; localeks counts their calls under key.
type awsClients struct {
	cfg aws.Config
	ec2 *ec2.Client
	eks *eks.Client
	iam *iam.Client
}

func newAWSClients(key string) (*awsClients, error) {
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(), awsconfig.WithRegion(acctest.Region),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(key, "bench-secret", "")))
	if err != nil {
		return nil, err
	}
	return &awsClients{cfg: cfg, ec2: ec2.NewFromConfig(cfg), eks: eks.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg)}, nil
}

// scaled compresses a real duration of a peer's schedule as the model
// compresses EKS's.
func scaled(d time.Duration) time.Duration { return d / compression }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// refresh reports whether the awaited state is reached.
type refresh func(context.Context) (bool, error)

// stateChangeConf is terraform-plugin-sdk's retry.StateChangeConf with the
// settings terraform-provider-aws's EKS and EC2 waiters use (no Delay, no
// MinTimeout, no PollInterval): a first check at once, the next after
// 100 ms, then doubling up to 10 s (helper/retry/state.go, WaitForStateContext).
func stateChangeConf(ctx context.Context, minTimeout time.Duration, r refresh) error {
	var wait time.Duration
	for {
		if err := sleepCtx(ctx, scaled(wait)); err != nil {
			return err
		}
		if wait == 0 {
			wait = 100 * time.Millisecond
		}
		done, err := r(ctx)
		if err != nil || done {
			return err
		}
		wait = min(max(wait*2, minTimeout), 10*time.Second)
	}
}

// retryWhen is terraform-provider-aws's tfresource.RetryWhen: the call again
// while retryable says so, on retry.RetryContext's schedule (a
// StateChangeConf with MinTimeout 500 ms).
func retryWhen(ctx context.Context, call func(context.Context) error, retryable func(error) bool) error {
	var last error
	err := stateChangeConf(ctx, 500*time.Millisecond, func(ctx context.Context) (bool, error) {
		last = call(ctx)
		if last != nil && retryable(last) {
			return false, nil
		}
		return true, last
	})
	if err != nil && last != nil {
		return last
	}
	return err
}

// exponentialBackoff is eksctl's retry.TimingOutExponentialBackoff with a
// TimeUnit of one second (pkg/utils/retry): 1 s, 2 s, 4 s, ... between checks.
func exponentialBackoff(ctx context.Context, r refresh) error {
	for attempt := 0; ; attempt++ {
		done, err := r(ctx)
		if err != nil || done {
			return err
		}
		if err := sleepCtx(ctx, scaled(time.Duration(1<<attempt)*time.Second)); err != nil {
			return err
		}
	}
}

// stackPoll is eksctl's CloudFormation stack waiter (pkg/cfn/manager/waiters.go,
// makeWaiterDelay): DescribeStacks every 15-20 s until the stack is complete;
// complete is closed when CloudFormation finished the stack. It returns the
// number of DescribeStacks calls.
func stackPoll(ctx context.Context, rnd *rand.Rand, complete <-chan struct{}) (int, error) {
	for calls := 1; ; calls++ {
		select {
		case <-complete:
			return calls, nil
		default:
		}
		d := 15*time.Second + time.Duration(rnd.IntN(5000))*time.Millisecond
		if err := sleepCtx(ctx, scaled(d)); err != nil {
			return calls, err
		}
	}
}

// errCode is the AWS error code of err, "" when it has none.
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// step is one node of a peer's graph: a Terraform resource, a CloudFormation
// resource or an eksctl task.
type step struct {
	name string
	deps []string
	do   func(context.Context) error
}

// runGraph runs the steps as Terraform's walker and CloudFormation do: each
// as soon as all of its dependencies are done, at most `parallelism` at once
// (Terraform's -parallelism, 10 by default). It returns when each finished.
func runGraph(ctx context.Context, steps []step, parallelism int) (map[string]time.Time, error) {
	done := map[string]chan struct{}{}
	for _, s := range steps {
		done[s.name] = make(chan struct{})
	}
	for _, s := range steps {
		for _, d := range s.deps {
			if _, ok := done[d]; !ok {
				return nil, fmt.Errorf("step %s depends on unknown step %s", s.name, d)
			}
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, parallelism)
	var mu sync.Mutex
	finished := map[string]time.Time{}
	var wg sync.WaitGroup
	for _, s := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, d := range s.deps {
				select {
				case <-done[d]:
				case <-ctx.Done():
					return
				}
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			err := s.do(ctx)
			<-sem
			if err != nil {
				cancel(fmt.Errorf("%s: %w", s.name, err))
				return
			}
			mu.Lock()
			finished[s.name] = time.Now()
			mu.Unlock()
			close(done[s.name])
		}()
	}
	wg.Wait()
	return finished, context.Cause(ctx)
}

// reverse turns a create graph into its destroy graph: a step is destroyed
// after everything that depended on it.
func reverse(create []step, destroy map[string]func(context.Context) error) []step {
	var out []step
	for _, s := range create {
		var deps []string
		for _, o := range create {
			for _, d := range o.deps {
				if d == s.name {
					deps = append(deps, o.name)
				}
			}
		}
		do := destroy[s.name]
		if do == nil {
			do = func(context.Context) error { return nil }
		}
		out = append(out, step{name: s.name, deps: deps, do: do})
	}
	return out
}

// str is aws.String, shorter in the step tables.
func str(s string) *string { return aws.String(s) }
