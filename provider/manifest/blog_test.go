package manifest_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

const clusterName = "terrax-fargate"

// mysqlService is the last document of examples/blog/database.yaml.
const mysqlService = `---
apiVersion: v1
kind: Service
metadata:
  name: mysql
  namespace: tb-demo
spec:
  selector:
    app: database
  ports:
    - port: 3306
`

func readFile(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// blog is the blog's topology: the cluster and both manifests, in one apply.
func blog(t *testing.T, replicas int, withService bool, dropDocs ...string) string {
	database := readFile(t, "../../examples/blog/database.yaml")
	for _, d := range dropDocs {
		database = strings.Replace(database, d, "", 1)
	}
	service := strings.ReplaceAll(readFile(t, "../../examples/blog/service.yaml.tftpl"), "${replicas}", fmt.Sprint(replicas))
	cfg := acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "terrax" {
  name               = %q
  kubernetes_version = "1.35"
  network            = { vpc_cidr = "192.168.0.0/16" }
  node_groups = {
    "node-group" = { instance_types = ["t2.medium"], desired_size = 1, min_size = 1, max_size = 2 }
  }
  fargate_profiles = {
    "fp-default"      = { selectors = [{ namespace = "default" }, { namespace = "kube-system" }] }
    "fp-demo-service" = { selectors = [{ namespace = "tb-demo", labels = { app = "service" } }] }
  }
  addons = { vpc-cni = {}, kube-proxy = {}, coredns = {}, aws-ebs-csi-driver = {} }
}

resource "fargate_manifest" "database" {
  cluster  = fargate_cluster.terrax.name
  manifest = <<-YAML
%s
YAML
}
`, clusterName, database)
	if withService {
		cfg += fmt.Sprintf(`
resource "fargate_manifest" "service" {
  cluster    = fargate_cluster.terrax.name
  manifest   = <<-YAML
%s
YAML
  depends_on = [fargate_manifest.database]
}
`, service)
	}
	return cfg
}

// running returns the Running pods of a selector and their nodes.
func running(t *testing.T, selector string) map[string]string {
	kc := acctest.Kube(t, clusterName)
	pods, err := kc.Kube.CoreV1().Pods("tb-demo").List(context.Background(), metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning {
			out[p.Name] = p.Spec.NodeName
		}
	}
	return out
}

// checkService checks, through the Kubernetes API, n service pods each on
// its own Fargate node, and MySQL on the node group's node.
func checkPods(t *testing.T, n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		deadline := time.Now().Add(30 * time.Second)
		var err error
		for time.Now().Before(deadline) {
			if err = podsOK(t, n); err == nil {
				return nil
			}
			time.Sleep(500 * time.Millisecond)
		}
		return err
	}
}

func podsOK(t *testing.T, n int) error {
	svc := running(t, "app=service")
	nodes := map[string]bool{}
	for p, node := range svc {
		if !strings.HasPrefix(node, "fargate-ip-") {
			return fmt.Errorf("service pod %s on %s, not Fargate", p, node)
		}
		nodes[node] = true
	}
	if len(svc) != n || len(nodes) != n {
		return fmt.Errorf("%d service pods on %d nodes, want %d each on its own", len(svc), len(nodes), n)
	}
	db := running(t, "app=database")
	if len(db) != 1 {
		return fmt.Errorf("MySQL pods: %v", db)
	}
	kc := acctest.Kube(t, clusterName)
	for _, node := range db {
		nd, err := kc.Kube.CoreV1().Nodes().Get(context.Background(), node, metav1.GetOptions{})
		if err != nil || nd.Labels["eks.amazonaws.com/nodegroup"] != "node-group" {
			return fmt.Errorf("MySQL on %s, not the node group (%v)", node, err)
		}
	}
	return nil
}

func setReplicas(t *testing.T, n int32) {
	kc := acctest.Kube(t, clusterName)
	ctx := context.Background()
	d, err := kc.Kube.AppsV1().Deployments("tb-demo").Get(ctx, "springboot-deployment", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Spec.Replicas = &n
	if _, err := kc.Kube.AppsV1().Deployments("tb-demo").Update(ctx, d, metav1.UpdateOptions{FieldManager: "kubectl-scale"}); err != nil {
		t.Fatal(err)
	}
}

// TestAccManifest_blog: the blog's cluster and workloads in one apply,
// scaled 2 -> 4 -> 1 in place, drift repaired, import, and removal.
func TestAccManifest_blog(t *testing.T) {
	acctest.Client(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: blog(t, 2, true),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkPods(t, 2),
					resource.TestCheckResourceAttr("fargate_manifest.database", "objects.3.id", "apps/v1/Deployment/tb-demo/mysql"),
					resource.TestCheckResourceAttr("fargate_manifest.database", "objects.3.placement", "nodegroup"),
					resource.TestCheckNoResourceAttr("fargate_manifest.database", "objects.0.placement"),
					resource.TestCheckResourceAttr("fargate_manifest.service", "objects.0.placement", "fargate:fp-demo-service"),
					func(*terraform.State) error {
						kc := acctest.Kube(t, clusterName)
						svc, err := kc.Kube.CoreV1().Services("tb-demo").Get(context.Background(), "springboot-service", metav1.GetOptions{})
						if err != nil || len(svc.Status.LoadBalancer.Ingress) == 0 {
							return fmt.Errorf("the LoadBalancer has no address: %v", err)
						}
						pvc, err := kc.Kube.CoreV1().PersistentVolumeClaims("tb-demo").Get(context.Background(), "mysql-data-disk", metav1.GetOptions{})
						if err != nil || pvc.Status.Phase != corev1.ClaimBound {
							return fmt.Errorf("the claim is not bound: %v", err)
						}
						for _, f := range pvc.ManagedFields {
							if f.Manager == "terraform-provider-fargate" && f.Operation == metav1.ManagedFieldsOperationApply {
								return nil
							}
						}
						return fmt.Errorf("the claim was not server-side applied by terraform-provider-fargate: %+v", pvc.ManagedFields)
					},
				),
			},
			{
				Config: blog(t, 4, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("fargate_manifest.service", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("fargate_manifest.database", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("fargate_cluster.terrax", plancheck.ResourceActionNoop),
				}},
				Check: checkPods(t, 4),
			},
			{
				Config: blog(t, 1, true),
				Check:  checkPods(t, 1),
			},
			{
				// Scaled by hand: the plan shows it...
				PreConfig:          func() { setReplicas(t, 3) },
				Config:             blog(t, 1, true),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// ...and the apply puts it back.
				Config: blog(t, 1, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("fargate_manifest.service", plancheck.ResourceActionUpdate),
				}},
				Check: checkPods(t, 1),
			},
			{
				ResourceName:  "fargate_manifest.service",
				ImportState:   true,
				ImportStateId: clusterName + "/apps/v1/Deployment/tb-demo/springboot-deployment",
				ImportStateCheck: func(s []*terraform.InstanceState) error {
					if len(s) != 1 || s[0].Attributes["objects.0.id"] != "apps/v1/Deployment/tb-demo/springboot-deployment" ||
						s[0].Attributes["objects.0.placement"] != "fargate:fp-demo-service" || !strings.Contains(s[0].Attributes["manifest"], "replicas: 1") {
						return fmt.Errorf("imported: %v", s[0].Attributes)
					}
					return nil
				},
			},
			{
				// Removing a document deletes its object; the others stay.
				Config: blog(t, 1, true, mysqlService),
				Check: func(*terraform.State) error {
					kc := acctest.Kube(t, clusterName)
					if _, err := kc.Kube.CoreV1().Services("tb-demo").Get(context.Background(), "mysql", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
						return fmt.Errorf("the removed Service is still there: %v", err)
					}
					return podsOK(t, 1)
				},
			},
			{
				// Removing the resource deletes its objects from the cluster.
				Config: blog(t, 1, false, mysqlService),
				Check: func(*terraform.State) error {
					kc := acctest.Kube(t, clusterName)
					ctx := context.Background()
					if _, err := kc.Kube.AppsV1().Deployments("tb-demo").Get(ctx, "springboot-deployment", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
						return fmt.Errorf("the Deployment is still there: %v", err)
					}
					if _, err := kc.Kube.CoreV1().Services("tb-demo").Get(ctx, "springboot-service", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
						return fmt.Errorf("the Service is still there: %v", err)
					}
					return podsGone(t, "app=service")
				},
			},
		},
	})
}

func podsGone(t *testing.T, selector string) error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if len(running(t, selector)) == 0 {
			return nil
		}
		time.Sleep(300 * time.Millisecond)
	}
	return fmt.Errorf("pods %s are still running", selector)
}
