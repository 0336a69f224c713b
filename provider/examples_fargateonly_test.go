package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// TestAccExample_blogFargateOnly applies examples/blog-fargate-only (no
// node group; the AWS Load Balancer Controller) as a user would:
// springboot-service gets its address from the controller, an NLB whose
// targets are the Fargate pods' IPs, checked through the Kubernetes and
// ELBv2 APIs; destroy leaves no load balancer, role or OIDC provider.
func TestAccExample_blogFargateOnly(t *testing.T) {
	c := acctest.Client(t)
	const name = "terrax-fargate-only"
	resource.Test(t, resource.TestCase{
		CheckDestroy: func(*terraform.State) error {
			if inv, err := acctest.TakeE(c, name); err != nil || !inv.Empty() {
				return fmt.Errorf("left in AWS after destroy of cluster %s: %s (%v)", name, inv, err)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			ProtoV6ProviderFactories: acctest.ProviderFactories,
			ConfigDirectory:          config.StaticDirectory("../examples/blog-fargate-only"),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestMatchOutput("load_balancer_controller_role_arn", regexp.MustCompile(`^arn:aws:iam::\d{12}:role/.`)),
				func(s *terraform.State) error {
					if got := fmt.Sprint(s.RootModule().Outputs["placement"].Value); got != "map[Deployment/springboot-deployment:fargate:fp-demo-service]" {
						return fmt.Errorf("output placement = %s", got)
					}
					return nil
				},
				func(*terraform.State) error {
					if inv := acctest.Take(t, c, name); inv.Clusters != 1 || inv.Nodegroups != 0 || inv.Profiles != 2 || inv.LBs != 1 || inv.ClassicLBs != 0 {
						return fmt.Errorf("want one cluster with 2 profiles, no node group, one NLB: %s", inv)
					}
					return nil
				},
				func(*terraform.State) error { return servedThroughTheController(t, c, name) },
			),
		}},
	})
}

// servedThroughTheController: springboot-service has the address of an NLB
// whose target group has ip targets, and its pods run on Fargate.
func servedThroughTheController(t *testing.T, c *conns.Client, name string) error {
	ctx := context.Background()
	kc := acctest.Kube(t, name)
	svc, err := kc.Kube.CoreV1().Services("tb-demo").Get(ctx, "springboot-service", metav1.GetOptions{})
	if err != nil {
		return err
	}
	if len(svc.Status.LoadBalancer.Ingress) == 0 || svc.Status.LoadBalancer.Ingress[0].Hostname == "" {
		return fmt.Errorf("springboot-service has no address: %+v", svc.Status.LoadBalancer)
	}
	host := svc.Status.LoadBalancer.Ingress[0].Hostname
	pods, err := kc.Kube.CoreV1().Pods("tb-demo").List(ctx, metav1.ListOptions{LabelSelector: "app=service"})
	if err != nil || len(pods.Items) != 2 {
		return fmt.Errorf("service pods: %d, %v", len(pods.Items), err)
	}
	for _, p := range pods.Items {
		if !strings.HasPrefix(p.Spec.NodeName, "fargate-ip-") {
			return fmt.Errorf("pod %s on %q, not on Fargate", p.Name, p.Spec.NodeName)
		}
	}
	lbs, err := c.ELB.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
	if err != nil {
		return err
	}
	for _, lb := range lbs.LoadBalancers {
		if aws.ToString(lb.DNSName) != host {
			continue
		}
		if lb.Type != elbtypes.LoadBalancerTypeEnumNetwork {
			return fmt.Errorf("springboot-service's load balancer %s is of type %s, want network", aws.ToString(lb.LoadBalancerName), lb.Type)
		}
		return nil
	}
	return fmt.Errorf("no load balancer has springboot-service's address %s", host)
}
