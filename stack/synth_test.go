package stack_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
	"github.com/terrax/terraform-provider-fargate/stack"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// synth returns the synthesized JSON of a TerraxStack.
func synth(t *testing.T, cfg stack.Config) map[string]any {
	t.Helper()
	app := cdktf.Testing_App(nil)
	s := stack.NewTerraxStack(app, "terrax", cfg)
	out := cdktf.Testing_Synth(s.TerraformStack, jsii.Bool(true))
	var m map[string]any
	if err := json.Unmarshal([]byte(*out), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func get(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[p]
	}
	return v
}

func TestSynthGolden(t *testing.T) {
	got, _ := json.MarshalIndent(synth(t, stack.DefaultConfig()), "", "  ")
	golden := filepath.Join("testdata", "terrax.cdk.tf.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Fatalf("the synthesized stack differs from %s (run go test ./stack -run TestSynthGolden -update if the change is meant):\n%s", golden, got)
	}
}

func TestSynthBlogTopology(t *testing.T) {
	cfg := stack.DefaultConfig()
	cfg.ServiceReplicas = 4
	m := synth(t, cfg)
	c := get(m, "resource", "fargate_cluster", "cluster").(map[string]any)
	if c["name"] != "terrax-fargate" || c["kubernetes_version"] != "1.35" || get(c, "network", "vpc_cidr") != "192.168.0.0/16" {
		t.Fatalf("cluster: %v", c)
	}
	ng := get(c, "node_groups", "node-group").(map[string]any)
	if fmt.Sprint(ng["instance_types"]) != "[t2.medium]" || ng["desired_size"] != float64(1) {
		t.Fatalf("node group: %v", ng)
	}
	if got := fmt.Sprint(get(c, "fargate_profiles", "fp-default", "selectors")); got != "[map[namespace:default] map[namespace:kube-system]]" {
		t.Fatalf("fp-default selectors: %s", got)
	}
	if got := fmt.Sprint(get(c, "fargate_profiles", "fp-demo-service", "selectors")); got != "[map[labels:map[app:service] namespace:tb-demo]]" {
		t.Fatalf("fp-demo-service selectors: %s", got)
	}
	if get(m, "terraform", "required_providers", "fargate", "source") != "terrax/fargate" || get(m, "terraform", "backend", "local") == nil {
		t.Fatalf("terraform block: %v", get(m, "terraform"))
	}
	objs := map[string]kubeobj.Object{}
	for _, name := range []string{"database", "service"} {
		res := get(m, "resource", "fargate_manifest", name).(map[string]any)
		if res["cluster"] != "${fargate_cluster.cluster.name}" {
			t.Fatalf("manifest %s is not bound to the cluster: %v", name, res["cluster"])
		}
		parsed, err := kubeobj.Parse(res["manifest"].(string))
		if err != nil {
			t.Fatalf("manifest %s does not parse strictly: %v", name, err)
		}
		for _, o := range parsed {
			objs[o.GetKind()+"/"+o.GetName()] = o
		}
	}
	if deps := fmt.Sprint(get(m, "resource", "fargate_manifest", "service", "depends_on")); deps != "[fargate_manifest.database]" {
		t.Fatalf("the service manifest must come after the database's namespace: %s", deps)
	}
	sc := objs["StorageClass/tb-gp2"].Object
	if sc["volumeBindingMode"] != "WaitForFirstConsumer" || sc["provisioner"] != "ebs.csi.aws.com" || get(sc, "parameters", "type") != "gp2" {
		t.Fatalf("StorageClass: %v", sc)
	}
	if got := get(objs["PersistentVolumeClaim/mysql-data-disk"].Object, "spec", "resources", "requests", "storage"); got != "25Mi" {
		t.Fatalf("PVC size %v", got)
	}
	if got := get(objs["Deployment/springboot-deployment"].Object, "spec", "replicas"); got != float64(4) {
		t.Fatalf("replicas %v (%T), want 4", got, got)
	}
	if get(objs["Deployment/mysql"].Object, "metadata", "labels", "app") != "database" || get(objs["Service/springboot-service"].Object, "spec", "type") != "LoadBalancer" {
		t.Fatal("MySQL or the LoadBalancer Service is wrong")
	}
	// A legacy load balancer (reached through the node group), not one that
	// needs the AWS Load Balancer Controller, which EKS does not install.
	if a := get(objs["Service/springboot-service"].Object, "metadata", "annotations"); a != nil {
		t.Fatalf("springboot-service annotations %v, want none", a)
	}
	if got := fmt.Sprint(get(m, "resource", "fargate_cluster", "cluster", "addons")); !strings.Contains(got, "aws-ebs-csi-driver") {
		t.Fatalf("the cluster's addons %s lack the EBS CSI driver MySQL's volume needs", got)
	}
}

// The constructs' timeouts reach the resources' timeouts blocks.
func TestSynthTimeouts(t *testing.T) {
	app := cdktf.Testing_App(nil)
	s := cdktf.NewTerraformStack(app, jsii.String("timeouts"))
	stack.NewProvider(s, "fargate", nil)
	c := stack.NewFargateCluster(s, "cluster", &stack.FargateClusterConfig{
		Name: "c", Network: stack.Network{VpcCidr: "10.0.0.0/16"},
		Timeouts: &stack.Timeouts{Create: "60m", Delete: "50m"},
	})
	ns := []runtime.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}}}
	stack.NewManifest(s, "objects", &stack.ManifestConfig{Cluster: c.Name(), Objects: ns, Timeouts: &stack.Timeouts{Update: "5m"}})
	stack.NewManifest(s, "defaults", &stack.ManifestConfig{Cluster: c.Name(), Objects: ns})
	out := *cdktf.Testing_Synth(s, jsii.Bool(true))
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(get(m, "resource", "fargate_cluster", "cluster", "timeouts")); got != "map[create:60m delete:50m]" {
		t.Errorf("cluster timeouts: %s", got)
	}
	if got := fmt.Sprint(get(m, "resource", "fargate_manifest", "objects", "timeouts")); got != "map[update:5m]" {
		t.Errorf("manifest timeouts: %s", got)
	}
	if got := get(m, "resource", "fargate_manifest", "defaults", "timeouts"); got != nil {
		t.Errorf("a manifest without timeouts writes %v; the resource's defaults must apply", got)
	}
	// And Terraform takes them for the real provider's blocks.
	validateSynth(t, []byte(out))
}

func TestConfigFromEnvironmentAndContext(t *testing.T) {
	app := cdktf.Testing_App(&cdktf.TestingAppConfig{Context: &map[string]any{"replicas": 3, "region": "us-east-1"}})
	cfg, err := stack.ConfigFrom(app.Node(), func(k string) string {
		return map[string]string{"TERRAX_REPLICAS": "4", "TERRAX_INSTANCE_TYPE": "t3.large"}[k]
	})
	if err != nil || cfg.ServiceReplicas != 4 || cfg.Region != "us-east-1" || cfg.InstanceType != "t3.large" || cfg.ClusterName != "terrax-fargate" {
		t.Fatalf("%+v %v: want the environment over context over defaults", cfg, err)
	}
	if _, err := stack.ConfigFrom(nil, func(k string) string { return map[string]string{"TERRAX_REPLICAS": "four"}[k] }); err == nil {
		t.Fatal("a non-number for replicas was accepted")
	}
	if _, err := stack.ConfigFrom(nil, func(k string) string { return map[string]string{"TERRAX_BACKEND": "s3"}[k] }); err == nil {
		t.Fatal("an S3 backend without a bucket was accepted")
	}
}

// The synthesized stack is valid for the real provider and Terraform CLI.
func TestSynthesizedStackValidates(t *testing.T) {
	b, _ := json.Marshal(synth(t, stack.DefaultConfig()))
	validateSynth(t, b)
}

// validateSynth writes a synthesized stack to a directory of its own and
// validates it there (validateDir).
func validateSynth(t *testing.T, synthesized []byte) {
	t.Helper()
	acctest.Client(t) // needs the built tools, as acceptance tests do
	root, err := acctest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), synthesized, 0o644); err != nil {
		t.Fatal(err)
	}
	validateDir(t, root, dir)
}

// validateDir runs terraform init and validate in dir with the built provider.
func validateDir(t *testing.T, root, dir string) {
	t.Helper()
	tf := filepath.Join(root, "bin", "terraform")
	for _, args := range [][]string{{"init", "-backend=false", "-input=false"}, {"validate"}} {
		cmd := exec.Command(tf, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(root, "bin", "terraformrc"), "CHECKPOINT_DISABLE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %v: %v\n%s", args, err, out)
		}
	}
}

// The CDKTF guide's app (examples/cdktf) synthesizes a valid stack with a
// cluster and a workload.
func TestGuideExampleValidates(t *testing.T) {
	acctest.Client(t)
	root, err := acctest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cmd := exec.Command("go", "run", "./examples/cdktf")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CDKTF_OUTDIR="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./examples/cdktf: %v\n%s", err, b)
	}
	dir := filepath.Join(out, "stacks", "brewery")
	b, err := os.ReadFile(filepath.Join(dir, "cdk.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"fargate_cluster"`, `"fargate_profile"`, `"fargate_manifest"`, `name: brewery`, `name: taproom`} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("the guide's stack has no %s:\n%s", want, b)
		}
	}
	validateDir(t, root, dir)
}
