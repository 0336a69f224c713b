package reliability_test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// interrupt runs terraform with args and, as soon as localeks sees one of
// ops, interrupts it: SIGKILL kills Terraform and the provider at once (a
// killed CI job); SIGINT is Ctrl-C, followed by SIGKILL if Terraform has
// not stopped 60 s later.
func interrupt(t *testing.T, w *acctest.Workdir, sig syscall.Signal, ops []string, args ...string) {
	t.Helper()
	before := acctest.Calls(t)
	p := w.Start(args...)
	seen := ""
	reached := acctest.WaitFor(3*time.Minute, func() bool {
		now := acctest.Calls(t)
		for _, op := range ops {
			if now[op] > before[op] {
				seen = op
				return true
			}
		}
		ended, _ := p.Wait(0)
		return ended
	})
	if ended, _ := p.Wait(0); ended || !reached {
		t.Fatalf("terraform %s ended (or hung) before reaching %v:\n%s", args[0], ops, p.Output())
	}
	time.Sleep(200 * time.Millisecond) // into the operation
	if sig == syscall.SIGINT {
		p.Interrupt()
		if ended, _ := p.Wait(60 * time.Second); ended {
			t.Logf("terraform %s stopped by SIGINT at %s", args[0], seen)
			return
		}
	}
	p.Kill()
	_, _ = p.Wait(10 * time.Second)
	t.Logf("terraform %s killed at %s", args[0], seen)
}

// Scenario 4: Terraform interrupted (SIGINT, SIGKILL) at several points of
// create, update and destroy. Each time, the next run converges, with no
// duplicate and no orphan, as counted through the AWS API.
func TestInterrupt_createUpdateDestroy(t *testing.T) {
	c := acctest.Client(t)
	const name, cidr = "interrupted", "10.68.0.0/16"
	acctest.Shape(t, map[string]any{
		"latency":        map[string]string{"CreateSubnet": "300ms", "DeleteSubnet": "400ms"},
		"cluster_create": "3s", "cluster_delete": "2s", "nodegroup_create": "2s", "nodegroup_update": "2s",
		"profile_create": "1500ms", "profile_delete": "1500ms",
	})
	apply := []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	destroy := []string{"destroy", "-auto-approve", "-input=false", "-no-color"}
	w := acctest.NewWorkdir(t, small(name, cidr, ""))
	exact := func(when string, profiles, desired int) {
		t.Helper()
		inv := acctest.Take(t, c, name)
		if inv.Clusters != 1 || inv.Nodegroups != 1 || inv.Profiles != profiles || len(inv.Roles) != 3 || inv.VPCs != 1 ||
			inv.Subnets != 6 || inv.NATs != 1 || inv.EIPs != 1 || inv.IGWs != 1 {
			t.Fatalf("%s: %s; want exactly 1 cluster, 1 node group, %d profiles, 3 roles, 1 VPC, 6 subnets, 1 NAT gateway, 1 elastic IP, 1 internet gateway", when, inv, profiles)
		}
		if plan := w.Must("plan", "-input=false", "-no-color"); !strings.Contains(plan, "No changes.") {
			t.Fatalf("%s: not converged:\n%s", when, plan)
		}
	}

	// Create, interrupted while the VPC is half built, while the cluster is
	// CREATING, and while the profiles are being made.
	interrupt(t, w, syscall.SIGKILL, []string{"ec2:CreateSubnet"}, apply...)
	interrupt(t, w, syscall.SIGKILL, []string{"eks:CreateCluster"}, apply...)
	interrupt(t, w, syscall.SIGINT, []string{"eks:CreateFargateProfile"}, apply...)
	w.Apply()
	exact("after the interrupted creates", 1, 1)

	// Update (two more profiles, the node group scaled), interrupted twice.
	more := strings.Replace(small(name, cidr, ""), `"fp" = { selectors = [{ namespace = "apps" }] }`,
		`"fp" = { selectors = [{ namespace = "apps" }] }, "fp-2" = { selectors = [{ namespace = "two" }] }, "fp-3" = { selectors = [{ namespace = "three" }] }`, 1)
	more = strings.Replace(more, "desired_size = 1", "desired_size = 2", 1)
	w.SetConfig(more)
	interrupt(t, w, syscall.SIGKILL, []string{"eks:CreateFargateProfile"}, apply...)
	interrupt(t, w, syscall.SIGINT, []string{"eks:CreateFargateProfile", "eks:UpdateNodegroupConfig"}, apply...)
	w.Apply()
	exact("after the interrupted updates", 3, 2)

	// Destroy, interrupted while profiles go, while the cluster goes, and
	// while the VPC goes.
	interrupt(t, w, syscall.SIGKILL, []string{"eks:DeleteFargateProfile"}, destroy...)
	interrupt(t, w, syscall.SIGINT, []string{"eks:DeleteCluster"}, destroy...)
	if inv := acctest.Take(t, c, name); inv.VPCs == 1 {
		interrupt(t, w, syscall.SIGKILL, []string{"ec2:DeleteSubnet"}, destroy...)
	}
	w.Destroy()
	wantGone(t, c, name)
	for k := range acctest.Calls(t) {
		if strings.HasPrefix(k, "localeks:missing-token:") {
			t.Fatalf("%s: a call that takes an idempotency token was made without one", k)
		}
	}
}
