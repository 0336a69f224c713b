package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Helpers of the tests that show localeks as strict as EKS: each rule
// refuses, then allows once the cluster has what EKS needs.

const ebsPolicy = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"

func iamClient() *iam.Client {
	e := eksClient("AKIDCREATOR")
	return iam.New(iam.Options{Region: "eu-west-1", BaseEndpoint: aws.String(env.URL), Credentials: e.Options().Credentials})
}

// newCluster makes an ACTIVE cluster (Kubernetes 1.35), deleted after the
// test, with a node group of nodes (none when 0).
func newCluster(t *testing.T, ctx context.Context, name string, nodes int32) *ekstypes.Cluster {
	t.Helper()
	e := eksClient("AKIDCREATOR")
	_, err := e.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String("arn:aws:iam::123456789012:role/eks"),
		Version: aws.String("1.35"), ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-a", "subnet-b"}}})
	must(t, err)
	t.Cleanup(func() { _, _ = e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)}) })
	out, err := eks.NewClusterActiveWaiter(e, func(o *eks.ClusterActiveWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).
		WaitForOutput(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, time.Minute)
	must(t, err)
	if nodes > 0 {
		_, err = e.CreateNodegroup(ctx, &eks.CreateNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String("node-group"),
			NodeRole: aws.String("arn:aws:iam::123456789012:role/eks"), Subnets: []string{"subnet-a"}, InstanceTypes: []string{"t3.medium"},
			ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(nodes), MinSize: aws.Int32(1), MaxSize: aws.Int32(nodes)}})
		must(t, err)
		// ACTIVE once its nodes have joined: add-ons that need them find them.
		must(t, eks.NewNodegroupActiveWaiter(e, func(o *eks.NodegroupActiveWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).
			Wait(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String("node-group")}, time.Minute))
	}
	return out.Cluster
}

// role makes an IAM role with the trust document and the managed policies.
func role(t *testing.T, ctx context.Context, name, trust string, policies ...string) string {
	t.Helper()
	im := iamClient()
	r, err := im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	must(t, err)
	for _, p := range policies {
		_, err := im.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(p)})
		must(t, err)
	}
	return aws.ToString(r.Role.Arn)
}

const podIdentityTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`

// irsaTrust trusts the cluster's IAM OIDC provider for one service account,
// as the EKS user guide's IRSA trust policy does.
func irsaTrust(cl *ekstypes.Cluster, ns, sa string) string {
	host := strings.TrimPrefix(aws.ToString(cl.Identity.Oidc.Issuer), "https://")
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/%s"},`+
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"%s:sub":"system:serviceaccount:%s:%s","%s:aud":"sts.amazonaws.com"}}}]}`,
		host, host, ns, sa, host)
}

// oidcProvider makes the cluster's IAM OIDC provider.
func oidcProvider(t *testing.T, ctx context.Context, cl *ekstypes.Cluster) {
	t.Helper()
	_, err := iamClient().CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: cl.Identity.Oidc.Issuer,
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}})
	must(t, err)
}

// addon creates an EKS add-on and waits until it is ACTIVE.
func addon(t *testing.T, ctx context.Context, cluster, name, serviceAccountRole string) {
	t.Helper()
	e := eksClient("AKIDCREATOR")
	in := &eks.CreateAddonInput{ClusterName: aws.String(cluster), AddonName: aws.String(name)}
	if serviceAccountRole != "" {
		in.ServiceAccountRoleArn = aws.String(serviceAccountRole)
	}
	_, err := e.CreateAddon(ctx, in)
	must(t, err)
	must(t, eks.NewAddonActiveWaiter(e, func(o *eks.AddonActiveWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).
		Wait(ctx, &eks.DescribeAddonInput{ClusterName: aws.String(cluster), AddonName: aws.String(name)}, time.Minute))
}

// ebsWithPodIdentity gives the cluster what EKS needs for EBS volumes when
// the driver's controller runs on a node group: the aws-ebs-csi-driver
// add-on, the eks-pod-identity-agent add-on, and a Pod Identity association
// of its service account with a role that has AmazonEBSCSIDriverPolicy
// (EKS user guide, "Store Kubernetes volumes with Amazon EBS",
// https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html).
func ebsWithPodIdentity(t *testing.T, ctx context.Context, cluster string, k kubernetes.Interface) {
	t.Helper()
	arn := role(t, ctx, cluster+"-ebs-csi", podIdentityTrust, ebsPolicy)
	addon(t, ctx, cluster, "eks-pod-identity-agent", "")
	_, err := eksClient("AKIDCREATOR").CreatePodIdentityAssociation(ctx, &eks.CreatePodIdentityAssociationInput{ClusterName: aws.String(cluster),
		Namespace: aws.String("kube-system"), ServiceAccount: aws.String("ebs-csi-controller-sa"), RoleArn: aws.String(arn)})
	must(t, err)
	addon(t, ctx, cluster, "aws-ebs-csi-driver", "")
	ebsControllerOn(t, ctx, k, "ip-")
}

// ebsControllerOn waits for the driver's two controller pods on nodes whose name starts with prefix.
func ebsControllerOn(t *testing.T, ctx context.Context, k kubernetes.Interface, prefix string) {
	t.Helper()
	eventually(t, 60*time.Second, "the EBS CSI controller Running on "+prefix+"*", func() error {
		pods, err := podsOn(ctx, k, "kube-system", "app=ebs-csi-controller")
		if err != nil || len(pods) != 2 {
			return fmt.Errorf("%v %v", pods, err)
		}
		for p, n := range pods {
			if !strings.HasPrefix(n, prefix) {
				return fmt.Errorf("%s on %s", p, n)
			}
		}
		return nil
	})
}

// event waits for an event on the object whose reason is reason and whose
// message contains every one of parts (case-insensitively).
func event(t *testing.T, ctx context.Context, k kubernetes.Interface, ns, object, reason string, parts ...string) {
	t.Helper()
	eventually(t, 60*time.Second, fmt.Sprintf("event %s on %s/%s", reason, ns, object), func() error {
		evs, err := k.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "reason=" + reason})
		if err != nil {
			return err
		}
		var seen []string
	next:
		for _, ev := range evs.Items {
			if !strings.HasPrefix(ev.InvolvedObject.Name, object) {
				continue
			}
			seen = append(seen, ev.Message)
			for _, p := range parts {
				if !strings.Contains(strings.ToLower(ev.Message), strings.ToLower(p)) {
					continue next
				}
			}
			return nil
		}
		return fmt.Errorf("messages %q", seen)
	})
}

// claimPhase checks a claim's phase, now or (for Bound) within a minute.
func claimPhase(t *testing.T, ctx context.Context, k kubernetes.Interface, ns, name string, want corev1.PersistentVolumeClaimPhase) *corev1.PersistentVolumeClaim {
	t.Helper()
	var c *corev1.PersistentVolumeClaim
	eventually(t, 60*time.Second, fmt.Sprintf("claim %s/%s %s", ns, name, want), func() error {
		var err error
		c, err = k.CoreV1().PersistentVolumeClaims(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil || c.Status.Phase != want {
			return fmt.Errorf("phase %v: %v", c.Status.Phase, err)
		}
		return nil
	})
	return c
}

// ebsClass is an EBS StorageClass; zones, when given, pin its volumes.
func ebsClass(name, provisioner string, mode storagev1.VolumeBindingMode, zones ...string) *storagev1.StorageClass {
	sc := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Provisioner: provisioner,
		Parameters: map[string]string{"type": "gp3", "fsType": "ext4"}, VolumeBindingMode: &mode}
	if len(zones) > 0 {
		sc.AllowedTopologies = []corev1.TopologySelectorTerm{{MatchLabelExpressions: []corev1.TopologySelectorLabelRequirement{
			{Key: "topology.ebs.csi.aws.com/zone", Values: zones}}}}
	}
	return sc
}
