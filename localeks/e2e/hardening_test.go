package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

// TestHardening: what EKS keeps and does for a hardened cluster. Logging
// and encryption settings are returned by DescribeCluster; encryption is
// added to a cluster made without it with AssociateEncryptionConfig, an
// update, once only (API reference, AssociateEncryptionConfig). A node
// group made with a launch template reports no diskSize (EKS refuses both
// together) and keeps its updateConfig (CreateNodegroup); its taints are on
// its nodes, where kube-scheduler keeps pods without a toleration off, and
// change with UpdateNodegroupConfig; UpdateNodegroupVersion moves it to a
// new version of its launch template, and is refused a launch template for
// a node group made without one (UpdateNodegroupVersion, "launchTemplate").
func TestHardening(t *testing.T) {
	ctx := context.Background()
	e := eksClient("AKIDCREATOR")
	c2 := ec2.New(ec2.Options{Region: "eu-west-1", BaseEndpoint: aws.String(env.URL), Credentials: e.Options().Credentials})
	name, role := "hardening", "arn:aws:iam::123456789012:role/eks"
	_, err := e.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String(role),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-a", "subnet-b"}, EndpointPublicAccess: aws.Bool(true)},
		Logging:            &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{{Enabled: aws.Bool(true), Types: []ekstypes.LogType{"api", "audit"}}}}})
	must(t, err)
	t.Cleanup(func() { _, _ = e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)}) })
	_, err = eks.NewClusterActiveWaiter(e, func(o *eks.ClusterActiveWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).
		WaitForOutput(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, time.Minute)
	must(t, err)
	describe := func() *ekstypes.Cluster {
		out, err := e.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
		must(t, err)
		return out.Cluster
	}
	if l := describe().Logging; l == nil || len(l.ClusterLogging) == 0 || !aws.ToBool(l.ClusterLogging[0].Enabled) || len(l.ClusterLogging[0].Types) != 2 {
		t.Fatalf("logging %+v, want api and audit on", l)
	}
	succeeded := func(u *ekstypes.Update, ng string) {
		t.Helper()
		in := &eks.DescribeUpdateInput{Name: aws.String(name), UpdateId: u.Id}
		if ng != "" {
			in.NodegroupName = aws.String(ng)
		}
		eventually(t, 15*time.Second, "update "+aws.ToString(u.Id)+" Successful", func() error {
			out, err := e.DescribeUpdate(ctx, in)
			if err != nil || out.Update.Status != ekstypes.UpdateStatusSuccessful {
				return fmt.Errorf("%+v %v", out, err)
			}
			return nil
		})
	}

	t.Run("encryption added once", func(t *testing.T) {
		key := "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-0000-4000-8000-000000000001"
		in := &eks.AssociateEncryptionConfigInput{ClusterName: aws.String(name), EncryptionConfig: []ekstypes.EncryptionConfig{
			{Provider: &ekstypes.Provider{KeyArn: aws.String(key)}, Resources: []string{"secrets"}}}}
		out, err := e.AssociateEncryptionConfig(ctx, in)
		must(t, err)
		if out.Update.Type != ekstypes.UpdateTypeAssociateEncryptionConfig || out.Update.Status != ekstypes.UpdateStatusInProgress {
			t.Fatalf("update %+v, want an AssociateEncryptionConfig InProgress", out.Update)
		}
		succeeded(out.Update, "")
		if enc := describe().EncryptionConfig; len(enc) != 1 || aws.ToString(enc[0].Provider.KeyArn) != key {
			t.Fatalf("encryption %+v, want the Secrets encrypted with %s", enc, key)
		}
		// A new request (the SDK keeps the first one's idempotency token in in).
		again := &eks.AssociateEncryptionConfigInput{ClusterName: in.ClusterName, EncryptionConfig: in.EncryptionConfig}
		if _, err := e.AssociateEncryptionConfig(ctx, again); code(err) != "InvalidParameterException" || !strings.Contains(err.Error(), "already enabled") {
			t.Fatalf("a second AssociateEncryptionConfig: %v, want InvalidParameterException", err)
		}
	})

	lt, err := c2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("hardening-ng"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{MetadataOptions: &ec2types.LaunchTemplateInstanceMetadataOptionsRequest{
			HttpTokens: ec2types.LaunchTemplateHttpTokensStateRequired, HttpPutResponseHopLimit: aws.Int32(2)}}})
	must(t, err)
	ltID := lt.LaunchTemplate.LaunchTemplateId
	_, err = e.CreateNodegroup(ctx, &eks.CreateNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng"), NodeRole: aws.String(role),
		Subnets: []string{"subnet-a"}, LaunchTemplate: &ekstypes.LaunchTemplateSpecification{Id: ltID, Version: aws.String("1")},
		Taints:        []ekstypes.Taint{{Key: aws.String("dedicated"), Value: aws.String("db"), Effect: ekstypes.TaintEffectNoSchedule}},
		UpdateConfig:  &ekstypes.NodegroupUpdateConfig{MaxUnavailable: aws.Int32(2)},
		ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(1), MinSize: aws.Int32(1), MaxSize: aws.Int32(2)}})
	must(t, err)
	_, err = e.CreateNodegroup(ctx, &eks.CreateNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String("plain"), NodeRole: aws.String(role),
		Subnets: []string{"subnet-a"}, ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(0), MinSize: aws.Int32(0), MaxSize: aws.Int32(1)}})
	must(t, err)
	t.Cleanup(func() {
		for _, ng := range []string{"ng", "plain"} {
			_, _ = e.DeleteNodegroup(ctx, &eks.DeleteNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String(ng)})
		}
	})
	nodegroup := func() *ekstypes.Nodegroup {
		out, err := e.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng")})
		must(t, err)
		return out.Nodegroup
	}
	ng := nodegroup()
	if ng.DiskSize != nil || ng.UpdateConfig == nil || aws.ToInt32(ng.UpdateConfig.MaxUnavailable) != 2 || aws.ToString(ng.LaunchTemplate.Version) != "1" {
		t.Fatalf("node group: disk size %v, update config %+v, launch template %+v; want no disk size, maxUnavailable 2, version 1", ng.DiskSize, ng.UpdateConfig, ng.LaunchTemplate)
	}

	tok, err := eksauth.NewToken(ctx, stsClient("AKIDCREATOR"), name)
	must(t, err)
	k := kube(t, describe(), tok.Value)
	taintedWith := func(key string, effect corev1.TaintEffect) {
		t.Helper()
		eventually(t, 30*time.Second, "the node group's node tainted "+key, func() error {
			nodes, err := k.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "eks.amazonaws.com/nodegroup=ng"})
			if err != nil {
				return err
			}
			if len(nodes.Items) != 1 {
				return fmt.Errorf("%d nodes of node group ng, want 1", len(nodes.Items))
			}
			var keys []string
			for _, tt := range nodes.Items[0].Spec.Taints {
				if !strings.HasPrefix(tt.Key, "node.kubernetes.io/") {
					keys = append(keys, tt.Key+":"+string(tt.Effect))
				}
			}
			if !slices.Equal(keys, []string{key + ":" + string(effect)}) {
				return fmt.Errorf("taints %v", keys)
			}
			return nil
		})
	}
	taintedWith("dedicated", corev1.TaintEffectNoSchedule)

	t.Run("a pod without a toleration is kept off the tainted node", func(t *testing.T) {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "untolerated", Namespace: "default"}, Spec: corev1.PodSpec{
			NodeSelector: map[string]string{"eks.amazonaws.com/nodegroup": "ng"},
			Containers:   []corev1.Container{{Name: "c", Image: "nginx"}}}}
		_, err := k.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{})
		must(t, err)
		eventually(t, 30*time.Second, "kube-scheduler's untolerated taint", func() error {
			p, err := k.CoreV1().Pods("default").Get(ctx, "untolerated", metav1.GetOptions{})
			if err != nil {
				return err
			}
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && strings.Contains(c.Message, "untolerated taint") {
					return nil
				}
			}
			return fmt.Errorf("node %q, conditions %+v", p.Spec.NodeName, p.Status.Conditions)
		})
	})

	t.Run("taints changed in place", func(t *testing.T) {
		out, err := e.UpdateNodegroupConfig(ctx, &eks.UpdateNodegroupConfigInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng"),
			Taints: &ekstypes.UpdateTaintsPayload{
				AddOrUpdateTaints: []ekstypes.Taint{{Key: aws.String("gpu"), Value: aws.String("true"), Effect: ekstypes.TaintEffectNoExecute}},
				RemoveTaints:      []ekstypes.Taint{{Key: aws.String("dedicated"), Value: aws.String("db"), Effect: ekstypes.TaintEffectNoSchedule}}}})
		must(t, err)
		succeeded(out.Update, "ng")
		taintedWith("gpu", corev1.TaintEffectNoExecute)
	})

	t.Run("new launch template version in place", func(t *testing.T) {
		_, err := c2.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{LaunchTemplateId: ltID,
			LaunchTemplateData: &ec2types.RequestLaunchTemplateData{MetadataOptions: &ec2types.LaunchTemplateInstanceMetadataOptionsRequest{
				HttpTokens: ec2types.LaunchTemplateHttpTokensStateRequired, HttpPutResponseHopLimit: aws.Int32(1)}}})
		must(t, err)
		out, err := e.UpdateNodegroupVersion(ctx, &eks.UpdateNodegroupVersionInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng"),
			LaunchTemplate: &ekstypes.LaunchTemplateSpecification{Id: ltID, Version: aws.String("2")}})
		must(t, err)
		succeeded(out.Update, "ng")
		if v := aws.ToString(nodegroup().LaunchTemplate.Version); v != "2" {
			t.Fatalf("launch template version %s after the update, want 2", v)
		}
		_, err = e.UpdateNodegroupVersion(ctx, &eks.UpdateNodegroupVersionInput{ClusterName: aws.String(name), NodegroupName: aws.String("plain"),
			LaunchTemplate: &ekstypes.LaunchTemplateSpecification{Id: ltID, Version: aws.String("2")}})
		if code(err) != "InvalidParameterException" || !strings.Contains(err.Error(), "not created with one") {
			t.Fatalf("a launch template for a node group made without one: %v, want InvalidParameterException", err)
		}
	})
}
