package acctest

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// OwnerTag is the tag fargate_cluster puts on everything it creates
// (provider/cluster.OwnerTag; repeated here so tests do not import the
// package they test).
const OwnerTag = "fargate.terrax.io/cluster"

// Inventory is what exists in AWS for one cluster name, counted through
// the API: EKS objects under the name and everything carrying the
// cluster's owner tag or living in its VPCs. Tests compare it with what the
// configuration asks for, to prove nothing is duplicated, left or lost.
type Inventory struct {
	Clusters, Nodegroups, Profiles                             int
	Roles                                                      []string
	VPCs, Subnets, NATs, EIPs, IGWs, SecurityGroups, ENIs, LBs int
	// OIDCProviders are the IAM OIDC providers carrying the owner tag.
	OIDCProviders int
	// LBs counts the load balancers of both kinds Kubernetes made for the
	// cluster; ClassicLBs those of them that are Classic ELBs (EKS's legacy
	// controller's), TargetGroups the ELBv2 target groups it made.
	ClassicLBs, TargetGroups int
}

// Empty reports whether nothing of the cluster is left.
func (i Inventory) Empty() bool {
	return i.Clusters+i.Nodegroups+i.Profiles+len(i.Roles)+i.VPCs+i.Subnets+i.NATs+i.EIPs+i.IGWs+i.SecurityGroups+i.ENIs+i.LBs+i.TargetGroups+i.OIDCProviders == 0
}

func (i Inventory) String() string {
	return fmt.Sprintf("%d clusters, %d node groups, %d Fargate profiles, %d roles %v, %d VPCs, %d subnets, %d NAT gateways, %d elastic IPs, %d internet gateways, %d security groups, %d network interfaces, %d load balancers (%d Classic), %d target groups, %d OIDC providers",
		i.Clusters, i.Nodegroups, i.Profiles, len(i.Roles), i.Roles, i.VPCs, i.Subnets, i.NATs, i.EIPs, i.IGWs, i.SecurityGroups, i.ENIs, i.LBs, i.ClassicLBs,
		i.TargetGroups, i.OIDCProviders)
}

// Take counts what exists for cluster name.
func Take(t testing.TB, c *conns.Client, name string) Inventory {
	t.Helper()
	inv, err := TakeE(c, name)
	if err != nil {
		t.Fatalf("taking the inventory of cluster %s: %v", name, err)
	}
	return inv
}

// TakeE is Take for callers that report errors themselves.
func TakeE(c *conns.Client, name string) (Inventory, error) {
	ctx := context.Background()
	var inv Inventory
	if _, err := c.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}); err == nil {
		inv.Clusters = 1
		ngs, err := c.EKS.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String(name)})
		if err != nil {
			return inv, err
		}
		fps, err := c.EKS.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: aws.String(name)})
		if err != nil {
			return inv, err
		}
		inv.Nodegroups, inv.Profiles = len(ngs.Nodegroups), len(fps.FargateProfileNames)
	}
	owner := Region + "/" + name
	roles, err := c.IAM.ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil {
		return inv, err
	}
	for _, r := range roles.Roles {
		tags, err := c.IAM.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: r.RoleName})
		if err != nil {
			continue // deleted meanwhile
		}
		for _, tg := range tags.Tags {
			if aws.ToString(tg.Key) == OwnerTag && aws.ToString(tg.Value) == owner {
				inv.Roles = append(inv.Roles, aws.ToString(r.RoleName))
			}
		}
	}
	oidc, err := c.IAM.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		return inv, err
	}
	for _, p := range oidc.OpenIDConnectProviderList {
		out, err := c.IAM.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: p.Arn})
		if err != nil {
			continue // deleted meanwhile
		}
		for _, tg := range out.Tags {
			if aws.ToString(tg.Key) == OwnerTag && aws.ToString(tg.Value) == owner {
				inv.OIDCProviders++
			}
		}
	}
	owned := []ec2types.Filter{{Name: aws.String("tag:" + OwnerTag), Values: []string{owner}}}
	vpcs, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: owned})
	if err != nil {
		return inv, err
	}
	inv.VPCs = len(vpcs.Vpcs)
	sns, err := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: owned})
	if err != nil {
		return inv, err
	}
	inv.Subnets = len(sns.Subnets)
	nats, err := c.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: owned})
	if err != nil {
		return inv, err
	}
	for _, n := range nats.NatGateways {
		// Filtered here too: moto ignores tag filters on NAT gateways.
		if n.State != ec2types.NatGatewayStateDeleted && hasTag(n.Tags, OwnerTag, owner) {
			inv.NATs++
		}
	}
	addrs, err := c.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: owned})
	if err != nil {
		return inv, err
	}
	inv.EIPs = len(addrs.Addresses)
	igws, err := c.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: owned})
	if err != nil {
		return inv, err
	}
	inv.IGWs = len(igws.InternetGateways)
	for _, v := range vpcs.Vpcs {
		in := []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{aws.ToString(v.VpcId)}}}
		sgs, err := c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: in})
		if err != nil {
			return inv, err
		}
		for _, g := range sgs.SecurityGroups {
			if aws.ToString(g.GroupName) != "default" {
				inv.SecurityGroups++
			}
		}
		enis, err := c.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: in})
		if err != nil {
			return inv, err
		}
		inv.ENIs += len(enis.NetworkInterfaces)
	}
	return inv, countLoadBalancers(ctx, c, name, &inv)
}

func hasTag(tags []ec2types.Tag, key, value string) bool {
	for _, t := range tags {
		if aws.ToString(t.Key) == key && aws.ToString(t.Value) == value {
			return true
		}
	}
	return false
}
