package lbcontroller

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// Spec is what the controller is installed with.
type Spec struct {
	Cluster, Region, VPCID, Version, RoleARN string
	Certs                                    Certs
	// Bundle is the webhooks' caBundle when it is not Certs.CA alone.
	Bundle []byte
}

// Selector are the labels of the controller's pods, as the chart's
// selectorLabels (release aws-load-balancer-controller).
var Selector = map[string]string{
	"app.kubernetes.io/name":     placement.LBCName,
	"app.kubernetes.io/instance": placement.LBCName,
}

// labels of every object the provider writes for the controller.
var labels = map[string]string{
	"app.kubernetes.io/name":       placement.LBCName,
	"app.kubernetes.io/instance":   placement.LBCName,
	"app.kubernetes.io/managed-by": "terraform-provider-fargate",
}

// Args are the controller's arguments: the cluster, and the VPC and region
// it cannot learn on Fargate (no instance metadata); the Service mutator is
// off, so plain LoadBalancer Services stay with EKS's cloud controller.
func (s Spec) Args() []string {
	return []string{
		"--cluster-name=" + s.Cluster,
		"--ingress-class=" + placement.LBCIngressClass,
		"--aws-region=" + s.Region,
		"--aws-vpc-id=" + s.VPCID,
		"--enable-service-mutator-webhook=false",
	}
}

// digest names a certificate in the pod template, so a new one rolls the pods.
func digest(cert []byte) string {
	sum := sha256.Sum256(cert)
	return hex.EncodeToString(sum[:8])
}

// render fills in one of the templates under data/ (YAML documents whose
// values are given as JSON, which YAML reads as is).
func render(file string, s Spec) ([]*unstructured.Unstructured, error) {
	raw, err := data.ReadFile("data/" + file)
	if err != nil {
		return nil, err
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	bundle := s.Bundle
	if bundle == nil {
		bundle = s.Certs.CA
	}
	b64 := func(p []byte) string { return js(base64.StdEncoding.EncodeToString(p)) }
	params := map[string]string{
		"Labels": js(labels), "Selector": js(Selector), "RoleARN": js(s.RoleARN), "Image": js(Image(s.Version)),
		"Args": js(s.Args()), "CA": b64(s.Certs.CA), "Cert": b64(s.Certs.Cert), "Key": b64(s.Certs.Key),
		"CertDigest": js(digest(s.Certs.Cert)), "Bundle": b64(bundle),
	}
	t, err := template.New(file).Option("missingkey=error").Parse(string(raw))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := t.Execute(&out, params); err != nil {
		return nil, err
	}
	return decode(out.String())
}

// crds are the CRDs of version, as published.
func crds(version string) ([]*unstructured.Unstructured, error) {
	var all []*unstructured.Unstructured
	for _, f := range crdFiles {
		raw, err := data.ReadFile("data/" + version + "/" + f)
		if err != nil {
			return nil, fmt.Errorf("the CRDs of the AWS Load Balancer Controller %s: %w", version, err)
		}
		objs, err := decode(string(raw))
		if err != nil {
			return nil, err
		}
		all = append(all, objs...)
	}
	return all, nil
}

func decode(docs string) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, doc := range strings.Split(docs, "\n---\n") {
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			return nil, err
		}
		if len(m) > 0 {
			out = append(out, &unstructured.Unstructured{Object: m})
		}
	}
	return out, nil
}

// resources are the API resources of the kinds written here, so that no
// discovery is needed (the CRDs' own kinds are new to the API server's
// discovery right after they are made).
var resources = map[string]schema.GroupVersionResource{
	"ServiceAccount":                 {Version: "v1", Resource: "serviceaccounts"},
	"Secret":                         {Version: "v1", Resource: "secrets"},
	"Service":                        {Version: "v1", Resource: "services"},
	"Deployment":                     {Group: "apps", Version: "v1", Resource: "deployments"},
	"Role":                           {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "roles"},
	"RoleBinding":                    {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "rolebindings"},
	"ClusterRole":                    {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"},
	"ClusterRoleBinding":             {Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"},
	"CustomResourceDefinition":       {Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"},
	"IngressClass":                   {Group: "networking.k8s.io", Version: "v1", Resource: "ingressclasses"},
	"IngressClassParams":             {Group: "elbv2.k8s.aws", Version: "v1beta1", Resource: "ingressclassparams"},
	"MutatingWebhookConfiguration":   {Group: "admissionregistration.k8s.io", Version: "v1", Resource: "mutatingwebhookconfigurations"},
	"ValidatingWebhookConfiguration": {Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingwebhookconfigurations"},
}
