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
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/terrax/terraform-provider-fargate/localeks/sim"
)

// TestStrictEBS: EKS makes EBS volumes only through the aws-ebs-csi-driver
// add-on, whose controller runs on EC2 with credentials allowing EBS, and a
// volume lives in one zone. EKS user guide: "Store Kubernetes volumes with
// Amazon EBS" (https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html),
// "Create an IAM OIDC provider for your cluster"
// (https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html).
// One cluster, one node in eu-west-1a.
func TestStrictEBS(t *testing.T) {
	ctx := context.Background()
	name := "strict-ebs"
	cl := newCluster(t, ctx, name, 1)
	k := adminKube(t, ctx, cl)
	ns := "data"
	_, err := k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(t, err)
	for _, sc := range []*storagev1.StorageClass{
		ebsClass("csi-now", "ebs.csi.aws.com", storagev1.VolumeBindingImmediate),
		ebsClass("intree-now", "kubernetes.io/aws-ebs", storagev1.VolumeBindingImmediate),
		ebsClass("csi-in-b", "ebs.csi.aws.com", storagev1.VolumeBindingImmediate, "eu-west-1b"),
	} {
		_, err := k.StorageV1().StorageClasses().Create(ctx, sc, metav1.CreateOptions{})
		must(t, err)
	}
	for c, class := range map[string]string{"csi": "csi-now", "intree": "intree-now"} {
		_, err := k.CoreV1().PersistentVolumeClaims(ns).Create(ctx, claim(ns, c, class), metav1.CreateOptions{})
		must(t, err)
	}
	pending := func(t *testing.T, names ...string) {
		t.Helper()
		time.Sleep(2 * time.Second)
		for _, n := range names {
			claimPhase(t, ctx, k, ns, n, corev1.ClaimPending)
		}
	}

	t.Run("without the add-on: Pending, waiting for the external provisioner", func(t *testing.T) {
		// The in-tree kubernetes.io/aws-ebs is migrated to the CSI driver since Kubernetes 1.23.
		for _, c := range []string{"csi", "intree"} {
			event(t, ctx, k, ns, c, "ExternalProvisioning", "waiting for a volume to be created either by the external provisioner", "ebs.csi.aws.com")
		}
		pending(t, "csi", "intree")
	})

	t.Run("the add-on without credentials: its controller runs, no volume", func(t *testing.T) {
		addon(t, ctx, name, "aws-ebs-csi-driver", "")
		ebsControllerOn(t, ctx, k, "ip-")
		event(t, ctx, k, ns, "csi", "ProvisioningFailed", "ebs-csi-controller-sa has no AWS credentials")
		pending(t, "csi", "intree")
	})

	t.Run("Pod Identity without the eks-pod-identity-agent add-on: no volume", func(t *testing.T) {
		e := eksClient("AKIDCREATOR")
		a, err := e.CreatePodIdentityAssociation(ctx, &eks.CreatePodIdentityAssociationInput{ClusterName: aws.String(name),
			Namespace: aws.String("kube-system"), ServiceAccount: aws.String("ebs-csi-controller-sa"),
			RoleArn: aws.String(role(t, ctx, name+"-ebs-pod-identity", podIdentityTrust, ebsPolicy))})
		must(t, err)
		event(t, ctx, k, ns, "csi", "ProvisioningFailed", "eks-pod-identity-agent add-on is not ACTIVE")
		pending(t, "csi", "intree")
		_, err = e.DeletePodIdentityAssociation(ctx, &eks.DeletePodIdentityAssociationInput{ClusterName: aws.String(name), AssociationId: a.Association.AssociationId})
		must(t, err)
	})

	irsa := role(t, ctx, name+"-ebs-irsa", irsaTrust(cl, "kube-system", "ebs-csi-controller-sa"), ebsPolicy)
	t.Run("IRSA: the add-on's role, refused until the cluster's IAM OIDC provider exists", func(t *testing.T) {
		_, err := eksClient("AKIDCREATOR").UpdateAddon(ctx, &eks.UpdateAddonInput{ClusterName: aws.String(name),
			AddonName: aws.String("aws-ebs-csi-driver"), ServiceAccountRoleArn: aws.String(irsa)})
		must(t, err)
		eventually(t, 30*time.Second, "the add-on's role on its service account", func() error {
			sa, err := k.CoreV1().ServiceAccounts("kube-system").Get(ctx, "ebs-csi-controller-sa", metav1.GetOptions{})
			if err != nil || sa.Annotations["eks.amazonaws.com/role-arn"] != irsa {
				return fmt.Errorf("%v %v", sa, err)
			}
			return nil
		})
		event(t, ctx, k, ns, "csi", "ProvisioningFailed", "IAM OIDC provider", "does not exist")
		pending(t, "csi")
		oidcProvider(t, ctx, cl)
		for _, c := range []string{"csi", "intree"} {
			got := claimPhase(t, ctx, k, ns, c, corev1.ClaimBound)
			pv, err := k.CoreV1().PersistentVolumes().Get(ctx, got.Spec.VolumeName, metav1.GetOptions{})
			must(t, err)
			zone := pv.Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0]
			want := sim.VolumeZone(string(got.UID), []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"})
			if zone.Key != "topology.ebs.csi.aws.com/zone" || len(zone.Values) != 1 || zone.Values[0] != want {
				t.Errorf("volume of %s: node affinity %+v, want %s in %s", c, zone, zone.Key, want)
			}
		}
	})

	t.Run("a volume in another zone than the nodes: volume node affinity conflict", func(t *testing.T) {
		_, err := k.CoreV1().PersistentVolumeClaims(ns).Create(ctx, claim(ns, "far", "csi-in-b"), metav1.CreateOptions{})
		must(t, err)
		claimPhase(t, ctx, k, ns, "far", corev1.ClaimBound)
		_, err = k.AppsV1().Deployments(ns).Create(ctx, deployment(ns, "far-user", map[string]string{"app": "far"}, 1, "far"), metav1.CreateOptions{})
		must(t, err)
		// kube-scheduler's words (volumebinding's ErrReasonNodeConflict); older releases said "volume node affinity conflict".
		event(t, ctx, k, ns, "far-user-", "FailedScheduling", "didn't match PersistentVolume's node affinity")
		// WaitForFirstConsumer (the default gp2) makes the volume in the zone of the node the scheduler picked.
		_, err = k.CoreV1().PersistentVolumeClaims(ns).Create(ctx, claim(ns, "near", "gp2"), metav1.CreateOptions{})
		must(t, err)
		_, err = k.AppsV1().Deployments(ns).Create(ctx, deployment(ns, "near-user", map[string]string{"app": "near"}, 1, "near"), metav1.CreateOptions{})
		must(t, err)
		eventually(t, 60*time.Second, "the WaitForFirstConsumer user Running", func() error {
			on, err := podsOn(ctx, k, ns, "app=near")
			if err != nil || len(on) != 1 {
				return fmt.Errorf("%v %v", on, err)
			}
			return nil
		})
		pods, err := k.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=far"})
		must(t, err)
		if len(pods.Items) != 1 || pods.Items[0].Spec.NodeName != "" {
			t.Fatalf("the pod of the eu-west-1b volume should stay unscheduled: %+v", pods.Items)
		}
	})

	t.Run("the controller on Fargate crash-loops", func(t *testing.T) {
		_, err := eksClient("AKIDCREATOR").CreateFargateProfile(ctx, &eks.CreateFargateProfileInput{ClusterName: aws.String(name),
			FargateProfileName: aws.String("kube-system"), PodExecutionRoleArn: aws.String("arn:aws:iam::123456789012:role/eks"), Subnets: []string{"subnet-a"},
			Selectors: []ekstypes.FargateProfileSelector{{Namespace: aws.String("kube-system"), Labels: map[string]string{"app": "ebs-csi-controller"}}}})
		must(t, err)
		time.Sleep(3 * time.Second) // the profile becomes ACTIVE
		// Without the add-on's compute-type annotation, the profile's pods go to Fargate.
		patch := `{"spec":{"template":{"metadata":{"annotations":{"eks.amazonaws.com/compute-type":null}}}}}`
		_, err = k.AppsV1().Deployments("kube-system").Patch(ctx, "ebs-csi-controller", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{})
		must(t, err)
		eventually(t, 60*time.Second, "a controller pod on Fargate in CrashLoopBackOff", func() error {
			pods, err := k.CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{LabelSelector: "app=ebs-csi-controller"})
			if err != nil {
				return err
			}
			for _, p := range pods.Items {
				if strings.HasPrefix(p.Spec.NodeName, "fargate-ip-") && len(p.Status.ContainerStatuses) == 1 {
					cs := p.Status.ContainerStatuses[0]
					if !cs.Ready && cs.State.Waiting != nil && cs.State.Waiting.Reason == "CrashLoopBackOff" {
						return nil
					}
				}
			}
			return fmt.Errorf("%d pods, none crash-looping on Fargate", len(pods.Items))
		})
	})
}
