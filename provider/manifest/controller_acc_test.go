package manifest_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// A manifest against a cluster made elsewhere (another configuration): at
// plan, the provider asks the cluster's Kubernetes API whether the AWS
// Load Balancer Controller runs there. Without it, a Service that needs it
// is refused, naming the Service and the attribute to set; once its
// Deployment is there, the same plan passes.
func TestAccManifest_controllerServiceRefusedAtPlanOnClusterMadeElsewhere(t *testing.T) {
	acctest.Client(t)
	const name = "lbc-elsewhere"
	cluster := acctest.NewWorkdir(t, acctest.ProviderBlock+`
resource "fargate_cluster" "c" {
  name    = "`+name+`"
  network = { vpc_cidr = "10.14.0.0/16", availability_zones = ["eu-west-1a", "eu-west-1b"] }
}
`)
	cluster.Apply()
	defer cluster.Destroy()

	app := acctest.NewWorkdir(t, acctest.ProviderBlock+`
resource "fargate_manifest" "web" {
  cluster  = "`+name+`"
  manifest = <<-YAML
    apiVersion: v1
    kind: Namespace
    metadata: {name: web}
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
      selector: {app: web}
      ports: [{port: 80}]
    YAML
}
`)
	out, err := app.Run("plan", "-no-color", "-input=false")
	want := regexp.MustCompile(`(?s)Error: Load balancer needs the AWS Load Balancer Controller.*` + flex(regexp.QuoteMeta(`Service web/web asks for the AWS Load Balancer Controller (annotation service.beta.kubernetes.io/aws-load-balancer-type: external), which EKS does not install and this cluster does not have: the Service would never get an address. Set load_balancer_controller.enabled = true on the cluster's fargate_cluster`)))
	if err == nil || !want.MatchString(out) {
		t.Fatalf("plan without the controller: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?s)with fargate_manifest\.web,.*\bmanifest\s+=\s+<<-YAML`).MatchString(out) {
		t.Fatalf("the error is not on the manifest attribute: %s", out)
	}

	// The controller as its Helm chart (and fargate_cluster) names it.
	labels := map[string]string{"app.kubernetes.io/name": "aws-load-balancer-controller"}
	_, err = acctest.Kube(t, name).Kube.AppsV1().Deployments("kube-system").Create(context.Background(), &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "aws-load-balancer-controller", Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "controller", Image: "public.ecr.aws/eks/aws-load-balancer-controller:v2.13.4"}}}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out := app.Must("plan", "-no-color", "-input=false"); !strings.Contains(out, "1 to add") {
		t.Fatalf("plan with the controller: %s", out)
	}
}
