package cluster_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// owned counts the VPCs and roles that carry the cluster's owner tag.
func owned(t *testing.T, c *conns.Client, name string) (vpcs, roles int) {
	t.Helper()
	inv := acctest.Take(t, c, name)
	return inv.VPCs, len(inv.Roles)
}

// TestAccCluster_failurePartWay: creation fails after the roles and the VPC
// exist (the cluster name is taken by a cluster that is not ours). The
// state holds what was made, destroy removes exactly that and never the
// other cluster, and once the name is free the next apply converges with
// no duplicate.
func TestAccCluster_failurePartWay(t *testing.T) {
	c := acctest.Client(t)
	name := "taken"
	ctx := context.Background()
	if _, err := c.EKS.CreateCluster(ctx, &eks.CreateClusterInput{
		Name: aws.String(name), RoleArn: aws.String(acctest.ServiceRole(t, c, "someone-elses", "eks.amazonaws.com")),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{}},
	}); err != nil {
		t.Fatal(err)
	}
	config := acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "t" {
  name             = %q
  network          = { vpc_cidr = "10.7.0.0/16" }
  fargate_profiles = { fp = { selectors = [{ namespace = "apps" }, { namespace = "kube-system" }] } }
}`, name) // kube-system too: CoreDNS runs on Fargate (EKS reports its add-on DEGRADED with nowhere to run)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             checkGone(c, name),
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)EKS cluster "taken" already exists.*import it.*recorded in the Terraform state`),
			},
			{
				// What was made before the failure is in AWS and in state.
				PreConfig: func() {
					if vpcs, roles := owned(t, c, name); vpcs != 1 || roles != 2 {
						t.Fatalf("after the failure: %d VPCs and %d roles, want 1 VPC and 2 roles (cluster, pod execution)", vpcs, roles)
					}
				},
				Config:  config,
				Destroy: true,
			},
			{
				// Destroy removed our parts and left the other cluster alone.
				PreConfig: func() {
					if vpcs, roles := owned(t, c, name); vpcs != 0 || roles != 0 {
						t.Fatalf("after destroy: %d VPCs and %d roles left", vpcs, roles)
					}
					out, err := c.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
					if err != nil {
						t.Fatalf("the cluster that is not ours was deleted: %v", err)
					}
					if aws.ToString(out.Cluster.RoleArn) != "arn:aws:iam::123456789012:role/someone-elses" {
						t.Fatalf("the other cluster changed: %+v", out.Cluster)
					}
					if _, err := c.EKS.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)}); err != nil {
						t.Fatal(err)
					}
					// EKS keeps the name while the cluster is DELETING.
					if err := eks.NewClusterDeletedWaiter(c.EKS, func(o *eks.ClusterDeletedWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).Wait(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, time.Minute); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				Check: func(*terraform.State) error {
					if vpcs, roles := owned(t, c, name); vpcs != 1 || roles != 2 {
						return fmt.Errorf("after converging: %d VPCs and %d roles, want exactly 1 and 2", vpcs, roles)
					}
					return checkProfiles(c, name, map[string][]ekstypes.FargateProfileSelector{"fp": {sel("apps", nil), sel("kube-system", nil)}})(nil)
				},
			},
		},
	})
}
