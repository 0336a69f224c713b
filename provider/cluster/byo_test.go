package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// userNetwork is a VPC the user made: two public subnets (routed to an
// internet gateway) and two private ones, in two zones.
type userNetwork struct {
	vpc             string
	public, private []string
	clusterRoleARN  string
	clusterRoleName string
}

func makeUserNetwork(t *testing.T, c *conns.Client, prefix string) userNetwork {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var n userNetwork
	vpc, err := c.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(prefix + ".0.0/16")})
	must(err)
	n.vpc = aws.ToString(vpc.Vpc.VpcId)
	igw, err := c.EC2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	must(err)
	_, err = c.EC2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: igw.InternetGateway.InternetGatewayId, VpcId: aws.String(n.vpc)})
	must(err)
	publicRT, err := c.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(n.vpc)})
	must(err)
	_, err = c.EC2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: publicRT.RouteTable.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igw.InternetGateway.InternetGatewayId})
	must(err)
	privateRT, err := c.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(n.vpc)})
	must(err)
	for i, az := range []string{"eu-west-1a", "eu-west-1b"} {
		for _, public := range []bool{true, false} {
			block := fmt.Sprintf("%s.%d.0/24", prefix, i*2)
			rt := privateRT.RouteTable.RouteTableId
			if public {
				block, rt = fmt.Sprintf("%s.%d.0/24", prefix, i*2+1), publicRT.RouteTable.RouteTableId
			}
			sn, err := c.EC2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(n.vpc), CidrBlock: aws.String(block), AvailabilityZone: aws.String(az)})
			must(err)
			_, err = c.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: rt, SubnetId: sn.Subnet.SubnetId})
			must(err)
			if public {
				n.public = append(n.public, aws.ToString(sn.Subnet.SubnetId))
			} else {
				n.private = append(n.private, aws.ToString(sn.Subnet.SubnetId))
			}
		}
	}
	sort.Strings(n.public)
	sort.Strings(n.private)
	n.clusterRoleName = prefix + "-my-cluster-role"
	role, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(n.clusterRoleName),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	must(err)
	n.clusterRoleARN = aws.ToString(role.Role.Arn)
	return n
}

// checkUserNetworkKept checks that the user's VPC, subnets and role survive.
func checkUserNetworkKept(c *conns.Client, n userNetwork) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		sns, err := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{n.vpc}}}})
		if err != nil {
			return err
		}
		if len(sns.Subnets) != 4 {
			return fmt.Errorf("the user's VPC %s has %d subnets left, want 4", n.vpc, len(sns.Subnets))
		}
		if _, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(n.clusterRoleName)}); err != nil {
			return fmt.Errorf("the user's role was deleted: %w", err)
		}
		return nil
	}
}

// hclList writes strings as an HCL list (JSON's syntax is HCL's here).
func hclList(ss []string) string {
	b, _ := json.Marshal(ss)
	return string(b)
}

func TestAccCluster_bringYourOwnNetworkAndRole(t *testing.T) {
	c := acctest.Client(t)
	n := makeUserNetwork(t, c, "10.42")
	name := "byo"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             resource.ComposeAggregateTestCheckFunc(checkGone(c, name), checkUserNetworkKept(c, n)),
		Steps: []resource.TestStep{{
			Config: acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "byo" {
  name             = %q
  cluster_role_arn = %q
  network          = { subnet_ids = %s }
  node_groups      = { ng = { instance_types = ["t3.medium"], desired_size = 1, min_size = 1, max_size = 1 } }
  fargate_profiles = { fp = { selectors = [{ namespace = "apps" }] } }
}`, name, n.clusterRoleARN, hclList(append(slices.Clone(n.public), n.private...))),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("fargate_cluster.byo", "network.vpc_id", n.vpc),
				resource.TestCheckResourceAttr("fargate_cluster.byo", "cluster_role_arn", n.clusterRoleARN),
				resource.TestCheckResourceAttr("fargate_cluster.byo", "network.private_subnet_ids.#", "2"),
				func(*terraform.State) error {
					ctx := context.Background()
					cl, err := c.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
					if err != nil {
						return err
					}
					if got := aws.ToString(cl.Cluster.RoleArn); got != n.clusterRoleARN {
						return fmt.Errorf("cluster role %s, want the user's %s", got, n.clusterRoleARN)
					}
					fp, err := c.EKS.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String("fp")})
					if err != nil {
						return err
					}
					got := slices.Sorted(slices.Values(fp.FargateProfile.Subnets))
					if !slices.Equal(got, n.private) {
						return fmt.Errorf("Fargate profile subnets %v, want the private ones %v", got, n.private)
					}
					ng, err := c.EKS.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng")})
					if err != nil {
						return err
					}
					if got := slices.Sorted(slices.Values(ng.Nodegroup.Subnets)); !slices.Equal(got, n.private) {
						return fmt.Errorf("node group subnets %v, want the private ones %v", got, n.private)
					}
					// No VPC was created: the only VPCs are moto's default and the user's.
					vpcs, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("tag-key"), Values: []string{"fargate.terrax.io/cluster"}}}})
					if err != nil {
						return err
					}
					for _, v := range vpcs.Vpcs {
						for _, tg := range v.Tags {
							if aws.ToString(tg.Value) == acctest.Region+"/"+name {
								return fmt.Errorf("a VPC %s was created although subnets were given", aws.ToString(v.VpcId))
							}
						}
					}
					return nil
				},
			),
		}},
	})
}
