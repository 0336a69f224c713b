package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/localeks/shaping"
)

// The requests EKS validates itself, which moto lets through: localeks
// refuses them with EKS's errors. One cluster
// serves every subtest.

const eksRole = "arn:aws:iam::123456789012:role/eks"

// resetCalls zeroes localeks' call counts: the tests after these count their own calls.
func resetCalls() {
	req, _ := http.NewRequest(http.MethodDelete, env.URL+"/_localeks/calls", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

// refused fails unless err is the EKS error code whose message contains want.
func refused(t *testing.T, what string, err error, wantCode, want string) {
	t.Helper()
	if code(err) != wantCode || !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: %v, want %s %q", what, err, wantCode, want)
	}
}

// fidelityVPC makes a VPC with a public subnet (its route table has a route
// to an internet gateway) in zone a and private subnets in zones a and b.
func fidelityVPC(t *testing.T, ctx context.Context) (public, privA, privB string) {
	t.Helper()
	e := eksClient("AKIDCREATOR")
	c := ec2.New(ec2.Options{Region: "eu-west-1", BaseEndpoint: aws.String(env.URL), Credentials: e.Options().Credentials})
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
	must(t, err)
	subnet := func(cidr, zone string) string {
		sn, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(zone)})
		must(t, err)
		return aws.ToString(sn.Subnet.SubnetId)
	}
	public, privA, privB = subnet("10.20.0.0/24", "eu-west-1a"), subnet("10.20.1.0/24", "eu-west-1a"), subnet("10.20.2.0/24", "eu-west-1b")
	igw, err := c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	must(t, err)
	_, err = c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: igw.InternetGateway.InternetGatewayId, VpcId: vpc.Vpc.VpcId})
	must(t, err)
	rt, err := c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: vpc.Vpc.VpcId})
	must(t, err)
	_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: rt.RouteTable.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"),
		GatewayId: igw.InternetGateway.InternetGatewayId})
	must(t, err)
	_, err = c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: rt.RouteTable.RouteTableId, SubnetId: aws.String(public)})
	must(t, err)
	return public, privA, privB
}

func TestFidelityValidation(t *testing.T) {
	t.Cleanup(resetCalls) // registered first, runs last
	ctx := context.Background()
	e := eksClient("AKIDCREATOR")
	name := "fidelity"
	public, privA, privB := fidelityVPC(t, ctx)
	eksOnly := role(t, ctx, "eks-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"eks.amazonaws.com"}}]}`)
	fargateOnly := role(t, ctx, "fargate-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"eks-fargate-pods.amazonaws.com"}}]}`)
	mkCluster := func(role string, subnets ...string) error {
		_, err := e.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String(role), Version: aws.String("1.35"),
			ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: subnets}}, noRetry)
		return err
	}

	// CreateCluster, EKS API reference: "You must specify at least two
	// subnets ... in different Availability Zones"; the cluster IAM role
	// must trust eks.amazonaws.com (user guide, "Amazon EKS cluster IAM role").
	t.Run("cluster request", func(t *testing.T) {
		refused(t, "subnets in one zone", mkCluster(eksRole, privA, public), "InvalidParameterException", "at least two different AZs")
		refused(t, "a role that does not exist", mkCluster("arn:aws:iam::123456789012:role/nope", privA, privB), "InvalidParameterException", "could not be assumed")
		refused(t, "a role that does not trust EKS", mkCluster(fargateOnly, privA, privB), "InvalidParameterException", "could not be assumed")
	})

	// Node groups, profiles and add-ons need an ACTIVE cluster (EKS answers
	// InvalidRequestException "Cluster '<name>' is not in ACTIVE status").
	// Requests, not pace: what this test does not shape happens at once.
	setPace(t, shaping.Pace{Off: true})
	setShaping(t, shaping.Config{ClusterCreate: shaping.Duration{Duration: 5 * time.Second}})
	must(t, mkCluster(eksRole, privA, privB))
	t.Cleanup(func() { _, _ = e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)}) })
	t.Run("creates on a cluster that is not ACTIVE", func(t *testing.T) {
		_, err := e.CreateNodegroup(ctx, nodegroup(name, "early", privA), noRetry)
		refused(t, "node group", err, "InvalidRequestException", "Cluster 'fidelity' is not in ACTIVE status")
		_, err = e.CreateFargateProfile(ctx, profile(name, "early", eksRole, []string{privA}, selectors(1, 0)), noRetry)
		refused(t, "Fargate profile", err, "InvalidRequestException", "is not in ACTIVE status")
		_, err = e.CreateAddon(ctx, &eks.CreateAddonInput{ClusterName: aws.String(name), AddonName: aws.String("vpc-cni")}, noRetry)
		refused(t, "add-on", err, "InvalidRequestException", "is not in ACTIVE status")
	})
	must(t, eks.NewClusterActiveWaiter(e, func(o *eks.ClusterActiveWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).
		Wait(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, time.Minute))

	// CreateFargateProfile, EKS API reference: "only private subnets (with no
	// direct route to an Internet Gateway) are accepted"; up to five
	// selectors, five labels each; the pod execution role trusts
	// eks-fargate-pods.amazonaws.com (user guide, "Amazon EKS Pod execution
	// IAM role"); 10 profiles per cluster (user guide, service quotas).
	t.Run("Fargate profile request", func(t *testing.T) {
		mk := func(n, role string, subnets []string, sel []ekstypes.FargateProfileSelector) error {
			_, err := e.CreateFargateProfile(ctx, profile(name, n, role, subnets, sel), noRetry)
			return err
		}
		refused(t, "a public subnet", mk("p", eksRole, []string{privA, public}, selectors(1, 0)), "InvalidParameterException",
			fmt.Sprintf("Subnet %s provided in Fargate Profile is not a private subnet", public))
		refused(t, "a missing role", mk("p", "arn:aws:iam::123456789012:role/nope", []string{privA}, selectors(1, 0)), "InvalidParameterException",
			"The role with name nope cannot be found")
		refused(t, "a role not trusting Fargate", mk("p", eksOnly, []string{privA}, selectors(1, 0)), "InvalidParameterException",
			"Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com Service Principal")
		refused(t, "six selectors", mk("p", eksRole, []string{privA}, selectors(6, 0)), "InvalidParameterException", "more than 5 Selectors")
		refused(t, "six labels", mk("p", eksRole, []string{privA}, selectors(1, 6)), "InvalidParameterException", "more than 5 Label pairs")
		for i := range 10 {
			must(t, mk(fmt.Sprintf("p%d", i), fargateOnly, []string{privA, privB}, selectors(5, 5)))
		}
		refused(t, "an eleventh profile", mk("p10", eksRole, []string{privA}, selectors(1, 0)), "ResourceLimitExceededException", "maximum per cluster is 10")
	})

	// CreateNodegroup, EKS API reference, version: "By default, the
	// Kubernetes version of the cluster is used, and this is the only
	// accepted specified value."
	t.Run("node group version", func(t *testing.T) {
		in := nodegroup(name, "old", privA)
		in.Version = aws.String("1.34")
		_, err := e.CreateNodegroup(ctx, in, noRetry)
		refused(t, "version 1.34 on a 1.35 cluster", err, "InvalidParameterException", "Requested Nodegroup version 1.34 is invalid")
	})

	// DeleteCluster, EKS API reference: "If you have active services ... or
	// node groups or Fargate profiles, you must delete them first"; EKS
	// answers ResourceInUseException, DELETING ones included; their names
	// stay taken until they are gone.
	t.Run("delete in order", func(t *testing.T) {
		del := func() error {
			_, err := e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)}, noRetry)
			return err
		}
		refused(t, "with profiles", del(), "ResourceInUseException", "Cluster has Fargate Profiles in ACTIVE/CREATING state")
		for i := range 9 {
			_, err := e.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String(fmt.Sprintf("p%d", i))})
			must(t, err)
		}
		_, err := e.CreateNodegroup(ctx, nodegroup(name, "ng", privA))
		must(t, err)
		setShaping(t, shaping.Config{ProfileDelete: shaping.Duration{Duration: 3 * time.Second}, NodegroupDelete: shaping.Duration{Duration: 3 * time.Second}})
		_, err = e.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String("p9")})
		must(t, err)
		_, err = e.DeleteNodegroup(ctx, &eks.DeleteNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng")})
		must(t, err)
		refused(t, "with a node group DELETING", del(), "ResourceInUseException", "Cluster has nodegroups attached")
		_, err = e.CreateNodegroup(ctx, nodegroup(name, "ng", privA), noRetry)
		refused(t, "a node group named as one DELETING", err, "ResourceInUseException", "NodeGroup already exists with name ng")
		_, err = e.CreateFargateProfile(ctx, profile(name, "p9", fargateOnly, []string{privA}, selectors(1, 0)), noRetry)
		refused(t, "a profile named as one DELETING", err, "ResourceInUseException", "A Fargate Profile already exists")
		time.Sleep(3100 * time.Millisecond)
		must(t, del())
	})
}

// TestFidelityIAMPropagation: while IAM propagates a new role, EKS answers
// as if the role did not exist or could not be assumed, with a message that
// depends on the call (user guide, "Troubleshooting IAM": changes to IAM
// are eventually consistent); each call succeeds once it has propagated.
func TestFidelityIAMPropagation(t *testing.T) {
	t.Cleanup(resetCalls) // registered first, runs last
	ctx := context.Background()
	e := eksClient("AKIDCREATOR")
	cl := newCluster(t, ctx, "propagation", 0)
	setShaping(t, shaping.Config{IAMPropagation: shaping.Duration{Duration: 2 * time.Second}})
	fresh := role(t, ctx, "fresh-pods", sharedTrust)
	_, err := e.CreateFargateProfile(ctx, profile(aws.ToString(cl.Name), "fp", fresh, []string{"subnet-a"}, selectors(1, 0)), noRetry)
	refused(t, "a fresh pod execution role", err, "InvalidParameterException", "Misconfigured PodExecutionRole Trust Policy")
	ng := nodegroup(aws.ToString(cl.Name), "ng", "subnet-a")
	ng.NodeRole = aws.String(fresh)
	_, err = e.CreateNodegroup(ctx, ng, noRetry)
	refused(t, "a fresh node role", err, "InvalidParameterException", "could not be assumed")
	_, err = e.CreateNodegroup(ctx, ng, noRetry)
	refused(t, "a fresh node role, again", err, "InvalidParameterException", "The role with name fresh-pods cannot be found")
	time.Sleep(2100 * time.Millisecond)
	_, err = e.CreateFargateProfile(ctx, profile(aws.ToString(cl.Name), "fp", fresh, []string{"subnet-a"}, selectors(1, 0)))
	must(t, err)
}

func nodegroup(cluster, name, subnet string) *eks.CreateNodegroupInput {
	return &eks.CreateNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(name), NodeRole: aws.String(eksRole),
		Subnets: []string{subnet}, ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(1), MinSize: aws.Int32(1), MaxSize: aws.Int32(1)}}
}

func profile(cluster, name, role string, subnets []string, sel []ekstypes.FargateProfileSelector) *eks.CreateFargateProfileInput {
	return &eks.CreateFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(name), PodExecutionRoleArn: aws.String(role),
		Subnets: subnets, Selectors: sel}
}

// selectors makes n selectors with labels labels each.
func selectors(n, labels int) []ekstypes.FargateProfileSelector {
	var out []ekstypes.FargateProfileSelector
	for i := range n {
		s := ekstypes.FargateProfileSelector{Namespace: aws.String(fmt.Sprintf("ns%d", i)), Labels: map[string]string{}}
		for j := range labels {
			s.Labels[fmt.Sprintf("k%d", j)] = "v"
		}
		out = append(out, s)
	}
	return out
}
