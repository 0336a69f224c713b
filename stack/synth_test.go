package stack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"

	fargateprovider "github.com/terrax/terraform-provider-fargate/provider"
	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/cluster"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
	"github.com/terrax/terraform-provider-fargate/provider/manifest"
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
	if sc["volumeBindingMode"] != "Immediate" || sc["provisioner"] != "ebs.csi.aws.com" || get(sc, "parameters", "type") != "gp2" {
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

// attrNames lists a schema's attribute and block names by path.
func attrNames(prefix string, attrs map[string]rschema.Attribute, out map[string]bool) {
	for name, a := range attrs {
		out[prefix+name] = true
		switch n := a.(type) {
		case rschema.SingleNestedAttribute:
			attrNames(prefix+name+".", n.Attributes, out)
		case rschema.MapNestedAttribute:
			attrNames(prefix+name+".*.", n.NestedObject.Attributes, out)
		case rschema.ListNestedAttribute:
			attrNames(prefix+name+".*.", n.NestedObject.Attributes, out)
		}
	}
}

// tagNames lists a construct config's tf tags by path.
func tagNames(prefix string, t reflect.Type, out map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		if t.Kind() == reflect.Map {
			prefix += "*."
		} else if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct {
			prefix += "*."
		}
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Anonymous {
			tagNames(prefix, t.Field(i).Type, out)
			continue
		}
		tag := t.Field(i).Tag.Get("tf")
		name, _, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		out[prefix+name] = true
		tagNames(prefix+name+".", t.Field(i).Type, out)
	}
}

func resourceSchema(t *testing.T, r fwresource.Resource) rschema.Schema {
	var resp fwresource.SchemaResponse
	r.Schema(context.Background(), fwresource.SchemaRequest{}, &resp)
	return resp.Schema
}

// The constructs stay in step with the provider: every attribute they
// write exists in its schema, and every required one is written.
func TestConstructsMatchProviderSchema(t *testing.T) {
	cases := []struct {
		name   string
		schema rschema.Schema
		config any
	}{
		{"fargate_cluster", resourceSchema(t, cluster.NewResource()), stack.FargateClusterConfig{}},
		{"fargate_manifest", resourceSchema(t, manifest.NewResource()), struct {
			stack.ManifestConfig
			Manifest string `tf:"manifest"`
		}{}},
	}
	for _, c := range cases {
		schema := map[string]bool{}
		attrNames("", c.schema.Attributes, schema)
		tags := map[string]bool{}
		tagNames("", reflect.TypeOf(c.config), tags)
		var missing []string
		for name := range tags {
			if !schema[name] {
				missing = append(missing, name)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s: the constructs write %v, which the provider's schema does not have", c.name, missing)
		}
		for name, a := range c.schema.Attributes {
			if a.IsRequired() && !tags[name] {
				t.Errorf("%s: the provider requires %q, which the construct cannot write", c.name, name)
			}
		}
	}
	var presp provider.SchemaResponse
	fargateprovider.New("test")().Schema(context.Background(), provider.SchemaRequest{}, &presp)
	tags := map[string]bool{}
	tagNames("", reflect.TypeOf(stack.ProviderConfig{}), tags)
	for name := range tags {
		top, _, _ := strings.Cut(name, ".")
		if _, ok := presp.Schema.Attributes[top]; !ok {
			if _, ok := presp.Schema.Blocks[top]; !ok {
				t.Errorf("provider: the construct writes %q, which the provider's schema does not have", name)
			}
		}
	}
}

// The synthesized stack is valid for the real provider and Terraform CLI.
func TestSynthesizedStackValidates(t *testing.T) {
	acctest.Client(t) // needs the built tools, as acceptance tests do
	root, err := acctest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	b, _ := json.Marshal(synth(t, stack.DefaultConfig()))
	if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), b, 0o644); err != nil {
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
	for _, want := range []string{`"fargate_cluster"`, `"fargate_manifest"`, `name: beer-api`} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("the guide's stack has no %s:\n%s", want, b)
		}
	}
	validateDir(t, root, dir)
}
