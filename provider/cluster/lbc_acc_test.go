package cluster_test

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/lbcontroller"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
)

const lbcAddr = "fargate_cluster.lbc"

// lbcConfig is a Fargate-only cluster (no node group; one profile selects
// kube-system and the app's namespace) in the user's network, with the
// controller on or off, and, with service, an nginx Deployment behind an
// `external` Service with ip targets.
func lbcConfig(name string, n userNetwork, enabled, service bool) string {
	cfg := acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "lbc" {
  name                     = %q
  network                  = { subnet_ids = %s }
  fargate_profiles         = { system = { selectors = [{ namespace = "kube-system" }, { namespace = "web" }] } }
  load_balancer_controller = { enabled = %t }
}
`, name, hclList(append(slices.Clone(n.public), n.private...)), enabled)
	if service {
		cfg += `
resource "fargate_manifest" "web" {
  cluster  = fargate_cluster.lbc.name
  manifest = <<-YAML
    apiVersion: v1
    kind: Namespace
    metadata: { name: web }
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web, namespace: web }
    spec:
      replicas: 1
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec: { containers: [{ name: nginx, image: "nginx:1.27", ports: [{ containerPort: 80 }] }] }
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: web
      annotations:
        service.beta.kubernetes.io/aws-load-balancer-type: external
        service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip
    spec:
      type: LoadBalancer
      selector: { app: web }
      ports: [{ port: 80, targetPort: 80 }]
  YAML
}
`
	}
	return cfg
}

// TestAccCluster_loadBalancerController: a Fargate-only cluster with the
// controller serves an `external` Service through an NLB with ip targets;
// turning the controller off is refused while the Service exists, and once
// it is gone removes the controller and its role; destroy, with a Service
// made behind Terraform's back, leaves no load balancer (the network is the
// user's, so only the controller could delete it), role, OIDC provider.
func TestAccCluster_loadBalancerController(t *testing.T) {
	c := acctest.Client(t)
	n := makeUserNetwork(t, c, "10.83")
	const name = "lbc"
	kc := func() *kubeclient.Client { return acctest.Kube(t, name) }
	nlbs := func(want int) func(*terraform.State) error {
		return func(*terraform.State) error {
			if got, err := nlbsIn(c, n.vpc); err != nil || got != want {
				return fmt.Errorf("%d load balancers in the VPC (%v), want %d", got, err, want)
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             resource.ComposeAggregateTestCheckFunc(checkGone(c, name), nlbs(0)),
		Steps: []resource.TestStep{
			{
				Config: lbcConfig(name, n, true, true),
				Check: resource.ComposeAggregateTestCheckFunc(
					lbcRunning(c, kc, name, lbcAddr),
					resource.TestCheckResourceAttr(lbcAddr, "load_balancer_controller.version", "v3.5.0"),
					resource.TestMatchResourceAttr(lbcAddr, "load_balancer_controller.webhook_certificate_expires", regexp.MustCompile(`^20\d\d-`)),
					nlbs(1),
					func(*terraform.State) error {
						s, err := kc().Kube.CoreV1().Services("web").Get(bgLBC, "web", metav1.GetOptions{})
						if err != nil || len(s.Status.LoadBalancer.Ingress) == 0 {
							return fmt.Errorf("the Service has no address (%v)", err)
						}
						return nil
					},
				),
			},
			{
				// Besides the Service, a TargetGroupBinding made by hand (a
				// target group of the user's) needs the controller; one of
				// the Service's own goes with it.
				PreConfig:   func() { bindings(t, kc()) },
				Config:      lbcConfig(name, n, false, true),
				ExpectError: regexp.MustCompile(`(?s)AWS Load Balancer Controller is in use.*Service web/web`),
			},
			{Config: lbcConfig(name, n, true, false), Check: nlbs(0)},
			{
				Config:      lbcConfig(name, n, false, false),
				ExpectError: regexp.MustCompile(`(?s)AWS Load Balancer Controller is in use.*TargetGroupBinding default/by-hand`),
			},
			{
				PreConfig: func() {
					if err := kc().Dynamic.Resource(tgbResource).Namespace("default").Delete(bgLBC, "by-hand", metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config: lbcConfig(name, n, false, false),
				Check: resource.ComposeAggregateTestCheckFunc(
					lbcGone(c, kc, name),
					resource.TestCheckNoResourceAttr(lbcAddr, "load_balancer_controller.role_arn"),
				),
			},
			{
				Config: lbcConfig(name, n, true, false),
				Check: resource.ComposeAggregateTestCheckFunc(
					lbcRunning(c, kc, name, lbcAddr),
					func(*terraform.State) error { return externalService(kc().Kube, "default", "by-hand") },
					nlbs(1),
				),
			},
		},
	})
}

var tgbResource = schema.GroupVersionResource{Group: "elbv2.k8s.aws", Version: "v1beta1", Resource: "targetgroupbindings"}

// bindings makes two TargetGroupBindings: default/by-hand, of a target
// group made outside the cluster, and web/k8s-web-web, labelled as the
// controller's own for Service web/web; only the first counts as a user of
// the controller besides the Service.
func bindings(t *testing.T, kc *kubeclient.Client) {
	t.Helper()
	for _, b := range []struct {
		namespace, name string
		labels          map[string]any
	}{
		{"default", "by-hand", nil},
		{"web", "k8s-web-web", map[string]any{"service.k8s.aws/stack-namespace": "web", "service.k8s.aws/stack-name": "web"}},
	} {
		meta := map[string]any{"name": b.name, "namespace": b.namespace}
		if b.labels != nil {
			meta["labels"] = b.labels
		}
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "TargetGroupBinding", "metadata": meta,
			"spec": map[string]any{
				"serviceRef":     map[string]any{"name": "web", "port": int64(80)},
				"targetGroupARN": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/" + b.name + "/0123456789abcdef",
			},
		}}
		if _, err := kc.Dynamic.Resource(tgbResource).Namespace(b.namespace).Create(bgLBC, obj, metav1.CreateOptions{}); err != nil {
			t.Fatalf("making TargetGroupBinding %s/%s: %v", b.namespace, b.name, err)
		}
	}
	deps, err := lbcontroller.InUse(bgLBC, kc)
	if err != nil || lbcontroller.Names(deps) != "Service web/web, TargetGroupBinding default/by-hand" {
		t.Fatalf("the controller's users: %q (%v), want Service web/web and TargetGroupBinding default/by-hand", lbcontroller.Names(deps), err)
	}
}
