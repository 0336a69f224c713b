package reliability_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// A valid cluster, with one piece replaced per case.
const validCluster = `
resource "fargate_cluster" "bad" {
  name               = %s
  kubernetes_version = %s
  network            = %s
  node_groups = {
    %s
  }
  fargate_profiles = {
    %s
  }
  tags = %s
  %s
}
`

// clusterCase is a fargate_cluster with one bad piece.
type clusterCase struct {
	name, cluster, version, network, nodeGroup, profile, tags, extra string
	// want matches the diagnostic; at matches the configuration line
	// Terraform quotes for it, which shows the attribute it is on.
	want, at string
}

func (b clusterCase) badInput() badInput {
	def := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	return badInput{name: "fargate_cluster: " + b.name, want: b.want, at: b.at, config: fmt.Sprintf(validCluster,
		def(b.cluster, `"terrax-fargate"`),
		def(b.version, `"1.35"`),
		def(b.network, `{ vpc_cidr = "192.168.0.0/16" }`),
		def(b.nodeGroup, `"node-group" = { instance_types = ["t2.medium"], desired_size = 1, min_size = 1, max_size = 2 }`),
		def(b.profile, `"fp-default" = { selectors = [{ namespace = "default" }, { namespace = "kube-system" }] }`),
		def(b.tags, `{ team = "brewers" }`), b.extra)}
}

func selectors(n int) string {
	var s []string
	for i := range n {
		s = append(s, fmt.Sprintf(`{ namespace = "ns%d" }`, i))
	}
	return strings.Join(s, ", ")
}

func profiles(n int) string {
	var s []string
	for i := range n {
		s = append(s, fmt.Sprintf(`"fp-%d" = { selectors = [{ namespace = "ns%d" }] }`, i, i))
	}
	return strings.Join(s, "\n    ")
}

func manyTags(n int) string {
	var s []string
	for i := range n {
		s = append(s, fmt.Sprintf(`t%d = "v"`, i))
	}
	return "{ " + strings.Join(s, ", ") + " }"
}

var clusterCases = []clusterCase{
	{name: "invalid cluster name", cluster: `"terrax fargate!"`,
		want: `Invalid EKS cluster name[\s\S]*must start with a letter or digit`, at: `Attribute name: `},
	{name: "cluster name too long", cluster: fmt.Sprintf("%q", strings.Repeat("c", 101)),
		want: `EKS allows at most 100`, at: `Attribute name: `},
	{name: "invalid profile name", profile: `"fp default" = { selectors = [{ namespace = "default" }] }`,
		want: `Invalid Fargate profile name[\s\S]*"fp default"`, at: `Attribute fargate_profiles\["fp default"\]`},
	{name: "profile name starting with eks-", profile: `"eks-default" = { selectors = [{ namespace = "default" }] }`,
		want: `starts with "eks-", which EKS\s+reserves`, at: `Attribute fargate_profiles\["eks-default"\]`},
	{name: "profile without selectors", profile: `"fp-default" = { selectors = [] }`,
		want: `list must contain at\s+least 1 elements`, at: `fargate_profiles\["fp-default"\]\.selectors`},
	{name: "more than 5 selectors", profile: `"fp-default" = { selectors = [` + selectors(6) + `] }`,
		want: `at most 5 elements, got: 6`, at: `fargate_profiles\["fp-default"\]\.selectors`},
	{name: "selector without namespace", profile: `"fp-default" = { selectors = [{ labels = { app = "x" } }] }`,
		want: `attribute "namespace" is required`, at: `"fp-default" = \{ selectors = \[\{ labels`},
	{name: "invalid selector namespace", profile: `"fp-default" = { selectors = [{ namespace = "TB_Demo" }] }`,
		want: `Invalid Fargate selector namespace`, at: `Attribute\s+fargate_profiles\["fp-default"\]\.selectors\[0\]\.namespace`},
	{name: "more than 5 labels", profile: `"fp-default" = { selectors = [{ namespace = "d", labels = { a = "1", b = "2", c = "3", d = "4", e = "5", f = "6" } }] }`,
		want: `map must contain at most 5 elements, got: 6`, at: `fargate_profiles\["fp-default"\]\.selectors\[0\]\.labels`},
	{name: "invalid label key", profile: `"fp-default" = { selectors = [{ namespace = "d", labels = { "-app" = "1" } }] }`,
		want: `Invalid label key`, at: `fargate_profiles\["fp-default"\]\.selectors\[0\]\.labels\["-app"\]`},
	{name: "desired_size above max_size", nodeGroup: `"node-group" = { instance_types = ["t2.medium"], desired_size = 3, min_size = 1, max_size = 2 }`,
		want: `desired_size 3 is outside min_size..max_size \(1..2\)`, at: `Attribute node_groups\["node-group"\]\.desired_size`},
	{name: "desired_size below min_size", nodeGroup: `"node-group" = { instance_types = ["t2.medium"], desired_size = 0, min_size = 1, max_size = 2 }`,
		want: `desired_size 0 is outside`, at: `Attribute node_groups\["node-group"\]\.desired_size`},
	{name: "min_size above max_size", nodeGroup: `"node-group" = { instance_types = ["t2.medium"], desired_size = 2, min_size = 3, max_size = 2 }`,
		want: `min_size \(3\) is greater than max_size`, at: `Attribute node_groups\["node-group"\]\.max_size`},
	{name: "empty instance_types", nodeGroup: `"node-group" = { instance_types = [], desired_size = 1, min_size = 1, max_size = 2 }`,
		want: `list must contain at least 1 elements`, at: `node_groups\["node-group"\]\.instance_types`},
	{name: "invalid instance type", nodeGroup: `"node-group" = { instance_types = ["medium"], desired_size = 1, min_size = 1, max_size = 2 }`,
		want: `must be an EC2 instance\s+type`, at: `node_groups\["node-group"\]\.instance_types\[0\]`},
	{name: "invalid node group name", nodeGroup: `"node group" = { instance_types = ["t2.medium"], desired_size = 1, min_size = 1, max_size = 2 }`,
		want: `Invalid node group name`, at: `Attribute node_groups\["node group"\]`},
	{name: "unsupported kubernetes_version", version: `"1.15"`,
		want: `Kubernetes version "1.15" is not offered by EKS`, at: `Attribute kubernetes_version: `},
	{name: "network with both vpc_cidr and subnet_ids", network: `{ vpc_cidr = "10.0.0.0/16", subnet_ids = ["subnet-1", "subnet-2"] }`,
		want: `subnet_ids and vpc_cidr are all set; set exactly one of`, at: `Conflicting network settings[\s\S]*Attribute network: `},
	{name: "network with neither", network: `{}`,
		want: `set exactly one of network.subnet_ids \(the cluster uses existing subnets\) or\s+network.vpc_cidr \(the resource creates a VPC\)`, at: `Missing network setting[\s\S]*Attribute network: `},
	{name: "invalid CIDR", network: `{ vpc_cidr = "192.168.0.0/33" }`,
		want: `"192.168.0.0/33" is not an IPv4 CIDR block`, at: `Attribute network\.vpc_cidr: `},
	{name: "CIDR too large", network: `{ vpc_cidr = "10.0.0.0/8" }`,
		want: `a VPC for EKS needs a\s+prefix from /16 to /24`, at: `Attribute network\.vpc_cidr: `},
	{name: "one subnet", network: `{ subnet_ids = ["subnet-1"] }`,
		want: `set must contain at least 2 elements`, at: `Attribute network\.subnet_ids `},
	{name: "reserved tag key", tags: `{ "aws:team" = "brewers" }`,
		want: `starts with "aws:", which AWS\s+reserves`, at: `Attribute tags\["aws:team"\]`},
	{name: "node group name too long", nodeGroup: `"` + strings.Repeat("n", 64) + `" = { instance_types = ["t2.medium"], desired_size = 1, min_size = 1, max_size = 2 }`,
		want: `at most 63`, at: `Attribute node_groups\["n{64}"\]`},
	{name: "profile name too long", profile: `"` + strings.Repeat("p", 101) + `" = { selectors = [{ namespace = "default" }] }`,
		want: `at most 100`, at: `Attribute fargate_profiles\["p{101}"\]`},
	{name: "more than 50 tags", tags: manyTags(51),
		want: `51`, at: `Attribute tags`},
	{name: "tag value too long", tags: `{ team = "` + strings.Repeat("v", 257) + `" }`,
		want: `256`, at: `Attribute tags\["team"\]`},
	{name: "desired_size of the wrong type", nodeGroup: `"node-group" = { instance_types = ["t2.medium"], desired_size = "two", min_size = 1, max_size = 2 }`,
		want: `Incorrect attribute value type`, at: `a number is required`},
	{name: "unknown attribute", extra: `colour = "blue"`,
		want: `Unsupported argument`, at: `An argument named "colour" is not expected here`},
	{name: "invalid label value", profile: `"fp-default" = { selectors = [{ namespace = "d", labels = { app = "` + strings.Repeat("x", 64) + `" } }] }`,
		want: `Invalid label value`, at: `fargate_profiles\["fp-default"\]\.selectors\[0\]\.labels\["app"\]`},
	{name: "invalid public_access_cidrs", extra: `public_access_cidrs = ["0.0.0.0"]`,
		want: `is not an IPv4 CIDR block`, at: `Attribute public_access_cidrs`},
	{name: "unknown coredns_compute_type", extra: `coredns_compute_type = "lambda"`,
		want: `value must be one of`, at: `Attribute coredns_compute_type`},
	{name: "disk_size out of range", nodeGroup: `"node-group" = { instance_types = ["t2.medium"], desired_size = 1, min_size = 1, max_size = 2, disk_size = 0 }`,
		want: `must be between 1 and 16384`, at: `node_groups\["node-group"\]\.disk_size`},
	{name: "unknown capacity_type", nodeGroup: `"node-group" = { instance_types = ["t2.medium"], desired_size = 1, min_size = 1, max_size = 2, capacity_type = "CHEAP" }`,
		want: `value must be one of`, at: `node_groups\["node-group"\]\.capacity_type`},
	{name: "invalid role ARN", extra: `cluster_role_arn = "my-role"`,
		want: `IAM role ARN`, at: `Attribute cluster_role_arn`},
	{name: "wildcard in a node group label", nodeGroup: `"node-group" = { instance_types = ["t2.medium"], desired_size = 1, min_size = 1, max_size = 2, labels = { "role*" = "db" } }`,
		want: `EKS refuses in node group labels`, at: `Attribute node_groups\["node-group"\]\.labels\["role\*"\]`},
	{name: "more than 10 Fargate profiles", profile: profiles(11),
		want: `Too many Fargate profiles[\s\S]*11 Fargate profiles are configured; EKS allows at most 10 per cluster`, at: `Attribute fargate_profiles: `},
	{name: "invalid timeout", extra: `timeouts { create = "soon" }`,
		want: `Invalid Attribute Value Time Duration`, at: `timeouts \{ create = "soon" \}`},
}

// manifestCase is a fargate_manifest with a bad manifest.
func manifestCase(name, manifest, want string) badInput {
	b, _ := json.Marshal(manifest)
	return badInput{name: "fargate_manifest: " + name, want: want, at: `resource "fargate_manifest" "bad"`, config: fmt.Sprintf(`
resource "fargate_manifest" "bad" {
  cluster  = "terrax-fargate"
  manifest = %s
}`, b)}
}

var manifestCases = []badInput{
	manifestCase("the blog's mis-indented PVC (unknown field)", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: mysql-data-disk, namespace: tb-demo}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n    storage: 25Mi\n",
		`unknown field "spec.resources.storage"`),
	manifestCase("not YAML", "apiVersion: v1\nkind: [", `document 1: is not valid YAML`),
	manifestCase("missing metadata.name", "apiVersion: v1\nkind: ConfigMap\n", `document 1: missing metadata.name`),
	manifestCase("missing apiVersion", "kind: Secret\nmetadata: {name: s}\n", `document 1: missing apiVersion`),
	manifestCase("duplicate object", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n", `document 2 \(ConfigMap default/a\): is also document 1`),
	manifestCase("empty", "# nothing\n", `Empty Kubernetes manifest`),
	manifestCase("wrong type", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: two\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n", `document 1 \(Deployment web\)`),
}

// badInput is a configuration that must be refused at plan time.
type badInput struct{ name, config, want, at string }

func badInputs() []badInput {
	out := []badInput{}
	for _, c := range clusterCases {
		out = append(out, c.badInput())
	}
	out = append(out, profileCases...)
	return append(out, manifestCases...)
}

// flex lets a space in a pattern match the line breaks Terraform wraps
// diagnostics with.
func flex(pattern string) string { return strings.ReplaceAll(pattern, " ", `\s+`) }

// Scenario 8: bad input. Each configuration is refused at plan time with a
// diagnostic that says what is wrong and points at the attribute, before
// any call to AWS (counted by localeks, STS included).
func TestBadInput_refusedAtPlanWithoutAPICalls(t *testing.T) {
	cases := badInputs()
	if len(cases) < 30 {
		t.Fatalf("only %d bad inputs", len(cases))
	}
	for _, b := range cases {
		t.Run(b.name, func(t *testing.T) {
			before := acctest.Calls(t)
			var steps []resource.TestStep
			for _, pattern := range []string{b.want, b.at} {
				steps = append(steps, resource.TestStep{Config: acctest.ProviderBlock + b.config, PlanOnly: true, ExpectError: regexp.MustCompile(flex(pattern))})
			}
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactories, Steps: steps})
			if d := delta(before, acctest.Calls(t)); len(d) > 0 {
				t.Fatalf("AWS calls were made for a configuration refused at plan time: %v", d)
			}
		})
	}
}
