// Package awsproxy is localeks' AWS endpoint: it names each call's
// operation, counts it, shapes it (latency, throttling, faults), answers
// the EKS add-on and Pod Identity APIs itself and forwards everything else to moto, letting
// the cluster registry rewrite EKS answers (endpoint, CA, transitional
// statuses).
package awsproxy

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Call is one AWS request, as far as localeks cares.
type Call struct {
	Service string // eks, iam, ec2, sts, s3...
	Op      string // e.g. CreateFargateProfile
	Cluster string // EKS: the cluster in the path
	Name    string // EKS: node group, profile, add-on or Pod Identity association in the path
	// AccessKey is the caller's access key ID, from its signature.
	AccessKey string
	Body      []byte
}

var credential = regexp.MustCompile(`Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/aws4_request`)

// eksRoutes maps method + path shape to EKS operation names.
var eksRoutes = []struct {
	method, pattern, op string
}{
	{"POST", "/clusters", "CreateCluster"},
	{"GET", "/clusters", "ListClusters"},
	{"GET", "/clusters/*", "DescribeCluster"},
	{"DELETE", "/clusters/*", "DeleteCluster"},
	{"POST", "/clusters/*/update-config", "UpdateClusterConfig"},
	{"POST", "/clusters/*/encryption-config/associate", "AssociateEncryptionConfig"},
	{"POST", "/clusters/*/updates", "UpdateClusterVersion"},
	{"GET", "/clusters/*/updates", "ListUpdates"},
	{"GET", "/clusters/*/updates/*", "DescribeUpdate"},
	{"POST", "/clusters/*/node-groups", "CreateNodegroup"},
	{"GET", "/clusters/*/node-groups", "ListNodegroups"},
	{"GET", "/clusters/*/node-groups/*", "DescribeNodegroup"},
	{"DELETE", "/clusters/*/node-groups/*", "DeleteNodegroup"},
	{"POST", "/clusters/*/node-groups/*/update-config", "UpdateNodegroupConfig"},
	{"POST", "/clusters/*/node-groups/*/update-version", "UpdateNodegroupVersion"},
	{"POST", "/clusters/*/fargate-profiles", "CreateFargateProfile"},
	{"GET", "/clusters/*/fargate-profiles", "ListFargateProfiles"},
	{"GET", "/clusters/*/fargate-profiles/*", "DescribeFargateProfile"},
	{"DELETE", "/clusters/*/fargate-profiles/*", "DeleteFargateProfile"},
	{"POST", "/clusters/*/addons", "CreateAddon"},
	{"GET", "/clusters/*/addons", "ListAddons"},
	{"GET", "/clusters/*/addons/*", "DescribeAddon"},
	{"DELETE", "/clusters/*/addons/*", "DeleteAddon"},
	{"POST", "/clusters/*/addons/*/update", "UpdateAddon"},
	{"GET", "/addons/supported-versions", "DescribeAddonVersions"},
	{"POST", "/clusters/*/pod-identity-associations", "CreatePodIdentityAssociation"},
	{"GET", "/clusters/*/pod-identity-associations", "ListPodIdentityAssociations"},
	{"GET", "/clusters/*/pod-identity-associations/*", "DescribePodIdentityAssociation"},
	{"POST", "/clusters/*/pod-identity-associations/*", "UpdatePodIdentityAssociation"},
	{"DELETE", "/clusters/*/pod-identity-associations/*", "DeletePodIdentityAssociation"},
	{"POST", "/clusters/*/access-entries", "CreateAccessEntry"},
	{"GET", "/clusters/*/access-entries", "ListAccessEntries"},
	{"GET", "/clusters/*/access-entries/*", "DescribeAccessEntry"},
	{"POST", "/clusters/*/access-entries/*", "UpdateAccessEntry"},
	{"DELETE", "/clusters/*/access-entries/*", "DeleteAccessEntry"},
	{"POST", "/clusters/*/access-entries/*/access-policies", "AssociateAccessPolicy"},
	{"GET", "/clusters/*/access-entries/*/access-policies", "ListAssociatedAccessPolicies"},
	{"DELETE", "/clusters/*/access-entries/*/access-policies/*", "DisassociateAccessPolicy"},
	{"GET", "/access-policies", "ListAccessPolicies"},
	{"POST", "/tags/*", "TagResource"},
	{"DELETE", "/tags/*", "UntagResource"},
	{"GET", "/tags/*", "ListTagsForResource"},
}

// Classify names the call. It reads (and restores) the body of query-protocol calls.
func Classify(r *http.Request) Call {
	var c Call
	if m := credential.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		c.AccessKey, c.Service = m[1], m[3]
	}
	if r.Body != nil {
		c.Body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(c.Body))
	}
	switch {
	case c.Service == "eks":
		path := r.URL.EscapedPath()
		if strings.HasPrefix(path, "/tags/") {
			path = "/tags/x"
		}
		parts := strings.Split(strings.Trim(path, "/"), "/")
		for _, rt := range eksRoutes {
			pp := strings.Split(strings.Trim(rt.pattern, "/"), "/")
			if rt.method != r.Method || len(pp) != len(parts) {
				continue
			}
			ok := true
			for i := range pp {
				if pp[i] != "*" && pp[i] != parts[i] {
					ok = false
					break
				}
			}
			if ok {
				c.Op = rt.op
				if len(parts) > 1 && parts[0] == "clusters" {
					c.Cluster, _ = url.PathUnescape(parts[1])
				}
				if len(parts) > 3 && parts[0] == "clusters" {
					c.Name, _ = url.PathUnescape(parts[3])
				}
				return c
			}
		}
		c.Op = r.Method + " " + r.URL.Path
	case r.Header.Get("X-Amz-Target") != "":
		t := r.Header.Get("X-Amz-Target")
		c.Op = t[strings.LastIndex(t, ".")+1:]
	default:
		if a := r.URL.Query().Get("Action"); a != "" {
			c.Op = a
		} else if v, err := url.ParseQuery(string(c.Body)); err == nil && v.Get("Action") != "" {
			c.Op = v.Get("Action")
		} else {
			c.Op = r.Method
		}
	}
	if c.Service == "" {
		c.Service = "unknown"
	}
	return c
}
