package manifest_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
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
`+ipService("web")+`    YAML
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

// In one configuration with its cluster: fargate_cluster's plan says the
// cluster will not have the controller, and a Service and an Ingress that
// need it are refused at plan, each named with the attribute to set,
// before anything is made.
func TestAccManifest_controllerObjectsRefusedAtPlan(t *testing.T) {
	refusedAtPlanWithoutEKSCalls(t, acctest.ProviderBlock+`
resource "fargate_cluster" "c" {
  name             = "no-controller"
  network          = { vpc_cidr = "10.15.0.0/16" }
  fargate_profiles = { apps = { selectors = [{ namespace = "kube-system" }, { namespace = "shop" }] } }
}
resource "fargate_manifest" "shop" {
  cluster  = fargate_cluster.c.name
  manifest = <<-YAML
`+ipService("shop")+`    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: shop
      namespace: shop
      annotations: {alb.ingress.kubernetes.io/target-type: ip}
    spec:
      ingressClassName: alb
      defaultBackend: {service: {name: shop, port: {number: 80}}}
    YAML
}
`, regexp.MustCompile(`(?s)`+flex(regexp.QuoteMeta(`Service shop/shop asks for the AWS Load Balancer Controller (annotation service.beta.kubernetes.io/aws-load-balancer-type: external), which EKS does not install and this cluster does not have`))+
		`.*`+flex(regexp.QuoteMeta(`Set load_balancer_controller.enabled = true on the cluster's fargate_cluster`))+
		`.*`+flex(regexp.QuoteMeta(`Ingress shop/shop is of class alb, which only the AWS Load Balancer Controller serves`))+
		`.*`+flex(regexp.QuoteMeta(`Set load_balancer_controller.enabled = true on the cluster's fargate_cluster`))))
}

// ipService is a Service the controller serves with IP targets, in the
// namespace of its name, as a manifest's document.
func ipService(name string) string {
	return strings.NewReplacer("NAME", name).Replace(`    apiVersion: v1
    kind: Service
    metadata:
      name: NAME
      namespace: NAME
      annotations:
        service.beta.kubernetes.io/aws-load-balancer-type: external
        service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip
    spec:
      type: LoadBalancer
      selector: {app: NAME}
      ports: [{port: 80}]
`)
}

// refusedAtPlanWithoutEKSCalls plans config, which must fail with want,
// and checks that the refused plan called no EKS API.
func refusedAtPlanWithoutEKSCalls(t *testing.T, config string, want *regexp.Regexp) {
	t.Helper()
	acctest.Client(t)
	before := eksCalls(acctest.Calls(t))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps:                    []resource.TestStep{{Config: config, PlanOnly: true, ExpectError: want}},
	})
	if after := eksCalls(acctest.Calls(t)); after != before {
		t.Fatalf("the refused plan made %d EKS calls", after-before)
	}
}
