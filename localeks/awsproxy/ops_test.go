package awsproxy

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func req(method, path, service, body string) *http.Request {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/eu-west-1/"+service+"/aws4_request, SignedHeaders=host, Signature=x")
	if body != "" && service != "eks" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r
}

func TestClassify(t *testing.T) {
	cases := []struct {
		r                     *http.Request
		service, op, cl, name string
	}{
		{req("POST", "/clusters", "eks", `{"name":"x"}`), "eks", "CreateCluster", "", ""},
		{req("GET", "/clusters/terrax-fargate", "eks", ""), "eks", "DescribeCluster", "terrax-fargate", ""},
		{req("POST", "/clusters/c/fargate-profiles", "eks", "{}"), "eks", "CreateFargateProfile", "c", ""},
		{req("DELETE", "/clusters/c/fargate-profiles/fp-default", "eks", ""), "eks", "DeleteFargateProfile", "c", "fp-default"},
		{req("POST", "/clusters/c/node-groups/ng/update-config", "eks", "{}"), "eks", "UpdateNodegroupConfig", "c", "ng"},
		{req("GET", "/clusters/c/addons/coredns", "eks", ""), "eks", "DescribeAddon", "c", "coredns"},
		{req("GET", "/addons/supported-versions?kubernetesVersion=1.35&addonName=coredns", "eks", ""), "eks", "DescribeAddonVersions", "", ""},
		{req("POST", "/clusters/c/addons/coredns/update", "eks", "{}"), "eks", "UpdateAddon", "c", "coredns"},
		{req("POST", "/clusters/c/pod-identity-associations", "eks", "{}"), "eks", "CreatePodIdentityAssociation", "c", ""},
		{req("GET", "/clusters/c/pod-identity-associations?namespace=kube-system", "eks", ""), "eks", "ListPodIdentityAssociations", "c", ""},
		{req("GET", "/clusters/c/pod-identity-associations/a-0123456789abcdefg", "eks", ""), "eks", "DescribePodIdentityAssociation", "c", "a-0123456789abcdefg"},
		{req("POST", "/clusters/c/pod-identity-associations/a-0123456789abcdefg", "eks", "{}"), "eks", "UpdatePodIdentityAssociation", "c", "a-0123456789abcdefg"},
		{req("DELETE", "/clusters/c/pod-identity-associations/a-0123456789abcdefg", "eks", ""), "eks", "DeletePodIdentityAssociation", "c", "a-0123456789abcdefg"},
		{req("POST", "/tags/arn%3Aaws%3Aeks%3Aeu-west-1%3A1%3Acluster%2Fc", "eks", "{}"), "eks", "TagResource", "", ""},
		{req("POST", "/", "iam", "Action=CreateRole&Version=2010-05-08"), "iam", "CreateRole", "", ""},
		{req("POST", "/", "ec2", "Action=DescribeVpcs&Version=2016-11-15"), "ec2", "DescribeVpcs", "", ""},
		{req("GET", "/?Action=GetCallerIdentity", "sts", ""), "sts", "GetCallerIdentity", "", ""},
	}
	for _, c := range cases {
		got := Classify(c.r)
		if got.Service != c.service || got.Op != c.op || got.Cluster != c.cl || got.Name != c.name || got.AccessKey != "AKIDEXAMPLE" {
			t.Errorf("%s %s: got %+v", c.r.Method, c.r.URL, got)
		}
	}
}
