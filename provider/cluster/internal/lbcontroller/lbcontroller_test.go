package lbcontroller

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// A new certificate serves the webhook Service's names for a year, chained
// to its CA; another CA in the caBundle, or a late clock, is refused.
func TestCerts(t *testing.T) {
	now := time.Now()
	c, err := NewCerts(now)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := c.Check(c.CA, now)
	if err != nil || exp.Sub(now) < CertValidity-time.Minute {
		t.Fatalf("fresh certificate: expires %v, %v", exp, err)
	}
	other, _ := NewCerts(now)
	if _, err := c.Check(other.CA, now); err == nil || !strings.Contains(err.Error(), "caBundle") {
		t.Fatalf("a caBundle of another CA: %v", err)
	}
	if _, err := c.Check(c.CA, now.Add(CertValidity+time.Hour)); err == nil {
		t.Fatal("an expired certificate passed")
	}
	if _, err := (Certs{CA: c.CA, Cert: c.Cert, Key: other.Key}).Check(c.CA, now); err == nil {
		t.Fatal("a key of another certificate passed")
	}
}

// The objects parse, carry the certificate and the controller's arguments,
// and every kind has its resource.
func TestRender(t *testing.T) {
	c, _ := NewCerts(time.Now())
	s := Spec{Cluster: "c1", Region: "eu-west-1", VPCID: "vpc-1", Version: DefaultVersion, RoleARN: "arn:aws:iam::1:role/r", Certs: c}
	var kinds []string
	for _, f := range []string{"controller.yaml", "webhooks.yaml", "ingressclass.yaml"} {
		objs, err := render(f, s)
		if err != nil {
			t.Fatal(f, err)
		}
		for _, o := range objs {
			kinds = append(kinds, o.GetKind())
			if _, ok := resources[o.GetKind()]; !ok {
				t.Fatalf("no resource for %s", o.GetKind())
			}
			if o.GetKind() == "Deployment" {
				checkDeployment(t, o, s)
			}
		}
	}
	for _, v := range Versions {
		objs, err := crds(v)
		if err != nil || len(objs) != 2 {
			t.Fatalf("CRDs of %s: %d, %v", v, len(objs), err)
		}
	}
	want := []string{"ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "Secret", "Service", "Deployment",
		"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "IngressClassParams", "IngressClass"}
	if !slices.Equal(kinds, want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
}

func checkDeployment(t *testing.T, o *unstructured.Unstructured, s Spec) {
	cs, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
	c := cs[0].(map[string]any)
	args, _, _ := unstructured.NestedStringSlice(c, "args")
	if !slices.Equal(args, s.Args()) || c["image"] != "public.ecr.aws/eks/aws-load-balancer-controller:"+DefaultVersion {
		t.Fatalf("container %v", c)
	}
	if !slices.Contains(args, "--aws-vpc-id=vpc-1") || !slices.Contains(args, "--aws-region=eu-west-1") {
		t.Fatalf("args %v", args)
	}
}

// The policy of each version is AWS's document and allows what the
// controller does first.
func TestPolicy(t *testing.T) {
	for _, v := range Versions {
		p, err := Policy(v)
		var doc struct{ Statement []struct{ Action any } }
		if err != nil || json.Unmarshal([]byte(p), &doc) != nil || !strings.Contains(p, `"elasticloadbalancing:CreateLoadBalancer"`) {
			t.Fatalf("policy of %s: %v", v, err)
		}
	}
	if _, err := Policy("v1.0.0"); err == nil {
		t.Fatal("an unknown version has a policy")
	}
}
