package reliability_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

func plan(t *testing.T, w *acctest.Workdir) string {
	t.Helper()
	out, _ := w.Run("plan", "-input=false", "-no-color")
	return out
}

func mustMatch(t *testing.T, what, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(out) {
			t.Fatalf("%s: output does not match %q:\n%s", what, p, out)
		}
	}
}

// Scenario 5: changes made outside Terraform. Each is shown by the plan for
// what it is, and the apply repairs exactly that; a cluster deleted with
// all it had leaves the state, one deleted leaving its network behind is
// replaced.
func TestDrift_outOfBandChanges(t *testing.T) {
	c := acctest.Client(t)
	const name = "drift"
	w := blogWorkdir(t, name, "10.63.0.0/16")
	w.Apply()
	ngName, fpName := aws.String("node-group"), aws.String("fp-demo-service")

	// A profile deleted and the node group scaled by hand.
	deleteProfile(t, c, name, aws.ToString(fpName))
	acctest.ScaleNodegroup(t, c, name, aws.ToString(ngName), 2, 1, 2)
	out := plan(t, w)
	mustMatch(t, "plan after a profile was deleted and the node group scaled by hand", out,
		`(?s)~ resource "fargate_cluster" "terrax".*"fp-demo-service" = \{.*\+ selectors`,
		`~ desired_size\s+= 2 -> 1`,
		`Plan: 0 to add, 1 to change, 0 to destroy`)
	w.Apply()
	wantBlog(t, c, name)
	ng, err := c.EKS.DescribeNodegroup(bg, &eks.DescribeNodegroupInput{ClusterName: aws.String(name), NodegroupName: ngName})
	if err != nil || aws.ToInt32(ng.Nodegroup.ScalingConfig.DesiredSize) != 1 {
		t.Fatalf("the node group was not scaled back to 1: %v", err)
	}

	// The node group and the pod execution role deleted.
	deleteNodegroup(t, c, name, aws.ToString(ngName))
	inv := acctest.Take(t, c, name)
	var podRole string
	for _, r := range inv.Roles {
		if regexp.MustCompile(`-pod-execution-`).MatchString(r) {
			podRole = r
		}
	}
	if podRole == "" {
		t.Fatalf("no pod execution role among %v", inv.Roles)
	}
	deleteRole(t, podRole)
	out = plan(t, w)
	mustMatch(t, "plan after the node group and the pod execution role were deleted", out,
		`\+ "node-group" = \{`, `\+ fargate_pod_execution_role_arn = \(known after apply\)`)
	w.Apply()
	wantBlog(t, c, name)

	// The cluster deleted with everything in it but the network and roles.
	// As EKS takes it: profiles one at a time, the cluster once they and
	// the node group are gone.
	for _, fp := range []string{"fp-default", "fp-demo-service"} {
		deleteProfile(t, c, name, fp)
	}
	deleteNodegroup(t, c, name, aws.ToString(ngName))
	if _, err := c.EKS.DeleteCluster(bg, &eks.DeleteClusterInput{Name: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	acctest.WaitFor(10*time.Second, func() bool { return acctest.Take(t, c, name).Clusters == 0 })
	out = plan(t, w)
	mustMatch(t, "plan after the cluster was deleted", out,
		`EKS cluster "drift" is gone, but not all it used`,
		`(?s)fargate_cluster.terrax must be replaced`)
	w.Apply()
	wantBlog(t, c, name)

	w.Destroy()
	wantGone(t, c, name)
}

func deleteRole(t *testing.T, name string) {
	t.Helper()
	c := acctest.Client(t)
	ps, err := c.IAM.ListAttachedRolePolicies(bg, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps.AttachedPolicies {
		if _, err := c.IAM.DetachRolePolicy(bg, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: p.PolicyArn}); err != nil {
			t.Fatal(err)
		}
	}
	// Its inline policies (Fargate logging's) go first, as IAM requires.
	inline, err := c.IAM.ListRolePolicies(bg, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range inline.PolicyNames {
		if _, err := c.IAM.DeleteRolePolicy(bg, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.IAM.DeleteRole(bg, &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
}

// deleteProfile deletes a Fargate profile by hand and waits until it is gone.
func deleteProfile(t *testing.T, c *conns.Client, cluster, name string) {
	t.Helper()
	in := &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(name)}
	if _, err := c.EKS.DeleteFargateProfile(bg, &eks.DeleteFargateProfileInput{ClusterName: in.ClusterName, FargateProfileName: in.FargateProfileName}); err != nil {
		t.Fatal(err)
	}
	if err := eks.NewFargateProfileDeletedWaiter(c.EKS, func(o *eks.FargateProfileDeletedWaiterOptions) {
		o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second
	}).Wait(bg, in, time.Minute); err != nil {
		t.Fatal(err)
	}
}

// deleteNodegroup deletes a node group by hand and waits until it is gone.
func deleteNodegroup(t *testing.T, c *conns.Client, cluster, name string) {
	t.Helper()
	in := &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(name)}
	if _, err := c.EKS.DeleteNodegroup(bg, &eks.DeleteNodegroupInput{ClusterName: in.ClusterName, NodegroupName: in.NodegroupName}); err != nil {
		t.Fatal(err)
	}
	if err := eks.NewNodegroupDeletedWaiter(c.EKS, func(o *eks.NodegroupDeletedWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).Wait(bg, in, time.Minute); err != nil {
		t.Fatal(err)
	}
}
