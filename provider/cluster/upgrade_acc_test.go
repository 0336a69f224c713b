package cluster_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
)

// checkVersions: EKS reports the control plane and every node group at
// Kubernetes version want.
func checkVersions(c *conns.Client, cluster, want string, nodegroups ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		cl, err := finder.Cluster(ctx, c.EKS, cluster)
		if err != nil {
			return err
		}
		if aws.ToString(cl.Version) != want || cl.Status != "ACTIVE" {
			return fmt.Errorf("cluster %s is %s at Kubernetes %s, want ACTIVE at %s", cluster, cl.Status, aws.ToString(cl.Version), want)
		}
		for _, n := range nodegroups {
			ng, err := finder.Nodegroup(ctx, c.EKS, cluster, n)
			if err != nil {
				return err
			}
			if aws.ToString(ng.Version) != want || ng.Status != "ACTIVE" {
				return fmt.Errorf("node group %s of %s is %s at Kubernetes %s, want ACTIVE at %s", n, cluster, ng.Status, aws.ToString(ng.Version), want)
			}
		}
		return nil
	}
}

// TestAccCluster_upgrade: a new kubernetes_version upgrades the control
// plane (EKS: one minor version, an Update waited for), then the add-ons
// to EKS's default versions for it, then the node groups; asserted through
// DescribeCluster, DescribeAddon against DescribeAddonVersions, and
// DescribeNodegroup.
func TestAccCluster_upgrade(t *testing.T) {
	c := acctest.Client(t)
	name := "small-upgrade"
	const body = `
  node_groups = { ng = { instance_types = ["t3.medium"], desired_size = 1, min_size = 1, max_size = 1 } }
  addons      = { vpc-cni = {}, kube-proxy = {}, coredns = {} }`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             smallGone(c, name),
		Steps: []resource.TestStep{
			{
				Config: addonsConfig(name, "10.94.0.0/16", "1.34", body),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkVersions(c, name, "1.34", "ng"),
					checkAddons(c, name, "vpc-cni", "kube-proxy", "coredns"),
				),
			},
			{
				Config: addonsConfig(name, "10.94.0.0/16", "1.35", body),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkVersions(c, name, "1.35", "ng"),
					checkAddons(c, name, "vpc-cni", "kube-proxy", "coredns"),
					resource.TestCheckResourceAttr(addonsAddr, "kubernetes_version", "1.35"),
				),
			},
			{
				Config:   addonsConfig(name, "10.94.0.0/16", "1.35", body),
				PlanOnly: true,
			},
		},
	})
}
