package cluster_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"

	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// TestAccExample_blog applies and destroys examples/blog as a user would,
// and checks the result through the AWS API.
func TestAccExample_blog(t *testing.T) {
	c := acctest.Client(t)
	name := "terrax-fargate"
	resource.Test(t, resource.TestCase{
		CheckDestroy: checkGone(c, name),
		Steps: []resource.TestStep{{
			// The example names its provider source, so the provider is given per step.
			ProtoV6ProviderFactories: acctest.ProviderFactories,
			ConfigDirectory:          config.StaticDirectory("../../examples/blog"),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkCluster(c, name, map[string]string{"team": "brewers"}),
				checkNodegroup(c, name, "node-group", 1, 2, "t2.medium"),
				checkProfiles(c, name, map[string][]ekstypes.FargateProfileSelector{
					"fp-default":      {sel("default", nil), sel("kube-system", nil)},
					"fp-demo-service": {sel("tb-demo", map[string]string{"app": "service"})},
				}),
				func(s *terraform.State) error {
					for _, o := range []string{"cluster_endpoint", "cluster_certificate_authority_data", "private_subnet_ids", "fargate_profiles", "placement"} {
						if out := s.RootModule().Outputs[o]; out == nil || out.Value == nil || fmt.Sprint(out.Value) == "" {
							return fmt.Errorf("output %s is empty", o)
						}
					}
					if got := fmt.Sprint(s.RootModule().Outputs["fargate_profiles"].Value); got != "map[fp-default:ACTIVE fp-demo-service:ACTIVE]" {
						return fmt.Errorf("output fargate_profiles = %s", got)
					}
					if got := fmt.Sprint(s.RootModule().Outputs["placement"].Value); got != "map[Deployment/mysql:nodegroup Deployment/springboot-deployment:fargate:fp-demo-service]" {
						return fmt.Errorf("output placement = %s", got)
					}
					// The workloads are there, through the Kubernetes API.
					kc := acctest.Kube(t, name)
					pods, err := kc.Kube.CoreV1().Pods("tb-demo").List(context.Background(), metav1.ListOptions{LabelSelector: "app=service"})
					if err != nil || len(pods.Items) != 2 {
						return fmt.Errorf("service pods: %v", err)
					}
					for _, p := range pods.Items {
						if !strings.HasPrefix(p.Spec.NodeName, "fargate-ip-") {
							return fmt.Errorf("pod %s on %q", p.Name, p.Spec.NodeName)
						}
					}
					return nil
				},
			),
		}},
	})
}

// terraformCLI runs bin/terraform in dir with the provider from bin/mirror
// (make install), as a user of the published provider would.
func terraformCLI(t *testing.T, root, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(root, "bin", "terraform"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(root, "bin", "terraformrc"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("terraform %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestAccExample_moduleReuse applies examples/modules/fargate-app-example:
// the fargate-app module used for two clusters.
func TestAccExample_moduleReuse(t *testing.T) {
	c := acctest.Client(t)
	root, err := acctest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "modules"), os.DirFS(filepath.Join(root, "examples", "modules"))); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "modules", "fargate-app-example")
	terraformCLI(t, root, work, "init", "-input=false")
	terraformCLI(t, root, work, "apply", "-auto-approve", "-input=false")
	defer terraformCLI(t, root, work, "destroy", "-auto-approve", "-input=false")
	out := terraformCLI(t, root, work, "output", "-json", "placement")
	if !strings.Contains(out, `"beer-api":"fargate:fp-beer-api"`) || !strings.Contains(out, `"taproom-web":"fargate:fp-taproom-web"`) {
		t.Fatalf("placement output: %s", out)
	}
	for cluster, ns := range map[string]string{"beer": "brewery", "taproom": "taproom"} {
		if _, err := c.EKS.DescribeCluster(context.Background(), &eks.DescribeClusterInput{Name: aws.String(cluster)}); err != nil {
			t.Fatalf("cluster %s: %v", cluster, err)
		}
		pods, err := acctest.Kube(t, cluster).Kube.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil || len(pods.Items) == 0 {
			t.Fatalf("no pods of the app in %s/%s: %v", cluster, ns, err)
		}
	}
}
