package cluster_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

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
