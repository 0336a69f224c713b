//go:build bench

package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// The calls of each terraform-provider-aws resource the peer uses: Create is
// the create call, its waiter and the Read that SDKv2 resources end with;
// Read is what a refresh calls. Sources in bench/README.md.

func (p *awsPeer) readZones(ctx context.Context) error {
	out, err := p.c.ec2.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	if err != nil {
		return err
	}
	var zones []string
	for _, z := range out.AvailabilityZones {
		zones = append(zones, aws.ToString(z.ZoneName))
	}
	if len(zones) < 3 {
		zones = []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}
	}
	p.mu.Lock()
	p.zones = zones[:3]
	p.mu.Unlock()
	return nil
}

// createVPC: CreateVpc, the available waiter, the DNS attribute the module
// turns on (enable_dns_hostnames), then resourceVPCRead.
func (p *awsPeer) createVPC(ctx context.Context) error {
	out, err := p.c.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: str(p.cidr)})
	if err != nil {
		return err
	}
	id := aws.ToString(out.Vpc.VpcId)
	p.set("vpc", id)
	if err := stateChangeConf(ctx, 0, func(ctx context.Context) (bool, error) {
		d, err := p.c.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}})
		return err == nil && len(d.Vpcs) == 1 && d.Vpcs[0].State == ec2types.VpcStateAvailable, err
	}); err != nil {
		return err
	}
	if _, err := p.c.ec2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: str(id), EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		return err
	}
	return p.readVPC(ctx)
}

// readVPC is resourceVPCRead: the VPC, three attributes, its main route
// table, default network ACL and default security group.
func (p *awsPeer) readVPC(ctx context.Context) error {
	id := p.id("vpc")
	vpcFilter := []ec2types.Filter{{Name: str("vpc-id"), Values: []string{id}}}
	calls := []func() error{
		func() error {
			_, err := p.c.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}})
			return err
		},
		func() error {
			_, err := p.c.ec2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: str(id), Attribute: ec2types.VpcAttributeNameEnableDnsHostnames})
			return err
		},
		func() error {
			_, err := p.c.ec2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: str(id), Attribute: ec2types.VpcAttributeNameEnableDnsSupport})
			return err
		},
		func() error {
			_, err := p.c.ec2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: str(id), Attribute: ec2types.VpcAttributeNameEnableNetworkAddressUsageMetrics})
			return err
		},
		func() error {
			_, err := p.c.ec2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: append(vpcFilter, ec2types.Filter{Name: str("association.main"), Values: []string{"true"}})})
			return err
		},
		func() error {
			_, err := p.c.ec2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: append(vpcFilter, ec2types.Filter{Name: str("default"), Values: []string{"true"}})})
			return err
		},
		func() error {
			_, err := p.c.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: append(vpcFilter, ec2types.Filter{Name: str("group-name"), Values: []string{"default"}})})
			return err
		},
	}
	for _, c := range calls {
		if err := c(); err != nil {
			return err
		}
	}
	return nil
}

func (p *awsPeer) createIGW(ctx context.Context) error {
	out, err := p.c.ec2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	if err != nil {
		return err
	}
	id := aws.ToString(out.InternetGateway.InternetGatewayId)
	p.set("igw", id)
	if _, err := p.c.ec2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: str(id), VpcId: str(p.id("vpc"))}); err != nil {
		return err
	}
	// The attached waiter, then the Read.
	if err := stateChangeConf(ctx, 0, func(ctx context.Context) (bool, error) { return true, p.describeIGW(ctx) }); err != nil {
		return err
	}
	return p.describeIGW(ctx)
}

func (p *awsPeer) describeIGW(ctx context.Context) error {
	_, err := p.c.ec2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{InternetGatewayIds: []string{p.id("igw")}})
	return err
}

func (p *awsPeer) deleteIGW(ctx context.Context) error {
	if err := p.retryDependency(ctx, func(ctx context.Context) error {
		_, err := p.c.ec2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: str(p.id("igw")), VpcId: str(p.id("vpc"))})
		return err
	}); err != nil {
		return err
	}
	_, err := p.c.ec2.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: str(p.id("igw"))})
	return err
}

func (p *awsPeer) describeEIP(ctx context.Context) error {
	_, err := p.c.ec2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{p.id("eip")}})
	return err
}

func (p *awsPeer) createSubnet(ctx context.Context, name, cidr string, zone int, public bool) error {
	p.mu.Lock()
	az := p.zones[zone]
	p.mu.Unlock()
	out, err := p.c.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: str(p.id("vpc")), CidrBlock: str(cidr), AvailabilityZone: str(az)})
	if err != nil {
		return err
	}
	id := aws.ToString(out.Subnet.SubnetId)
	p.set(name, id)
	if err := stateChangeConf(ctx, 0, func(ctx context.Context) (bool, error) {
		d, err := p.c.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{id}})
		return err == nil && len(d.Subnets) == 1 && d.Subnets[0].State == ec2types.SubnetStateAvailable, err
	}); err != nil {
		return err
	}
	if public {
		if _, err := p.c.ec2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: str(id), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
			return err
		}
	}
	return p.describeSubnet(ctx, name)
}

func (p *awsPeer) describeSubnet(ctx context.Context, name string) error {
	_, err := p.c.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{p.id(name)}})
	return err
}

// createNAT: CreateNatGateway and waitNATGatewayCreated (pending ->
// available), then the Read.
func (p *awsPeer) createNAT(ctx context.Context) error {
	out, err := p.c.ec2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: str(p.id("subnet.public[0]")), AllocationId: str(p.id("eip"))})
	if err != nil {
		return err
	}
	p.set("nat", aws.ToString(out.NatGateway.NatGatewayId))
	if err := p.waitNAT(ctx, ec2types.NatGatewayStateAvailable); err != nil {
		return err
	}
	return p.describeNAT(ctx)
}

func (p *awsPeer) waitNAT(ctx context.Context, want ec2types.NatGatewayState) error {
	return stateChangeConf(ctx, 0, func(ctx context.Context) (bool, error) {
		d, err := p.c.ec2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{p.id("nat")}})
		if err != nil {
			return false, err
		}
		return len(d.NatGateways) == 0 || d.NatGateways[0].State == want, nil
	})
}

func (p *awsPeer) describeNAT(ctx context.Context) error {
	_, err := p.c.ec2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{p.id("nat")}})
	return err
}

func (p *awsPeer) deleteNAT(ctx context.Context) error {
	if _, err := p.c.ec2.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: str(p.id("nat"))}); err != nil {
		return err
	}
	return p.waitNAT(ctx, ec2types.NatGatewayStateDeleted)
}

func (p *awsPeer) createRouteTable(ctx context.Context, name string) error {
	out, err := p.c.ec2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: str(p.id("vpc"))})
	if err != nil {
		return err
	}
	p.set(name, aws.ToString(out.RouteTable.RouteTableId))
	// The ready waiter, then the Read.
	if err := stateChangeConf(ctx, 0, func(ctx context.Context) (bool, error) { return true, p.describeRouteTable(ctx, name) }); err != nil {
		return err
	}
	return p.describeRouteTable(ctx, name)
}

func (p *awsPeer) describeRouteTable(ctx context.Context, name string) error {
	_, err := p.c.ec2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{p.id(name)}})
	return err
}

func (p *awsPeer) createRoute(ctx context.Context, rt, kind string) error {
	in := &ec2.CreateRouteInput{RouteTableId: str(p.id(rt)), DestinationCidrBlock: str("0.0.0.0/0")}
	if kind == "public" {
		in.GatewayId = str(p.id("igw"))
	} else {
		in.NatGatewayId = str(p.id("nat"))
	}
	if _, err := p.c.ec2.CreateRoute(ctx, in); err != nil {
		return err
	}
	if err := stateChangeConf(ctx, 0, func(ctx context.Context) (bool, error) { return true, p.describeRouteTable(ctx, rt) }); err != nil {
		return err
	}
	return p.describeRouteTable(ctx, rt)
}

func (p *awsPeer) associate(ctx context.Context, name, rt, subnet string) error {
	out, err := p.c.ec2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: str(p.id(rt)), SubnetId: str(p.id(subnet))})
	if err != nil {
		return err
	}
	p.set(name, aws.ToString(out.AssociationId))
	if err := stateChangeConf(ctx, 0, func(ctx context.Context) (bool, error) { return true, p.describeRouteTable(ctx, rt) }); err != nil {
		return err
	}
	return p.describeRouteTable(ctx, rt)
}

func (p *awsPeer) createRole(ctx context.Context, role, service string) error {
	trust, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": service}, "Action": []string{"sts:AssumeRole", "sts:TagSession"}}}})
	if _, err := p.c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: str(p.roleName(role)), AssumeRolePolicyDocument: str(string(trust))}); err != nil {
		return err
	}
	return p.readRole(ctx, role)
}

// readRole is resourceRoleRead: the role, its inline and its attached policies.
func (p *awsPeer) readRole(ctx context.Context, role string) error {
	name := str(p.roleName(role))
	if _, err := p.c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: name}); err != nil {
		return err
	}
	if _, err := p.c.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: name}); err != nil {
		return err
	}
	return p.readAttachment(ctx, role)
}

func (p *awsPeer) readAttachment(ctx context.Context, role string) error {
	_, err := p.c.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: str(p.roleName(role))})
	return err
}

func (p *awsPeer) privateSubnets() []string {
	var out []string
	for _, n := range p.subnetNames("private") {
		out = append(out, p.id(n))
	}
	return out
}

// iamNotYet are the messages EKS gives for a role IAM has not propagated
// yet, on which the EKS resources retry for propagationTimeout.
func iamNotYet(err error) bool {
	msg := err.Error()
	return errCode(err) == "InvalidParameterException" && (strings.Contains(msg, "could not be assumed") ||
		strings.Contains(msg, "cannot be found") || strings.Contains(msg, "Misconfigured PodExecutionRole"))
}

// createCluster: CreateCluster retried while the role has not propagated,
// waitClusterCreated, then the Read.
func (p *awsPeer) createCluster(ctx context.Context) error {
	arn := "arn:aws:iam::123456789012:role/" + p.roleName("iam_role.cluster")
	if out, err := p.c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: str(p.roleName("iam_role.cluster"))}); err == nil {
		arn = aws.ToString(out.Role.Arn)
	}
	if err := retryWhen(ctx, func(ctx context.Context) error {
		_, err := p.c.eks.CreateCluster(ctx, &eks.CreateClusterInput{Name: str(p.cluster), RoleArn: str(arn),
			ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: p.privateSubnets()}})
		return err
	}, iamNotYet); err != nil {
		return err
	}
	if err := p.waitCluster(ctx, ekstypes.ClusterStatusActive); err != nil {
		return err
	}
	return p.describeCluster(ctx)
}

func (p *awsPeer) waitCluster(ctx context.Context, want ekstypes.ClusterStatus) error {
	return stateChangeConf(ctx, 0, func(ctx context.Context) (bool, error) {
		out, err := p.c.eks.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: str(p.cluster)})
		if errCode(err) == "ResourceNotFoundException" {
			return want == "", nil
		}
		if err != nil {
			return false, err
		}
		return out.Cluster.Status == want, nil
	})
}

func (p *awsPeer) describeCluster(ctx context.Context) error {
	out, err := p.c.eks.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: str(p.cluster)})
	if err == nil && out.Cluster.Identity != nil && out.Cluster.Identity.Oidc != nil {
		p.set("issuer", aws.ToString(out.Cluster.Identity.Oidc.Issuer))
	}
	return err
}

func (p *awsPeer) deleteCluster(ctx context.Context) error {
	if _, err := p.c.eks.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: str(p.cluster)}); err != nil {
		return err
	}
	return p.waitCluster(ctx, "")
}

func (p *awsPeer) createOIDC(ctx context.Context) error {
	out, err := p.c.iam.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: str(p.id("issuer")),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{strings.Repeat("9", 40)}})
	if err != nil {
		return err
	}
	p.set("oidc", aws.ToString(out.OpenIDConnectProviderArn))
	return p.readOIDC(ctx)
}

func (p *awsPeer) deleteOIDC(ctx context.Context) error {
	_, err := p.c.iam.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: str(p.id("oidc"))})
	return err
}

func (p *awsPeer) readOIDC(ctx context.Context) error {
	_, err := p.c.iam.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: str(p.id("oidc"))})
	return err
}

// createProfile holds the cluster's profile mutex across the create and its
// wait, as resourceFargateProfileCreate does.
func (p *awsPeer) createProfile(ctx context.Context, n int) error {
	p.profileMu.Lock()
	defer p.profileMu.Unlock()
	if err := p.createProfileCall(ctx, n); err != nil {
		return err
	}
	if err := p.waitProfile(ctx, n, ekstypes.FargateProfileStatusActive); err != nil {
		return err
	}
	_, err := p.c.eks.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: str(p.cluster), FargateProfileName: str(profileName(n))})
	return err
}

// createProfileCall is CreateFargateProfile, retried while the pod execution
// role has not propagated.
func (p *awsPeer) createProfileCall(ctx context.Context, n int) error {
	role, err := p.c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: str(p.roleName("iam_role.pod_execution"))})
	if err != nil {
		return err
	}
	sel := []ekstypes.FargateProfileSelector{{Namespace: str(fmt.Sprintf("apps-%d", n)), Labels: map[string]string{"app": "service"}}}
	if n == 0 {
		sel = []ekstypes.FargateProfileSelector{{Namespace: str("default")}, {Namespace: str("kube-system")}}
	}
	return retryWhen(ctx, func(ctx context.Context) error {
		_, err := p.c.eks.CreateFargateProfile(ctx, &eks.CreateFargateProfileInput{ClusterName: str(p.cluster), FargateProfileName: str(profileName(n)),
			PodExecutionRoleArn: role.Role.Arn, Subnets: p.privateSubnets(), Selectors: sel})
		return err
	}, iamNotYet)
}

func (p *awsPeer) waitProfile(ctx context.Context, n int, want ekstypes.FargateProfileStatus) error {
	return stateChangeConf(ctx, 0, func(ctx context.Context) (bool, error) {
		out, err := p.c.eks.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: str(p.cluster), FargateProfileName: str(profileName(n))})
		if errCode(err) == "ResourceNotFoundException" {
			return want == "", nil
		}
		if err != nil {
			return false, err
		}
		return out.FargateProfile.Status == want, nil
	})
}

func (p *awsPeer) deleteProfile(ctx context.Context, n int) error {
	p.profileMu.Lock()
	defer p.profileMu.Unlock()
	if _, err := p.c.eks.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{ClusterName: str(p.cluster), FargateProfileName: str(profileName(n))}); err != nil {
		return err
	}
	return p.waitProfile(ctx, n, "")
}

func (p *awsPeer) createNodegroup(ctx context.Context, n int) error {
	role, err := p.c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: str(p.roleName("iam_role.node"))})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("ng-%d", n)
	if err := retryWhen(ctx, func(ctx context.Context) error {
		_, err := p.c.eks.CreateNodegroup(ctx, &eks.CreateNodegroupInput{ClusterName: str(p.cluster), NodegroupName: str(name), NodeRole: role.Role.Arn,
			Subnets: p.privateSubnets(), InstanceTypes: []string{"t3.medium"},
			ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(1), MinSize: aws.Int32(1), MaxSize: aws.Int32(4)}})
		return err
	}, iamNotYet); err != nil {
		return err
	}
	if err := p.waitNodegroup(ctx, name, ekstypes.NodegroupStatusActive); err != nil {
		return err
	}
	_, err = p.c.eks.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: str(p.cluster), NodegroupName: str(name)})
	return err
}

func (p *awsPeer) waitNodegroup(ctx context.Context, name string, want ekstypes.NodegroupStatus) error {
	return stateChangeConf(ctx, 0, func(ctx context.Context) (bool, error) {
		out, err := p.c.eks.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: str(p.cluster), NodegroupName: str(name)})
		if errCode(err) == "ResourceNotFoundException" {
			return want == "", nil
		}
		if err != nil {
			return false, err
		}
		return out.Nodegroup.Status == want, nil
	})
}

func (p *awsPeer) deleteNodegroup(ctx context.Context, n int) error {
	name := fmt.Sprintf("ng-%d", n)
	if _, err := p.c.eks.DeleteNodegroup(ctx, &eks.DeleteNodegroupInput{ClusterName: str(p.cluster), NodegroupName: str(name)}); err != nil {
		return err
	}
	return p.waitNodegroup(ctx, name, "")
}

func (p *awsPeer) createCoreDNS(ctx context.Context) error {
	if _, err := p.c.eks.CreateAddon(ctx, &eks.CreateAddonInput{ClusterName: str(p.cluster), AddonName: str("coredns"),
		ConfigurationValues: str(`{"computeType":"Fargate"}`)}); err != nil {
		return err
	}
	if err := p.waitAddon(ctx, ekstypes.AddonStatusActive); err != nil {
		return err
	}
	_, err := p.c.eks.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: str(p.cluster), AddonName: str("coredns")})
	return err
}

func (p *awsPeer) waitAddon(ctx context.Context, want ekstypes.AddonStatus) error {
	return stateChangeConf(ctx, 0, func(ctx context.Context) (bool, error) {
		out, err := p.c.eks.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: str(p.cluster), AddonName: str("coredns")})
		if errCode(err) == "ResourceNotFoundException" {
			return want == "", nil
		}
		if err != nil {
			return false, err
		}
		if out.Addon.Status == ekstypes.AddonStatusCreateFailed || out.Addon.Status == ekstypes.AddonStatusDegraded && want == ekstypes.AddonStatusActive {
			return false, fmt.Errorf("add-on coredns is %s", out.Addon.Status)
		}
		return out.Addon.Status == want, nil
	})
}

func (p *awsPeer) deleteCoreDNS(ctx context.Context) error {
	if _, err := p.c.eks.DeleteAddon(ctx, &eks.DeleteAddonInput{ClusterName: str(p.cluster), AddonName: str("coredns")}); err != nil {
		return err
	}
	return p.waitAddon(ctx, "")
}
