package cluster_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
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
}
`

type badInput struct {
	name, cluster, version, network, nodeGroup, profile, tags string
	// want matches the diagnostic; at matches the configuration line
	// Terraform quotes for it, which shows the attribute it is on.
	want, at string
}

func (b badInput) config(endpoint string) string {
	def := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	return acctest.ProviderBlock + fmt.Sprintf(`
provider "fargate" {
  region = "eu-west-1"
  endpoints { url = %q }
}
`, endpoint) + fmt.Sprintf(validCluster,
		def(b.cluster, `"terrax-fargate"`),
		def(b.version, `"1.35"`),
		def(b.network, `{ vpc_cidr = "192.168.0.0/16" }`),
		def(b.nodeGroup, `"node-group" = { instance_types = ["t2.medium"], desired_size = 1, min_size = 1, max_size = 2 }`),
		def(b.profile, `"fp-default" = { selectors = [{ namespace = "default" }, { namespace = "kube-system" }] }`),
		def(b.tags, `{ team = "brewers" }`))
}

func selectors(n int) string {
	var s []string
	for i := range n {
		s = append(s, fmt.Sprintf(`{ namespace = "ns%d" }`, i))
	}
	return strings.Join(s, ", ")
}

var badInputs = []badInput{
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
}

// flex lets a space in a pattern match the line breaks Terraform wraps
// diagnostics with.
func flex(pattern string) string { return strings.ReplaceAll(pattern, " ", `\s+`) }

// TestAccCluster_badInput: every bad input fails at plan, with a diagnostic
// on the attribute, before any call to AWS.
func TestAccCluster_badInput(t *testing.T) {
	var calls atomic.Int64
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "no AWS call is expected at plan time", http.StatusTeapot)
	}))
	defer endpoint.Close()

	for _, b := range badInputs {
		t.Run(b.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      b.config(endpoint.URL),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(flex(b.want)),
				}, {
					Config:      b.config(endpoint.URL),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(flex(b.at)),
				}},
			})
			if n := calls.Load(); n != 0 {
				t.Fatalf("%d AWS calls were made for a configuration refused at plan time", n)
			}
		})
	}
}

func TestAccCluster_unreachableEndpoint(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderBlock + `
resource "fargate_cluster" "bad" {
  name                    = "x"
  network                 = { vpc_cidr = "10.0.0.0/16" }
  endpoint_public_access  = false
  endpoint_private_access = false
}`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Unreachable cluster endpoint.*endpoint_public_access\s+= false`),
		}},
	})
}

// Version changes EKS cannot make are refused at plan, against the state.
func TestAccCluster_versionChange(t *testing.T) {
	cfg := func(v string) string {
		return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "v" {
  name               = "versions"
  kubernetes_version = %q
  network            = { vpc_cidr = "10.3.0.0/16" }
}`, v)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg("1.34")},
			{Config: cfg("1.36"), PlanOnly: true, ExpectError: regexp.MustCompile(flex(`cannot upgrade from 1.34 to 1.36 in one step: EKS upgrades one minor version at a time \(next: 1.35\)`))},
			{Config: cfg("1.33"), PlanOnly: true, ExpectError: regexp.MustCompile(flex(`cannot change the Kubernetes version from 1.34 to 1.33: EKS does not downgrade`))},
		},
	})
}
