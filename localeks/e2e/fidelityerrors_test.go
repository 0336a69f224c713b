package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/localeks/shaping"
)

// status is the HTTP status of an AWS error (0 if none).
func status(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// TestFidelityThrottling: throttling comes in each service's own shape, as
// AWS sends it: EKS ThrottlingException with HTTP 429 (the EKS API model's
// ThrottlingException, e.g. https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeCluster.html#API_DescribeCluster_Errors
// lists the common errors; the SDKs' EKS model gives it status 429), EC2
// RequestLimitExceeded with 503 ("Request throttling for the Amazon EC2
// API", https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html),
// IAM Throttling with 400 (IAM API reference, "Common Errors"). The AWS SDK's
// standard retryer, which the provider uses, retries each.
func TestFidelityThrottling(t *testing.T) {
	ctx := context.Background()
	e := eksClient("AKIDCREATOR")
	ec := ec2.New(ec2.Options{Region: "eu-west-1", BaseEndpoint: aws.String(env.URL), Credentials: e.Options().Credentials})
	setShaping(t, shaping.Config{ThrottleRate: 1})
	one := func(o *retry.StandardOptions) { o.MaxAttempts = 1 }
	_, eksErr := e.ListClusters(ctx, &eks.ListClustersInput{}, func(o *eks.Options) { o.Retryer = retry.NewStandard(one) })
	_, ec2Err := ec.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}, func(o *ec2.Options) { o.Retryer = retry.NewStandard(one) })
	_, iamErr := iamClient().ListRoles(ctx, &iam.ListRolesInput{}, func(o *iam.Options) { o.Retryer = retry.NewStandard(one) })
	for _, c := range []struct {
		service, code string
		status        int
		err           error
	}{{"EKS", "ThrottlingException", 429, eksErr}, {"EC2", "RequestLimitExceeded", 503, ec2Err}, {"IAM", "Throttling", 400, iamErr}} {
		if code(c.err) != c.code || status(c.err) != c.status {
			t.Errorf("%s throttled: %v (HTTP %d), want %s with HTTP %d", c.service, c.err, status(c.err), c.code, c.status)
		}
		if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(c.err) != aws.TrueTernary {
			t.Errorf("%s throttled: the SDK's standard retryer would not retry %v", c.service, c.err)
		}
	}
	env.Server.Shaper.Set(shaping.Config{ThrottleRate: 0.5, Seed: 3})
	for i := 0; i < 5; i++ { // with the provider's 10 attempts, calls get through
		_, err := e.ListClusters(ctx, &eks.ListClustersInput{}, func(o *eks.Options) { o.RetryMaxAttempts = 10 })
		must(t, err)
	}
}

// TestFidelityMissingCluster: every call the provider makes on a cluster
// that does not exist gets EKS's 404 ResourceNotFoundException "No cluster
// found for name: <name>." (EKS API reference, each call's "Errors":
// ResourceNotFoundException, "The specified resource could not be found"),
// not moto's 500 (ListNodegroups, ListFargateProfiles) nor another refusal
// of localeks' own checks.
func TestFidelityMissingCluster(t *testing.T) {
	ctx := context.Background()
	e := eksClient("AKIDCREATOR")
	n, x := aws.String("no-such-cluster"), aws.String("x")
	calls := map[string]func() error{
		"DescribeCluster": func() error {
			_, err := e.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: n}, noRetry)
			return err
		},
		"DeleteCluster": func() error { _, err := e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: n}, noRetry); return err },
		"ListNodegroups": func() error {
			_, err := e.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: n}, noRetry)
			return err
		},
		"ListFargateProfiles": func() error {
			_, err := e.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: n}, noRetry)
			return err
		},
		"CreateFargateProfile": func() error {
			_, err := e.CreateFargateProfile(ctx, profile("no-such-cluster", "p", eksRole, []string{"subnet-a"}, selectors(1, 0)), noRetry)
			return err
		},
		"CreateNodegroup": func() error {
			_, err := e.CreateNodegroup(ctx, nodegroup("no-such-cluster", "ng", "subnet-a"), noRetry)
			return err
		},
		"DescribeNodegroup": func() error {
			_, err := e.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: n, NodegroupName: x}, noRetry)
			return err
		},
		"DescribeFargateProfile": func() error {
			_, err := e.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: n, FargateProfileName: x}, noRetry)
			return err
		},
		"DeleteNodegroup": func() error {
			_, err := e.DeleteNodegroup(ctx, &eks.DeleteNodegroupInput{ClusterName: n, NodegroupName: x}, noRetry)
			return err
		},
		"DeleteFargateProfile": func() error {
			_, err := e.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{ClusterName: n, FargateProfileName: x}, noRetry)
			return err
		},
		"UpdateClusterConfig": func() error {
			_, err := e.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: n, ResourcesVpcConfig: &ekstypes.VpcConfigRequest{EndpointPublicAccess: aws.Bool(true)}}, noRetry)
			return err
		},
		"UpdateClusterVersion": func() error {
			_, err := e.UpdateClusterVersion(ctx, &eks.UpdateClusterVersionInput{Name: n, Version: aws.String("1.36")}, noRetry)
			return err
		},
		"UpdateNodegroupConfig": func() error {
			_, err := e.UpdateNodegroupConfig(ctx, &eks.UpdateNodegroupConfigInput{ClusterName: n, NodegroupName: x,
				ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(2)}}, noRetry)
			return err
		},
		"UpdateNodegroupVersion": func() error {
			_, err := e.UpdateNodegroupVersion(ctx, &eks.UpdateNodegroupVersionInput{ClusterName: n, NodegroupName: x}, noRetry)
			return err
		},
		"DescribeUpdate": func() error {
			_, err := e.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: n, UpdateId: x}, noRetry)
			return err
		},
		"ListAddons": func() error { _, err := e.ListAddons(ctx, &eks.ListAddonsInput{ClusterName: n}, noRetry); return err },
		"CreateAddon": func() error {
			_, err := e.CreateAddon(ctx, &eks.CreateAddonInput{ClusterName: n, AddonName: aws.String("coredns")}, noRetry)
			return err
		},
		"DescribeAddon": func() error {
			_, err := e.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: n, AddonName: aws.String("coredns")}, noRetry)
			return err
		},
		"UpdateAddon": func() error {
			_, err := e.UpdateAddon(ctx, &eks.UpdateAddonInput{ClusterName: n, AddonName: aws.String("coredns")}, noRetry)
			return err
		},
		"DeleteAddon": func() error {
			_, err := e.DeleteAddon(ctx, &eks.DeleteAddonInput{ClusterName: n, AddonName: aws.String("coredns")}, noRetry)
			return err
		},
		"CreatePodIdentityAssociation": func() error {
			_, err := e.CreatePodIdentityAssociation(ctx, &eks.CreatePodIdentityAssociationInput{ClusterName: n, Namespace: x,
				ServiceAccount: x, RoleArn: aws.String(eksRole)}, noRetry)
			return err
		},
		"ListPodIdentityAssociations": func() error {
			_, err := e.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{ClusterName: n}, noRetry)
			return err
		},
		"DeletePodIdentityAssociation": func() error {
			_, err := e.DeletePodIdentityAssociation(ctx, &eks.DeletePodIdentityAssociationInput{ClusterName: n, AssociationId: x}, noRetry)
			return err
		},
	}
	for op, call := range calls {
		err := call()
		var nf *ekstypes.ResourceNotFoundException
		if !errors.As(err, &nf) || status(err) != 404 || aws.ToString(nf.Message) != "No cluster found for name: no-such-cluster." {
			t.Errorf("%s on a missing cluster: %v (HTTP %d), want 404 ResourceNotFoundException: No cluster found for name: no-such-cluster.", op, err, status(err))
		}
	}
}

// TestFidelityDefaultStorageClass: EKS makes the gp2 StorageClass in every
// new cluster, but from Kubernetes 1.30 on without the
// storageclass.kubernetes.io/is-default-class annotation, so a claim
// without storageClassName gets no class and stays Pending; 1.29 keeps gp2
// the default (EKS user guide, "Review release notes for Kubernetes
// versions on standard support", Kubernetes 1.30:
// https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html#kubernetes-1-30).
// Each of these clusters has its own OIDC issuer ("Create an IAM OIDC
// provider for your cluster": each cluster has an issuer URL; moto gives
// every cluster the same one).
func TestFidelityDefaultStorageClass(t *testing.T) {
	ctx := context.Background()
	e := eksClient("AKIDCREATOR")
	issuers := map[string]string{}
	t.Cleanup(func() {
		if len(issuers) == 3 && len(map[string]bool{issuers["1.29"]: true, issuers["1.30"]: true, issuers["1.35"]: true}) != 3 {
			t.Errorf("clusters share an OIDC issuer: %v", issuers)
		}
	})
	for _, c := range []struct {
		version   string
		isDefault bool
	}{{"1.29", true}, {"1.30", false}, {"1.35", false}} {
		t.Run(c.version, func(t *testing.T) {
			name := "gp2-" + strings.ReplaceAll(c.version, ".", "-")
			_, err := e.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String(eksRole), Version: aws.String(c.version),
				ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-a", "subnet-b"}}})
			must(t, err)
			// One control plane at a time: each takes ~700 MB.
			defer func() { _, _ = e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)}) }()
			out, err := eks.NewClusterActiveWaiter(e, func(o *eks.ClusterActiveWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).
				WaitForOutput(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, time.Minute)
			must(t, err)
			issuers[c.version] = aws.ToString(out.Cluster.Identity.Oidc.Issuer)
			k := adminKube(t, ctx, out.Cluster)
			var sc *storagev1.StorageClass
			eventually(t, 30*time.Second, "the gp2 StorageClass", func() error {
				sc, err = k.StorageV1().StorageClasses().Get(ctx, "gp2", metav1.GetOptions{})
				return err
			})
			if got := sc.Annotations["storageclass.kubernetes.io/is-default-class"] == "true"; got != c.isDefault {
				t.Fatalf("Kubernetes %s: gp2 is the default class: %v, want %v (annotations %v)", c.version, got, c.isDefault, sc.Annotations)
			}
			// What that means for a claim that names no class.
			_, err = k.CoreV1().PersistentVolumeClaims("default").Create(ctx, &corev1.PersistentVolumeClaim{
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}},
			}, metav1.CreateOptions{})
			must(t, err)
			pvc, err := k.CoreV1().PersistentVolumeClaims("default").Get(ctx, "data", metav1.GetOptions{})
			must(t, err)
			if got := aws.ToString(pvc.Spec.StorageClassName); (got == "gp2") != c.isDefault {
				t.Fatalf("Kubernetes %s: a claim without a class got class %q", c.version, got)
			}
		})
	}
}
