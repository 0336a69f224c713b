package stack_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
	"github.com/terrax/terraform-provider-fargate/stack"
)

// The Fargate-only variant: no node group and no database; kube-system
// on Fargate for CoreDNS and the AWS Load Balancer Controller, which
// serves springboot-service with IP targets; valid for the real provider.
func TestSynthFargateOnly(t *testing.T) {
	cfg := stack.DefaultConfig()
	cfg.LoadBalancerControllerVersion = "v2.17.1"
	app := cdktf.Testing_App(nil)
	s := stack.NewTerraxFargateOnlyStack(app, "terrax-fargate-only", cfg)
	out := *cdktf.Testing_Synth(s.TerraformStack, jsii.Bool(true))
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	c := get(m, "resource", "fargate_cluster", "cluster").(map[string]any)
	if c["name"] != "terrax-fargate-only" || c["node_groups"] != nil || fmt.Sprint(c["addons"]) != "map[coredns:map[] kube-proxy:map[] vpc-cni:map[]]" {
		t.Fatalf("cluster: want no node group and no EBS driver: %v", c)
	}
	if got := fmt.Sprint(c["load_balancer_controller"]); got != "map[enabled:true version:v2.17.1]" {
		t.Fatalf("load_balancer_controller: %s", got)
	}
	if got := fmt.Sprint(get(c, "fargate_profiles", "fp-default", "selectors")); got != "[map[namespace:default] map[namespace:kube-system]]" {
		t.Fatalf("fp-default selectors: %s", got)
	}
	if get(m, "resource", "fargate_manifest", "database") != nil {
		t.Fatal("the Fargate-only variant has a database manifest")
	}
	if got := get(m, "terraform", "backend", "local", "path"); got != "terraform.terrax-fargate-only.tfstate" {
		t.Fatalf("state file %v, want one apart from the blog stack's", got)
	}
	objs, err := kubeobj.Parse(get(m, "resource", "fargate_manifest", "service", "manifest").(string))
	if err != nil {
		t.Fatal(err)
	}
	kinds := ""
	for _, o := range objs {
		kinds += o.GetKind() + "/" + o.GetName() + " "
		if o.GetKind() == "Service" {
			a := o.GetAnnotations()
			if a["service.beta.kubernetes.io/aws-load-balancer-type"] != "external" || a["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"] != "ip" {
				t.Fatalf("springboot-service is not the controller's with IP targets: %v", a)
			}
		}
	}
	if kinds != "Namespace/tb-demo Deployment/springboot-deployment Service/springboot-service " {
		t.Fatalf("objects: %s", kinds)
	}
	validateSynth(t, []byte(out))
}
