package cluster_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// The small tests each build their own lean cluster (a created VPC over two
// zones, no node group, no profile: only the cluster role), so they run in
// parallel with each other; the blog journey covers the rest.

const smallAddr = "fargate_cluster.small"

func smallConfig(name, cidr, tags string) string {
	return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "small" {
  name    = %q
  network = { vpc_cidr = %q, availability_zones = ["eu-west-1a", "eu-west-1b"] }
  tags    = { %s }
}
`, name, cidr, tags)
}

// checkSmall checks through the AWS API that exactly the small cluster
// exists: ACTIVE, tagged as configured plus the owner tag, with its one
// role and a VPC of two public and two private subnets.
func checkSmall(c *conns.Client, name string, tags map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		inv, err := acctest.TakeE(c, name)
		if err != nil {
			return err
		}
		if inv.Clusters != 1 || inv.Nodegroups+inv.Profiles != 0 || len(inv.Roles) != 1 || inv.VPCs != 1 ||
			inv.Subnets != 4 || inv.NATs != 1 || inv.EIPs != 1 || inv.IGWs != 1 || inv.LBs != 0 {
			return fmt.Errorf("cluster %s in AWS: %s; want 1 cluster, 1 role, 1 VPC, 4 subnets, 1 NAT gateway, 1 elastic IP, 1 internet gateway and nothing else", name, inv)
		}
		out, err := c.EKS.DescribeCluster(context.Background(), &eks.DescribeClusterInput{Name: aws.String(name)})
		if err != nil {
			return err
		}
		if out.Cluster.Status != ekstypes.ClusterStatusActive {
			return fmt.Errorf("cluster %s is %s, want ACTIVE", name, out.Cluster.Status)
		}
		return equalTags("EKS cluster "+name, out.Cluster.Tags, withOwner(name, tags))
	}
}

// smallGone checks through the AWS API that destroy left nothing of the cluster.
func smallGone(c *conns.Client, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if inv, err := acctest.TakeE(c, name); err != nil || !inv.Empty() {
			return fmt.Errorf("left in AWS after destroy of cluster %s: %s (%v)", name, inv, err)
		}
		return nil
	}
}

func withOwner(name string, tags map[string]string) map[string]string {
	t := maps.Clone(tags)
	if t == nil {
		t = map[string]string{}
	}
	t[acctest.OwnerTag] = acctest.Region + "/" + name
	return t
}

func equalTags(what string, got, want map[string]string) error {
	if !maps.Equal(got, want) {
		return fmt.Errorf("%s has tags %v, want %v", what, got, want)
	}
	return nil
}

// TestAccCluster_basic creates the small cluster, checks it through the AWS
// API, imports it and destroys it.
func TestAccCluster_basic(t *testing.T) {
	c := acctest.Client(t)
	name := "small-basic"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             smallGone(c, name),
		Steps: []resource.TestStep{
			{
				Config: smallConfig(name, "10.81.0.0/16", `team = "brewers"`),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSmall(c, name, map[string]string{"team": "brewers"}),
					checkAttrsMatchEKS(c, name),
					resource.TestCheckResourceAttr(smallAddr, "status", "ACTIVE"),
					resource.TestCheckResourceAttr(smallAddr, "network.private_subnet_ids.#", "2"),
					resource.TestCheckResourceAttr(smallAddr, "network.public_subnet_ids.#", "2"),
					resource.TestCheckResourceAttr(smallAddr, "tags_all.team", "brewers"),
					resource.TestCheckNoResourceAttr(smallAddr, "node_groups.%"),
				),
			},
			{
				ResourceName:            smallAddr,
				ImportState:             true,
				ImportStateId:           name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

// checkAttrsMatchEKS: the state's ARN, endpoint and role are EKS's.
func checkAttrsMatchEKS(c *conns.Client, name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		out, err := c.EKS.DescribeCluster(context.Background(), &eks.DescribeClusterInput{Name: aws.String(name)})
		if err != nil {
			return err
		}
		cl := out.Cluster
		return resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr(smallAddr, "arn", aws.ToString(cl.Arn)),
			resource.TestCheckResourceAttr(smallAddr, "endpoint", aws.ToString(cl.Endpoint)),
			resource.TestCheckResourceAttr(smallAddr, "cluster_role_arn", aws.ToString(cl.RoleArn)),
		)(s)
	}
}

// TestAccCluster_disappears deletes the EKS cluster outside Terraform: the
// next plan replaces it (the role and the network it used are still there,
// so the resource stays in the state for destroy to remove them).
func TestAccCluster_disappears(t *testing.T) {
	c := acctest.Client(t)
	name := "small-disappears"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             smallGone(c, name),
		Steps: []resource.TestStep{{
			Config: smallConfig(name, "10.82.0.0/16", ""),
			Check: resource.ComposeTestCheckFunc(
				checkSmall(c, name, nil),
				deleteCluster(c, name),
			),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(smallAddr, plancheck.ResourceActionReplace),
			}},
			ExpectNonEmptyPlan: true,
		}},
	})
}

// deleteCluster deletes the EKS cluster through the EKS API and waits until
// EKS no longer knows it.
func deleteCluster(c *conns.Client, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		if _, err := c.EKS.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)}); err != nil {
			return fmt.Errorf("deleting cluster %s outside Terraform: %w", name, err)
		}
		if !acctest.WaitFor(30*time.Second, func() bool {
			inv, err := acctest.TakeE(c, name)
			return err == nil && inv.Clusters == 0
		}) {
			return fmt.Errorf("cluster %s is still there 30s after DeleteCluster", name)
		}
		return nil
	}
}

// TestAccCluster_tags adds, changes and removes tags in place: EKS, IAM and
// EC2 show the new tags, and the cluster, its role and its VPC are the same
// objects as before.
func TestAccCluster_tags(t *testing.T) {
	c := acctest.Client(t)
	name := "small-tags"
	ids := &smallIDs{}
	step := func(tags string, want map[string]string, removed ...string) resource.TestStep {
		st := resource.TestStep{
			Config: smallConfig(name, "10.83.0.0/16", tags),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkSmall(c, name, want),
				checkOwnedTags(c, name, want, removed),
				checkOIDCTags(c, smallAddr, name, want),
				ids.check(c, name),
			),
		}
		if len(removed) > 0 {
			st.ConfigPlanChecks.PreApply = []plancheck.PlanCheck{plancheck.ExpectResourceAction(smallAddr, plancheck.ResourceActionUpdate)}
		}
		return st
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             smallGone(c, name),
		Steps: []resource.TestStep{
			step(`team = "brewers", stage = "dev"`, map[string]string{"team": "brewers", "stage": "dev"}),
			step(`team = "roasters", env = "demo"`, map[string]string{"team": "roasters", "env": "demo"}, "stage"),
			step(``, nil, "team", "env"),
		},
	})
}

// checkOwnedTags checks through IAM and EC2 that the cluster's role carries
// exactly the tags and the owner tag, and that its VPC and subnets carry the
// tags and none of the removed keys (besides their own Name and Kubernetes
// tags).
func checkOwnedTags(c *conns.Client, name string, want map[string]string, removed []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		inv, err := acctest.TakeE(c, name)
		if err != nil {
			return err
		}
		for _, role := range inv.Roles {
			out, err := c.IAM.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(role)})
			if err != nil {
				return err
			}
			got := map[string]string{}
			for _, t := range out.Tags {
				got[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			if err := equalTags("IAM role "+role, got, withOwner(name, want)); err != nil {
				return err
			}
		}
		owned := ownedFilter(name)
		vpcs, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: owned})
		if err != nil {
			return err
		}
		sns, err := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: owned})
		if err != nil {
			return err
		}
		tagged := map[string][]ec2types.Tag{}
		for _, v := range vpcs.Vpcs {
			tagged["VPC "+aws.ToString(v.VpcId)] = v.Tags
		}
		for _, s := range sns.Subnets {
			tagged["subnet "+aws.ToString(s.SubnetId)] = s.Tags
		}
		for what, tags := range tagged {
			got := map[string]string{}
			for _, t := range tags {
				got[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			for k, v := range want {
				if got[k] != v {
					return fmt.Errorf("%s has tags %v, want %s=%s", what, got, k, v)
				}
			}
			for _, k := range removed {
				if _, ok := got[k]; ok {
					return fmt.Errorf("%s still has tag %s: %v", what, k, got)
				}
			}
		}
		return nil
	}
}

func ownedFilter(name string) []ec2types.Filter {
	return []ec2types.Filter{{Name: aws.String("tag:" + acctest.OwnerTag), Values: []string{acctest.Region + "/" + name}}}
}

// smallIDs are what a replacement would change: when the cluster was
// created, its role's unique ID and its VPC's ID.
type smallIDs struct{ created, role, vpc string }

// check records the IDs at the first call and, at later ones, fails if they
// changed.
func (ids *smallIDs) check(c *conns.Client, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		cl, err := c.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
		if err != nil {
			return err
		}
		roleName := aws.ToString(cl.Cluster.RoleArn)
		role, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName[strings.LastIndex(roleName, "/")+1:])})
		if err != nil {
			return err
		}
		vpcs, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: ownedFilter(name)})
		if err != nil {
			return err
		}
		if len(vpcs.Vpcs) != 1 {
			return fmt.Errorf("cluster %s has %d VPCs, want 1", name, len(vpcs.Vpcs))
		}
		now := smallIDs{aws.ToTime(cl.Cluster.CreatedAt).String(), aws.ToString(role.Role.RoleId), aws.ToString(vpcs.Vpcs[0].VpcId)}
		if *ids == (smallIDs{}) {
			*ids = now
		} else if now != *ids {
			return fmt.Errorf("a tag change replaced part of cluster %s: (created, role ID, VPC) %v became %v", name, *ids, now)
		}
		return nil
	}
}
