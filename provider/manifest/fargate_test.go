package manifest_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// flex lets a space match the line breaks Terraform wraps diagnostics with.
func flex(pattern string) string { return strings.ReplaceAll(pattern, " ", `\s+`) }

func eksCalls(calls map[string]int) int {
	n := 0
	for k, v := range calls {
		if strings.HasPrefix(k, "eks:") {
			n += v
		}
	}
	return n
}

// A stateful Deployment that a Fargate profile selects is refused at plan,
// naming the Deployment, the claim and the profile, with no EKS call.
func TestAccManifest_statefulOnFargateRefusedAtPlan(t *testing.T) {
	refusedAtPlanWithoutEKSCalls(t, acctest.ProviderBlock+`
resource "fargate_cluster" "c" {
  name             = "stateful-check"
  network          = { vpc_cidr = "10.11.0.0/16" }
  node_groups      = { ng = { instance_types = ["t3.medium"], desired_size = 1, min_size = 1, max_size = 1 } }
  fargate_profiles = { "fp-demo-service" = { selectors = [{ namespace = "tb-demo", labels = { app = "service" } }] } }
}
resource "fargate_manifest" "m" {
  cluster  = fargate_cluster.c.name
  manifest = <<-YAML
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata: {name: tb-gp2}
    provisioner: ebs.csi.aws.com
    volumeBindingMode: Immediate
    ---
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: mysql-data-disk, namespace: tb-demo}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: tb-gp2
      resources: {requests: {storage: 25Mi}}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: stateful-service, namespace: tb-demo}
    spec:
      selector: {matchLabels: {app: service}}
      template:
        metadata: {labels: {app: service}}
        spec:
          containers: [{name: db, image: mysql:8.4, volumeMounts: [{name: data, mountPath: /var/lib/mysql}]}]
          volumes: [{name: data, persistentVolumeClaim: {claimName: mysql-data-disk}}]
    YAML
}
`, regexp.MustCompile(`(?s)Pod cannot run where EKS would place it.*`+flex(`Deployment tb-demo/stateful-service cannot run where EKS would put it: Fargate profile "fp-demo-service" selects its pods \(namespace tb-demo with app=service\), and Fargate refuses it: volumes not supported: data is of an unsupported volume Type \(PersistentVolumeClaim mysql-data-disk is backed by EBS\)`)))
}

// When the plan cannot know (the claim's class was made outside Terraform),
// Fargate's refusal surfaces at apply, at once and in Fargate's words.
func TestAccManifest_fargateRefusalAtApply(t *testing.T) {
	acctest.Client(t)
	cluster := acctest.ProviderBlock + `
resource "fargate_cluster" "c" {
  name             = "refusal"
  network          = { vpc_cidr = "10.12.0.0/16" }
  node_groups      = { ng = { instance_types = ["t3.medium"], desired_size = 1, min_size = 1, max_size = 1 } }
  fargate_profiles = { apps = { selectors = [{ namespace = "apps" }] } }
  # The claim is bound first (EKS needs the EBS CSI driver for that), then
  # Fargate refuses the pod that mounts it.
  addons = { vpc-cni = {}, kube-proxy = {}, coredns = {}, aws-ebs-csi-driver = {} }
}
`
	withManifest := cluster + `
resource "fargate_manifest" "m" {
  cluster  = fargate_cluster.c.name
  manifest = <<-YAML
    apiVersion: v1
    kind: Namespace
    metadata: {name: apps}
    ---
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: data, namespace: apps}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: made-elsewhere
      resources: {requests: {storage: 1Gi}}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: db, namespace: apps}
    spec:
      selector: {matchLabels: {app: db}}
      template:
        metadata: {labels: {app: db}}
        spec:
          containers: [{name: db, image: postgres:17}]
          volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
    YAML
  timeouts {
    create = "3m"
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cluster},
			{
				PreConfig: func() {
					kc := acctest.Kube(t, "refusal")
					_, err := kc.Kube.StorageV1().StorageClasses().Create(context.Background(), &storagev1.StorageClass{
						ObjectMeta: metav1.ObjectMeta{Name: "made-elsewhere"}, Provisioner: "ebs.csi.aws.com"}, metav1.CreateOptions{})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config:      withManifest,
				ExpectError: regexp.MustCompile(`(?s)Waiting for the manifest's objects failed.*` + flex(`Deployment apps/db cannot roll out: pod db-[a-z0-9-]+: Pod not supported on Fargate: volumes not supported: data is of an unsupported volume Type`)),
			},
		},
	})
}
