package server

import (
	"net/url"
	"testing"
)

func TestPolicyEvaluation(t *testing.T) {
	doc := func(s string) policyDoc {
		t.Helper()
		d, err := parsePolicy(url.QueryEscape(s))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		return d
	}
	allowAll := doc(`{"Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`)
	one := doc(`{"Statement":{"Effect":"Allow","Action":["ec2:CreateVolume"],"Resource":"*"}}`)
	deny := doc(`{"Statement":[{"Effect":"Deny","Action":"ec2:Create*","Resource":"*"}]}`)
	for _, c := range []struct {
		docs []policyDoc
		want bool
	}{
		{[]policyDoc{allowAll}, true}, {[]policyDoc{one}, true}, {[]policyDoc{allowAll, deny}, false}, {nil, false},
		{[]policyDoc{doc(`{"Statement":[{"Effect":"Allow","Action":"ec2:AttachVolume"}]}`)}, false},
	} {
		if got := allows(c.docs, "ec2:CreateVolume"); got != c.want {
			t.Errorf("allows(%+v) = %v, want %v", c.docs, got, c.want)
		}
	}
	const key, sub = "oidc.eks.eu-west-1.amazonaws.com/id/AB:sub", "system:serviceaccount:kube-system:ebs-csi-controller-sa"
	for _, c := range []struct {
		cond map[string]map[string]any
		want bool
	}{
		{nil, true},
		{map[string]map[string]any{"StringEquals": {key: sub}}, true},
		{map[string]map[string]any{"StringEquals": {key: "system:serviceaccount:default:other"}}, false},
		{map[string]map[string]any{"StringLike": {key: "system:serviceaccount:kube-system:*"}}, true},
		{map[string]map[string]any{"StringEquals": {key: "system:serviceaccount:kube-system:*"}}, false},
	} {
		if got := subjectMatches(c.cond, key, sub); got != c.want {
			t.Errorf("subjectMatches(%v) = %v, want %v", c.cond, got, c.want)
		}
	}
}
