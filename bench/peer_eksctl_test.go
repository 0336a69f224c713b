//go:build bench

package bench_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"golang.org/x/sync/errgroup"
)

// eksctlPeer models `eksctl create cluster -f` and `eksctl delete cluster
// --wait` for the same topology (sources in bench/README.md): a
// CloudFormation stack for the network, the roles and the control plane,
// watched with DescribeStacks every 15-20 s; then, one after the other, the
// post-cluster tasks (the OIDC provider, each Fargate profile created and
// waited for with a 1 s doubling backoff, a fixed 30 s pause before CoreDNS
// is moved to Fargate); then one node group stack per node group, in
// parallel, watched the same way. CloudFormation's own work inside a stack
// is replayed with the calls and waiters of the AWS provider model under
// another access key, so that eksctl's own calls are counted apart;
// CloudFormation's internal polling is not public: the model lets it notice
// each resource as fast as terraform-provider-aws would, which flatters
// eksctl, if anything.
type eksctlPeer struct {
	own     *awsClients // eksctl's own calls
	cfn     *awsPeer    // what CloudFormation does inside the stacks
	cluster string
	tp      topology
	rnd     *rand.Rand

	ownPeer *awsPeer // eksctl's own calls on what the stacks made

	mu           sync.Mutex
	stackPolls   int // DescribeStacks calls (CloudFormation is not emulated)
	stackActions int // CreateStack / DeleteStack calls
}

func newEksctlPeer(own, cfn *awsClients, cluster, cidr string, tp topology, seed uint64) *eksctlPeer {
	return &eksctlPeer{own: own, cfn: newAWSPeer(cfn, cluster, cidr, tp), cluster: cluster, tp: tp, rnd: rand.New(rand.NewPCG(seed, 7))}
}

// stack is one CloudFormation stack: its resources made (or deleted) as a
// graph, while eksctl polls for the end.
func (p *eksctlPeer) stack(ctx context.Context, steps []step) error {
	p.mu.Lock()
	p.stackActions++
	rnd := rand.New(rand.NewPCG(p.rnd.Uint64(), 1))
	p.mu.Unlock()
	complete := make(chan struct{})
	var stackErr error
	go func() {
		_, stackErr = runGraph(ctx, steps, 1000)
		close(complete)
	}()
	polls, err := stackPoll(ctx, rnd, complete)
	p.mu.Lock()
	p.stackPolls += polls
	p.mu.Unlock()
	<-complete
	if stackErr != nil {
		return stackErr
	}
	return err
}

// clusterStack is eksctl's cluster stack: everything of the AWS model but the
// node role (in the node group stacks), the OIDC provider, the profiles, the
// node groups and add-ons (made by eksctl afterwards).
func (p *eksctlPeer) inClusterStack(name string) bool {
	return !strings.HasPrefix(name, "eks_fargate_profile") && !strings.HasPrefix(name, "eks_node_group") &&
		!strings.HasPrefix(name, "eks_addon") && name != "iam_openid_connect_provider" && !p.inNodeGroupStack(name)
}

func (p *eksctlPeer) inNodeGroupStack(name string) bool {
	return name == "iam_role.node" || strings.HasPrefix(name, "iam_role_policy_attachment.AmazonEKSWorkerNode") ||
		strings.HasPrefix(name, "iam_role_policy_attachment.AmazonEKS_CNI") || strings.HasPrefix(name, "iam_role_policy_attachment.AmazonEC2Container")
}

func (p *eksctlPeer) subset(steps []step, keep func(string) bool) []step {
	var out []step
	for _, s := range steps {
		if !keep(s.name) {
			continue
		}
		var deps []string
		for _, d := range s.deps {
			if keep(d) {
				deps = append(deps, d)
			}
		}
		out = append(out, step{name: s.name, deps: deps, do: s.do})
	}
	return out
}

// nodeGroupStack is the stack of node group n: its own node role and the
// managed node group.
func (p *eksctlPeer) nodeGroupStack(n int, destroy bool) []step {
	q := p.cfn.with(p.cfn.c, fmt.Sprintf("-ng-%d", n))
	steps := q.createGraph()
	if destroy {
		steps = q.destroyGraph()
	}
	return p.subset(steps, func(name string) bool {
		return p.inNodeGroupStack(name) || name == fmt.Sprintf("eks_node_group.ng-%d", n)
	})
}

func (p *eksctlPeer) create(ctx context.Context) error {
	if _, err := p.own.ec2.DescribeAvailabilityZones(ctx, nil); err != nil {
		return err
	}
	if err := p.stack(ctx, p.subset(p.cfn.createGraph(), p.inClusterStack)); err != nil {
		return fmt.Errorf("cluster stack: %w", err)
	}
	// Post-cluster tasks, in turn (pkg/cfn/manager/create_tasks.go): they
	// come before the node group stacks.
	own := p.cfn.with(p.own, "")
	p.ownPeer = own
	if err := own.describeCluster(ctx); err != nil {
		return err
	}
	if err := own.createOIDC(ctx); err != nil {
		return err
	}
	for n := range p.tp.profiles {
		if err := p.createProfile(ctx, own, n); err != nil {
			return err
		}
	}
	// "Add delay after cluster creation to handle a race condition"
	// (pkg/eks/tasks.go), then CoreDNS is patched onto Fargate.
	if err := sleepCtx(ctx, scaled(30*time.Second)); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	for n := range p.tp.nodeGroups {
		g.Go(func() error { return p.stack(gctx, p.nodeGroupStack(n, false)) })
	}
	return g.Wait()
}

// createProfile is pkg/fargate's CreateProfile with waitForCreation.
func (p *eksctlPeer) createProfile(ctx context.Context, own *awsPeer, n int) error {
	if err := own.createProfileCall(ctx, n); err != nil {
		return err
	}
	return exponentialBackoff(ctx, func(ctx context.Context) (bool, error) {
		out, err := p.own.eks.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: str(p.cluster), FargateProfileName: str(profileName(n))})
		return err == nil && out.FargateProfile.Status == ekstypes.FargateProfileStatusActive, err
	})
}

// destroy is `eksctl delete cluster --wait`: the Fargate profiles one at a
// time (each waited for by listing), the node group stacks, the OIDC
// provider, then the cluster stack.
func (p *eksctlPeer) destroy(ctx context.Context) error {
	for n := range p.tp.profiles {
		if _, err := p.own.eks.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{ClusterName: str(p.cluster), FargateProfileName: str(profileName(n))}); err != nil {
			return err
		}
		if err := exponentialBackoff(ctx, func(ctx context.Context) (bool, error) {
			out, err := p.own.eks.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: str(p.cluster)})
			if err != nil {
				return false, err
			}
			return !slices.Contains(out.FargateProfileNames, profileName(n)), nil
		}); err != nil {
			return err
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	for n := range p.tp.nodeGroups {
		g.Go(func() error { return p.stack(gctx, p.nodeGroupStack(n, true)) })
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("node group stacks: %w", err)
	}
	if p.ownPeer != nil {
		if err := p.ownPeer.deleteOIDC(ctx); err != nil {
			return err
		}
	}
	return p.stack(ctx, p.subset(p.cfn.destroyGraph(), p.inClusterStack))
}

func (p *eksctlPeer) calls() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return map[string]int{"cloudformation:DescribeStacks": p.stackPolls, "cloudformation:CreateOrDeleteStack": p.stackActions}
}
