package cluster_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/lbcontroller"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

const lbcRotAddr = "fargate_cluster.rot"

func lbcRotationConfig(name, version string) string {
	return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "rot" {
  name                     = %q
  network                  = { vpc_cidr = "10.84.0.0/16", availability_zones = ["eu-west-1a", "eu-west-1b"] }
  fargate_profiles         = { system = { selectors = [{ namespace = "kube-system" }] } }
  load_balancer_controller = { version = %q }
}
`, name, version)
}

// TestAccCluster_loadBalancerControllerRotationAndDrift: a webhook
// certificate that expires within 30 days (written into the Secret and the
// caBundle through the Kubernetes API) shows in the plan and is replaced
// by the apply, the controller restarted to serve it; a Deployment and a
// webhook configuration and role deleted behind Terraform's back are put back; a
// new version is rolled out in place.
func TestAccCluster_loadBalancerControllerRotationAndDrift(t *testing.T) {
	c := acctest.Client(t)
	const name = "lbc-rotation"
	kc := func() *kubeclient.Client { return acctest.Kube(t, name) }
	var oldDigest string
	expiring := func() {
		k := kc().Kube
		certs, err := lbcontroller.NewCerts(time.Now().Add(-lbcontroller.CertValidity + 10*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		sec, err := k.CoreV1().Secrets(placement.LBCNamespace).Get(bgLBC, placement.LBCTLSSecret, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sec.Data = map[string][]byte{"ca.crt": certs.CA, "tls.crt": certs.Cert, "tls.key": certs.Key}
		if _, err := k.CoreV1().Secrets(placement.LBCNamespace).Update(bgLBC, sec, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		patch := func(hook string) []byte {
			return fmt.Appendf(nil, `{"webhooks":[{"name":%q,"clientConfig":{"caBundle":%q}}]}`, hook, base64.StdEncoding.EncodeToString(certs.CA))
		}
		for _, hook := range []string{"mpod.elbv2.k8s.aws", "mtargetgroupbinding.elbv2.k8s.aws"} {
			_, err = k.AdmissionregistrationV1().MutatingWebhookConfigurations().Patch(bgLBC, placement.LBCWebhookConfig, k8stypes.StrategicMergePatchType, patch(hook), metav1.PatchOptions{})
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, hook := range []string{"vtargetgroupbinding.elbv2.k8s.aws", "vingress.elbv2.k8s.aws"} {
			_, err = k.AdmissionregistrationV1().ValidatingWebhookConfigurations().Patch(bgLBC, placement.LBCWebhookConfig, k8stypes.StrategicMergePatchType, patch(hook), metav1.PatchOptions{})
			if err != nil {
				t.Fatal(err)
			}
		}
		d, err := k.AppsV1().Deployments(placement.LBCNamespace).Get(bgLBC, placement.LBCName, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		oldDigest = d.Spec.Template.Annotations["fargate.terrax.io/webhook-certificate"]
	}
	certAt := tfjsonpath.New("load_balancer_controller").AtMapKey("webhook_certificate_expires")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             checkGone(c, name),
		Steps: []resource.TestStep{
			{Config: lbcRotationConfig(name, "v2.17.1"), Check: resource.ComposeAggregateTestCheckFunc(lbcRunning(c, kc, name, lbcRotAddr), ingressAdmitted(kc))},
			{
				PreConfig: expiring,
				Config:    lbcRotationConfig(name, "v2.17.1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(lbcRotAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(lbcRotAddr, certAt),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					lbcRunning(c, kc, name, lbcRotAddr),
					ingressAdmitted(kc),
					func(s *terraform.State) error {
						exp, err := time.Parse(time.RFC3339, s.RootModule().Resources[lbcRotAddr].Primary.Attributes["load_balancer_controller.webhook_certificate_expires"])
						if err != nil || time.Until(exp) < 300*24*time.Hour {
							return fmt.Errorf("the certificate after rotation expires %v (%v)", exp, err)
						}
						d, err := kc().Kube.AppsV1().Deployments(placement.LBCNamespace).Get(bgLBC, placement.LBCName, metav1.GetOptions{})
						if err != nil || d.Spec.Template.Annotations["fargate.terrax.io/webhook-certificate"] == oldDigest {
							return fmt.Errorf("the controller was not restarted to serve the new certificate (%v)", err)
						}
						return nil
					},
				),
			},
			{
				PreConfig: func() {
					k := kc().Kube
					if err := k.AppsV1().Deployments(placement.LBCNamespace).Delete(bgLBC, placement.LBCName, metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
					if err := k.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(bgLBC, placement.LBCWebhookConfig, metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
					deleteRole(t, c, name)
				},
				Config: lbcRotationConfig(name, "v2.17.1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(lbcRotAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					lbcRunning(c, kc, name, lbcRotAddr),
					resource.TestCheckResourceAttr(lbcRotAddr, "load_balancer_controller.enabled", "true"),
				),
			},
			{
				Config: lbcRotationConfig(name, "v3.5.0"),
				Check: resource.ComposeAggregateTestCheckFunc(
					lbcRunning(c, kc, name, lbcRotAddr),
					func(*terraform.State) error {
						d, err := kc().Kube.AppsV1().Deployments(placement.LBCNamespace).Get(bgLBC, placement.LBCName, metav1.GetOptions{})
						if err != nil || d.Spec.Template.Spec.Containers[0].Image != "public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0" {
							return fmt.Errorf("the controller was not upgraded in place (%v)", err)
						}
						return nil
					},
				),
			},
		},
	})
}

// deleteRole deletes the controller's role, as someone might in the IAM console.
func deleteRole(t *testing.T, c *conns.Client, cluster string) {
	inv := acctest.Take(t, c, cluster)
	for _, r := range inv.Roles {
		if !strings.Contains(r, "-lb-controller-") {
			continue
		}
		_, err := c.IAM.DeleteRolePolicy(bgLBC, &iam.DeleteRolePolicyInput{RoleName: aws.String(r), PolicyName: aws.String(lbcontroller.PolicyName)})
		if err == nil {
			_, err = c.IAM.DeleteRole(bgLBC, &iam.DeleteRoleInput{RoleName: aws.String(r)})
		}
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("no controller role among %v", inv.Roles)
}
