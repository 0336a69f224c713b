package cluster_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
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
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/cluster"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// arns remembers ARNs between steps, to prove an object was or was not replaced.
type arns map[string]string

func (a arns) save(c *conns.Client, cluster string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		fps, err := c.EKS.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: aws.String(cluster)})
		if err != nil {
			return err
		}
		clear(a)
		for _, n := range fps.FargateProfileNames {
			fp, err := c.EKS.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(n)})
			if err != nil {
				return err
			}
			a["fp/"+n] = aws.ToString(fp.FargateProfile.FargateProfileArn)
		}
		ngs, err := c.EKS.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String(cluster)})
		if err != nil {
			return err
		}
		for _, n := range ngs.Nodegroups {
			ng, err := c.EKS.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(n)})
			if err != nil {
				return err
			}
			a["ng/"+n] = aws.ToString(ng.Nodegroup.NodegroupArn)
		}
		cl, err := c.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(cluster)})
		if err != nil {
			return err
		}
		a["cluster"] = aws.ToString(cl.Cluster.Arn)
		return nil
	}
}

// same checks that the keys kept their ARN and the others changed or vanished.
func (a arns) same(c *conns.Client, cluster string, kept []string, replaced []string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		before := arns{}
		for k, v := range a {
			before[k] = v
		}
		if err := a.save(c, cluster)(s); err != nil {
			return err
		}
		for _, k := range kept {
			if before[k] == "" || before[k] != a[k] {
				return fmt.Errorf("%s was touched: ARN %q became %q", k, before[k], a[k])
			}
		}
		for _, k := range replaced {
			if before[k] == "" || a[k] == "" || before[k] == a[k] {
				return fmt.Errorf("%s was not replaced: ARN %q then %q", k, before[k], a[k])
			}
		}
		return nil
	}
}

func checkProfiles(c *conns.Client, cluster string, want map[string][]ekstypes.FargateProfileSelector) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		out, err := c.EKS.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: aws.String(cluster)})
		if err != nil {
			return err
		}
		got := slices.Clone(out.FargateProfileNames)
		sort.Strings(got)
		var wantNames []string
		for n := range want {
			wantNames = append(wantNames, n)
		}
		sort.Strings(wantNames)
		if !slices.Equal(got, wantNames) {
			return fmt.Errorf("Fargate profiles in EKS: %v, want %v", got, wantNames)
		}
		cl, err := c.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(cluster)})
		if err != nil {
			return err
		}
		for n, sels := range want {
			fp, err := c.EKS.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(n)})
			if err != nil {
				return err
			}
			p := fp.FargateProfile
			if len(p.Selectors) != len(sels) {
				return fmt.Errorf("profile %s has %d selectors, want %d", n, len(p.Selectors), len(sels))
			}
			for i, s := range sels {
				g := p.Selectors[i]
				if aws.ToString(g.Namespace) != aws.ToString(s.Namespace) || fmt.Sprint(g.Labels) != fmt.Sprint(s.Labels) {
					return fmt.Errorf("profile %s selector %d = %s %v, want %s %v", n, i, aws.ToString(g.Namespace), g.Labels, aws.ToString(s.Namespace), s.Labels)
				}
			}
			// Fargate pods run in private subnets only.
			if err := checkPrivate(ctx, c, p.Subnets); err != nil {
				return fmt.Errorf("profile %s: %w", n, err)
			}
			if !strings.Contains(aws.ToString(p.PodExecutionRoleArn), "fargate-pod-execution") && len(cl.Cluster.Tags) > 0 {
				return fmt.Errorf("profile %s uses pod execution role %s", n, aws.ToString(p.PodExecutionRoleArn))
			}
		}
		return nil
	}
}

// checkPrivate checks that subnets have no route to an internet gateway.
func checkPrivate(ctx context.Context, c *conns.Client, subnets []string) error {
	if len(subnets) == 0 {
		return fmt.Errorf("no subnets")
	}
	rts, err := c.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{{Name: aws.String("association.subnet-id"), Values: subnets}}})
	if err != nil {
		return err
	}
	if len(rts.RouteTables) == 0 {
		return fmt.Errorf("subnets %v have no route table", subnets)
	}
	for _, rt := range rts.RouteTables {
		for _, r := range rt.Routes {
			if strings.HasPrefix(aws.ToString(r.GatewayId), "igw-") {
				return fmt.Errorf("subnets %v route to internet gateway %s: they are public", subnets, aws.ToString(r.GatewayId))
			}
		}
	}
	return nil
}

func checkNodegroup(c *conns.Client, cluster, name string, desired, max int32, instanceType string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		out, err := c.EKS.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(name)})
		if err != nil {
			return err
		}
		ng := out.Nodegroup
		sc := ng.ScalingConfig
		if aws.ToInt32(sc.DesiredSize) != desired || aws.ToInt32(sc.MaxSize) != max || aws.ToInt32(sc.MinSize) != 1 {
			return fmt.Errorf("node group %s scaling = %d/%d/%d, want desired %d max %d min 1", name,
				aws.ToInt32(sc.DesiredSize), aws.ToInt32(sc.MinSize), aws.ToInt32(sc.MaxSize), desired, max)
		}
		if !slices.Equal(ng.InstanceTypes, []string{instanceType}) {
			return fmt.Errorf("node group %s instance types %v", name, ng.InstanceTypes)
		}
		if err := checkPrivate(ctx, c, ng.Subnets); err != nil {
			return fmt.Errorf("node group %s: %w", name, err)
		}
		return checkRolePolicies(ctx, c, aws.ToString(ng.NodeRole), "ec2.amazonaws.com",
			"AmazonEC2ContainerRegistryReadOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy")
	}
}

// checkRolePolicies checks a role's trusted service and that exactly the
// given managed policies are attached.
func checkRolePolicies(ctx context.Context, c *conns.Client, arn, service string, policies ...string) error {
	name := arn[strings.LastIndex(arn, "/")+1:]
	role, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("role %s: %w", arn, err)
	}
	if doc := aws.ToString(role.Role.AssumeRolePolicyDocument); !strings.Contains(doc, service) {
		return fmt.Errorf("role %s does not trust %s: %s", name, service, doc)
	}
	att, err := c.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return err
	}
	var got []string
	for _, p := range att.AttachedPolicies {
		got = append(got, aws.ToString(p.PolicyName))
	}
	sort.Strings(got)
	if !slices.Equal(got, policies) {
		return fmt.Errorf("role %s has policies %v, want %v", name, got, policies)
	}
	return nil
}

func checkCluster(c *conns.Client, name string, tags map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		out, err := c.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
		if err != nil {
			return err
		}
		cl := out.Cluster
		if cl.Status != ekstypes.ClusterStatusActive || aws.ToString(cl.Version) != "1.35" {
			return fmt.Errorf("cluster %s is %s version %s", name, cl.Status, aws.ToString(cl.Version))
		}
		want := map[string]string{cluster.OwnerTag: acctest.Region + "/" + name}
		for k, v := range tags {
			want[k] = v
		}
		if fmt.Sprint(cl.Tags) != fmt.Sprint(want) {
			return fmt.Errorf("cluster tags %v, want %v (the owner tag marks it as this resource's)", cl.Tags, want)
		}
		if err := checkRolePolicies(ctx, c, aws.ToString(cl.RoleArn), "eks.amazonaws.com", "AmazonEKSClusterPolicy"); err != nil {
			return err
		}
		// The VPC: 192.168.0.0/16 with a public and a private subnet per zone.
		vpcs, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("tag:" + cluster.OwnerTag), Values: []string{acctest.Region + "/" + name}}}})
		if err != nil {
			return err
		}
		if len(vpcs.Vpcs) != 1 || aws.ToString(vpcs.Vpcs[0].CidrBlock) != "192.168.0.0/16" {
			return fmt.Errorf("want one VPC 192.168.0.0/16 for the cluster, got %+v", vpcs.Vpcs)
		}
		sns, err := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{aws.ToString(vpcs.Vpcs[0].VpcId)}}}})
		if err != nil {
			return err
		}
		if len(sns.Subnets) != 6 {
			return fmt.Errorf("want 6 subnets (3 zones x public/private), got %d", len(sns.Subnets))
		}
		profs, _ := c.EKS.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: aws.String(name)})
		if len(profs.FargateProfileNames) > 0 {
			p, err := c.EKS.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String(profs.FargateProfileNames[0])})
			if err != nil {
				return err
			}
			if err := checkRolePolicies(ctx, c, aws.ToString(p.FargateProfile.PodExecutionRoleArn), "eks-fargate-pods.amazonaws.com", "AmazonEKSFargatePodExecutionRolePolicy"); err != nil {
				return err
			}
		}
		return nil
	}
}

// checkGone checks through the AWS API that nothing the resource made is
// left: no cluster, no role, no VPC part carrying its owner tag.
func checkGone(c *conns.Client, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if inv, err := acctest.TakeE(c, name); err != nil || !inv.Empty() {
			return fmt.Errorf("left behind by cluster %s: %s (%v)", name, inv, err)
		}
		return nil
	}
}

func sel(ns string, labels map[string]string) ekstypes.FargateProfileSelector {
	return ekstypes.FargateProfileSelector{Namespace: aws.String(ns), Labels: labels}
}

func checkEndpointAccess(c *conns.Client, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := c.EKS.DescribeCluster(context.Background(), &eks.DescribeClusterInput{Name: aws.String(name)})
		if err != nil {
			return err
		}
		v := out.Cluster.ResourcesVpcConfig
		if !v.EndpointPrivateAccess || !v.EndpointPublicAccess || fmt.Sprint(v.PublicAccessCidrs) != "[203.0.113.0/24]" {
			return fmt.Errorf("endpoint access: private %v public %v cidrs %v", v.EndpointPrivateAccess, v.EndpointPublicAccess, v.PublicAccessCidrs)
		}
		return nil
	}
}

func checkEKSTags(c *conns.Client, name string, want map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		ng, err := c.EKS.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String("node-group")})
		if err != nil {
			return err
		}
		if fmt.Sprint(ng.Nodegroup.Tags) != fmt.Sprint(want) {
			return fmt.Errorf("node group tags %v, want %v", ng.Nodegroup.Tags, want)
		}
		fp, err := c.EKS.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String("fp-default")})
		if err != nil {
			return err
		}
		// The cluster's own profiles carry its owner tag (exclusive_fargate_profiles = false tells them by it).
		if fmt.Sprint(fp.FargateProfile.Tags) != fmt.Sprint(withOwner(name, want)) {
			return fmt.Errorf("profile tags %v, want %v", fp.FargateProfile.Tags, withOwner(name, want))
		}
		return nil
	}
}

// checkCoreDNSOnFargate: fp-default selects kube-system, so after the apply
// CoreDNS runs on Fargate nodes (as eksctl leaves it), through the Kubernetes API.
func checkCoreDNSOnFargate(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		kc := acctest.Kube(t, name)
		deadline := time.Now().Add(60 * time.Second)
		var last string
		for time.Now().Before(deadline) {
			pods, err := kc.Kube.CoreV1().Pods("kube-system").List(context.Background(), metav1.ListOptions{LabelSelector: "k8s-app=kube-dns"})
			if err != nil {
				return err
			}
			onFargate := 0
			last = ""
			for _, p := range pods.Items {
				if p.DeletionTimestamp == nil && p.Status.Phase == "Running" && strings.HasPrefix(p.Spec.NodeName, "fargate-ip-") {
					onFargate++
				}
				last += fmt.Sprintf(" %s(%s on %q)", p.Name, p.Status.Phase, p.Spec.NodeName)
			}
			if onFargate == 2 && len(pods.Items) == 2 {
				return nil
			}
			time.Sleep(500 * time.Millisecond)
		}
		return fmt.Errorf("CoreDNS is not on two Fargate nodes:%s", last)
	}
}
