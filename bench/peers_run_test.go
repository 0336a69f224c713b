//go:build bench

package bench_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// peers are the two peer models of one repetition, run beside this
// provider on clusters of their own.
type peers struct {
	aws                       *awsPeer
	eksctl                    *eksctlPeer
	awsKey, eksctlKey, cfnKey string
	// tfOverhead is Terraform's own start, plan and apply of nothing,
	// measured once: the AWS provider model pays it like this provider does.
	tfOverhead time.Duration
}

func newPeers(t *testing.T, tp topology, rep, cidrBase int, tfOverhead time.Duration) *peers {
	p := &peers{
		awsKey:     fmt.Sprintf("bench-%s-aws-%d", tp.name, rep),
		eksctlKey:  fmt.Sprintf("bench-%s-eksctl-%d", tp.name, rep),
		cfnKey:     fmt.Sprintf("bench-%s-cfn-%d", tp.name, rep),
		tfOverhead: tfOverhead,
	}
	clients := func(key string) *awsClients {
		c, err := newAWSClients(key)
		if err != nil {
			t.Fatalf("AWS clients of %s: %v", key, err)
		}
		return c
	}
	p.aws = newAWSPeer(clients(p.awsKey), fmt.Sprintf("%s-aws-%d", tp.name, rep), fmt.Sprintf("10.%d.0.0/16", cidrBase+rep*3+1), tp)
	p.eksctl = newEksctlPeer(clients(p.eksctlKey), clients(p.cfnKey), fmt.Sprintf("%s-eksctl-%d", tp.name, rep),
		fmt.Sprintf("10.%d.0.0/16", cidrBase+rep*3+2), tp, uint64(rep+1))
	return p
}

// callerIdentity is the AWS provider's configure step, at every command.
func (p *peers) callerIdentity(ctx context.Context) error {
	c, err := newAWSClients(p.awsKey)
	if err != nil {
		return err
	}
	_, err = sts.NewFromConfig(c.cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	return err
}

// peerWalls are the two peers' wall times of one phase and when each began.
type peerWalls struct {
	aws, eksctl           time.Duration
	awsStart, eksctlStart time.Time
}

// run runs the peers' phase, one after the other: each tool alone on the
// emulator, as on AWS, where one tool's calls do not slow another's.
func (p *peers) run(t *testing.T, create bool) peerWalls {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	var w peerWalls
	w.awsStart = time.Now()
	err := p.callerIdentity(ctx)
	if err == nil {
		if create {
			_, err = runGraph(ctx, p.aws.createGraph(), 10)
		} else if _, err = runGraph(ctx, p.aws.refreshGraph(), 10); err == nil {
			_, err = runGraph(ctx, p.aws.destroyGraph(), 10)
		}
	}
	w.aws = time.Since(w.awsStart) + p.tfOverhead
	if err != nil {
		t.Errorf("terraform-provider-aws model, %s of %s: %v", phaseName(create), p.aws.cluster, err)
	}
	w.eksctlStart = time.Now()
	if create {
		err = p.eksctl.create(ctx)
	} else {
		err = p.eksctl.destroy(ctx)
	}
	w.eksctl = time.Since(w.eksctlStart)
	if err != nil {
		t.Errorf("eksctl model, %s of %s: %v", phaseName(create), p.eksctl.cluster, err)
	}
	return w
}

func phaseName(create bool) string {
	if create {
		return "create"
	}
	return "destroy"
}

// refreshCalls counts the AWS provider model's calls of one refresh (a
// no-change plan): the configure step and every resource's Read.
func (p *peers) refreshCalls(t *testing.T) map[string]int {
	before := callsOf(t, p.awsKey)
	ctx := context.Background()
	if err := p.callerIdentity(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := runGraph(ctx, p.aws.refreshGraph(), 10); err != nil {
		t.Fatalf("terraform-provider-aws model, refresh: %v", err)
	}
	return delta(before, callsOf(t, p.awsKey))
}

// eksctlCalls are eksctl's own calls: what localeks counted under its key
// and the CloudFormation calls, which localeks does not see.
func (p *peers) eksctlCalls(t *testing.T, before map[string]int, stackBefore map[string]int) map[string]int {
	d := delta(before, callsOf(t, p.eksctlKey))
	for k, v := range p.eksctl.calls() {
		if n := v - stackBefore[k]; n != 0 {
			d[k] = n
		}
	}
	return d
}

// measureTerraformOverhead is the wall time of `terraform apply` of a
// configuration without resources: Terraform's start, the provider's start
// and configure, an empty plan and apply.
func measureTerraformOverhead(t *testing.T) time.Duration {
	w := acctest.NewWorkdir(t, acctest.ProviderBlock)
	w.Env = []string{"AWS_ACCESS_KEY_ID=bench-overhead"}
	var best time.Duration
	for i := range 3 {
		start := time.Now()
		w.Must("apply", "-auto-approve", "-input=false", "-no-color")
		if d := time.Since(start); i == 0 || d < best {
			best = d
		}
	}
	return best
}

// peerSummary is one peer's medians for one topology, as results.json has them.
type peerSummary struct {
	Create, Destroy []phase
	CreateCalls     int
	DestroyCalls    int
	RefreshCalls    int `json:",omitempty"`
}

func (s peerSummary) line(tool string, ours topoResult) string {
	c, d := medianOf(s.Create, phase.ratio), medianOf(s.Destroy, phase.ratio)
	return fmt.Sprintf("| %s | %s | %.1f (%.3f) | %.1f (%.3f) | %.1f / %.1f | %d / %d |", ours.Topology, tool,
		medianOf(s.Create, func(p phase) float64 { return p.Wall }), c, medianOf(s.Destroy, func(p phase) float64 { return p.Wall }), d,
		medianOf(s.Create, func(p phase) float64 { return p.NoticedLateMax }), medianOf(s.Destroy, func(p phase) float64 { return p.NoticedLateMax }),
		s.CreateCalls, s.DestroyCalls)
}

// peerReport is the side-by-side table of this provider and the peers.
func peerReport(b *strings.Builder, res results) {
	f := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	f("\n**Against the peers** (same model, same runs, one tool after the other; each tool on a cluster of its own): wall time in seconds (ratio to the ideal), " +
		"the longest a transition went unnoticed, and API calls. terraform-provider-aws: its resources with terraform-aws-modules/vpc, their graph, " +
		"waiters (first check at once, then 100 ms doubling to 10 s) and Reads, plus Terraform's own start and plan as measured here; " +
		"eksctl: its CloudFormation stacks (polled every 15-20 s), then Fargate profiles one at a time (1 s doubling backoff), a 30 s pause, then node group stacks. " +
		"The peers' waiting periods are compressed like EKS's durations. Sources: bench/README.md.\n\n")
	f("| topology | tool | create (s) | destroy (s) | noticed late max, create / destroy (s) | API calls, create / destroy |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, r := range res.Topologies {
		ours := peerSummary{Create: r.Create, Destroy: r.Destroy, CreateCalls: r.CreateCallsTotal, DestroyCalls: r.DestroyCallsTotal}
		f("%s\n%s\n%s\n", ours.line("this provider", r), r.PeerAWS.line("terraform-provider-aws", r), r.PeerEksctl.line("eksctl", r))
	}
	if len(res.Topologies) > 0 {
		blog := res.Topologies[0]
		f("\nNo-change refresh of the blog cluster: this provider %d calls, the terraform-provider-aws model %d (%s).\n",
			blog.RefreshTotal, blog.PeerAWS.RefreshCalls, calls(blog.PeerAWSRefresh))
	}
	f("\n![timeline](bench/timeline.svg)\n\n`bench/timeline.svg`: the blog's create and destroy, one row per step, one bar per tool from the step's start to when EKS finished it, then in red until the tool noticed.\n")
}
