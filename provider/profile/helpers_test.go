package profile_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// deadline bounds what the checks wait for (pods placed, objects gone).
const deadline = 2 * time.Minute

// appWorkdir is a Terraform working directory holding a copy of the
// fargate-app module (./fargate-app) and config as main.tf.
func appWorkdir(t *testing.T, config string) *acctest.Workdir {
	t.Helper()
	root, err := acctest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	w := acctest.NewWorkdir(t, acctest.ProviderBlock)
	if err := os.CopyFS(filepath.Join(w.Dir, "fargate-app"), os.DirFS(filepath.Join(root, "examples", "modules", "fargate-app"))); err != nil {
		t.Fatal(err)
	}
	w.SetConfig(config)
	w.Must("init", "-input=false", "-no-color")
	return w
}

// teamConfig is one team's own configuration: the app module on a cluster
// made elsewhere.
func teamConfig(cluster, namespace string) string {
	return acctest.ProviderBlock + fmt.Sprintf(`
module "app" {
  source       = "./fargate-app"
  cluster_name = %q
  namespace    = %q
  image        = "nginx:1.27"
  port         = 80
  replicas     = 2
}

output "placement" { value = module.app.placement }
`, cluster, namespace)
}

// planEmpty fails the test unless a plan of w proposes no change.
func planEmpty(t *testing.T, w *acctest.Workdir, when string) {
	t.Helper()
	out, err := w.Run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	var exit *exec.ExitError
	if err != nil && errors.As(err, &exit) && exit.ExitCode() == 2 {
		t.Fatalf("%s: the plan is not empty:\n%s", when, out)
	}
	if err != nil {
		t.Fatalf("%s: terraform plan: %v\n%s", when, err, out)
	}
}

// planShows runs a plan that must propose changes and match each pattern.
func planShows(t *testing.T, w *acctest.Workdir, when string, patterns ...string) string {
	t.Helper()
	out, err := w.Run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("%s: want a plan with changes, got (%v):\n%s", when, err, out)
	}
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(out) {
			t.Fatalf("%s: the plan does not match %q:\n%s", when, p, out)
		}
	}
	return out
}

// checkApp checks, through the EKS, IAM and Kubernetes APIs, one app of
// the module: its profile ACTIVE with its selector, no owner tag of the
// cluster's (it is not the cluster's), its role made and trusting Fargate,
// and its pods running on Fargate nodes.
func checkApp(t *testing.T, c *conns.Client, cluster, namespace string, labels map[string]string, pods int) {
	t.Helper()
	ctx := context.Background()
	name := "fp-" + namespace
	out, err := c.EKS.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(name)})
	if err != nil {
		t.Fatalf("profile %s of %s: %v", name, cluster, err)
	}
	fp := out.FargateProfile
	if fp.Status != ekstypes.FargateProfileStatusActive || len(fp.Selectors) != 1 || aws.ToString(fp.Selectors[0].Namespace) != namespace ||
		fmt.Sprint(fp.Selectors[0].Labels) != fmt.Sprint(labels) || len(fp.Subnets) == 0 {
		t.Fatalf("profile %s: %s, selectors %+v, subnets %v", name, fp.Status, fp.Selectors, fp.Subnets)
	}
	if _, mine := fp.Tags[acctest.OwnerTag]; mine {
		t.Fatalf("profile %s carries the cluster's owner tag: %v", name, fp.Tags)
	}
	role := aws.ToString(fp.PodExecutionRoleArn)
	r, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role[strings.LastIndex(role, "/")+1:])})
	if err != nil || !strings.Contains(aws.ToString(r.Role.AssumeRolePolicyDocument), "eks-fargate-pods.amazonaws.com") {
		t.Fatalf("pod execution role %s of %s: %v", role, name, err)
	}
	kc := acctest.Kube(t, cluster)
	sel := []string{}
	for k, v := range labels {
		sel = append(sel, k+"="+v)
	}
	if !acctest.WaitFor(deadline, func() bool {
		list, err := kc.Kube.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: strings.Join(sel, ",")})
		if err != nil || len(list.Items) != pods {
			return false
		}
		for _, p := range list.Items {
			if !strings.HasPrefix(p.Spec.NodeName, "fargate-") {
				return false
			}
		}
		return true
	}) {
		t.Fatalf("the %d pods of %s/%s are not all on Fargate nodes", pods, cluster, namespace)
	}
}

// checkAppGone checks through the APIs that an app's profile, its role
// and its workloads are gone.
func checkAppGone(t *testing.T, c *conns.Client, cluster, namespace, role string) {
	t.Helper()
	ctx := context.Background()
	_, err := c.EKS.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String("fp-" + namespace)})
	if !apierr.IsA[*ekstypes.ResourceNotFoundException](err) {
		t.Fatalf("profile fp-%s of %s still there (%v)", namespace, cluster, err)
	}
	if _, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)}); err == nil {
		t.Fatalf("role %s of profile fp-%s still there", role, namespace)
	}
	kc := acctest.Kube(t, cluster)
	if !acctest.WaitFor(deadline, func() bool {
		_, err := kc.Kube.AppsV1().Deployments(namespace).Get(ctx, namespace, metav1.GetOptions{})
		return err != nil && strings.Contains(err.Error(), "not found")
	}) {
		t.Fatalf("Deployment %s/%s still there", namespace, namespace)
	}
}

// roleOf is the pod execution role name of a profile.
func roleOf(t *testing.T, c *conns.Client, cluster, profile string) string {
	t.Helper()
	out, err := c.EKS.DescribeFargateProfile(context.Background(), &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(profile)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.FargateProfile.PodExecutionRoleArn)
	return arn[strings.LastIndex(arn, "/")+1:]
}

// restartPods deletes the namespace's pods, as `kubectl rollout restart`
// replaces them: their controllers make new ones, which the Fargate
// profiles now ACTIVE place.
func restartPods(t *testing.T, cluster, namespace string) {
	t.Helper()
	kc := acctest.Kube(t, cluster)
	if err := kc.Kube.CoreV1().Pods(namespace).DeleteCollection(context.Background(), metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
		t.Fatalf("restarting the pods of %s: %v", namespace, err)
	}
}
