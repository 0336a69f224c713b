package server

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// kubernetesVersions are the versions localeks offers add-ons for: the
// provider's eksrules.SupportedVersions (an internal package localeks
// cannot import; keep the two lists equal).
var kubernetesVersions = []string{"1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37"}

// controlPlaneVersion is the Kubernetes localeks' control planes really run.
// A cluster whose version localeks does not know (moto makes clusters
// created without a version 1.19, which EKS never would) gets its add-ons.
const controlPlaneVersion = "1.37"

// defaultKubernetesVersion is the version EKS makes a cluster with when
// CreateCluster names none ("the default version available in Amazon EKS is
// used", CreateCluster, EKS API reference). moto would report 1.19, which EKS
// has not offered for years and for which no add-on version exists.
const defaultKubernetesVersion = "1.35"

// addonRelease is one version of an add-on: the Kubernetes versions it is
// compatible with and those for which it is EKS's default.
type addonRelease struct {
	version            string
	clusters, defaults []string
}

// addonKind is an add-on EKS offers, its releases newest first as EKS lists them.
type addonKind struct {
	name, kind string // kind: EKS's add-on type
	// iam: its controller needs AWS permissions (requiresIamPermissions).
	iam      bool
	releases []addonRelease
}

// versions spans Kubernetes versions from..to (inclusive).
func versions(from, to string) []string {
	i, j := slices.Index(kubernetesVersions, from), slices.Index(kubernetesVersions, to)
	return slices.Clone(kubernetesVersions[i : j+1])
}

// kubeProxyReleases: kube-proxy follows the cluster's minor version, two
// builds per minor (the older one the default, as EKS picks it).
func kubeProxyReleases() []addonRelease {
	builds := map[string][2]string{
		"1.31": {"v1.31.10-eksbuild.8", "v1.31.14-eksbuild.2"},
		"1.32": {"v1.32.6-eksbuild.8", "v1.32.10-eksbuild.2"},
		"1.33": {"v1.33.3-eksbuild.6", "v1.33.6-eksbuild.2"},
		"1.34": {"v1.34.1-eksbuild.2", "v1.34.3-eksbuild.1"},
		"1.35": {"v1.35.0-eksbuild.2", "v1.35.2-eksbuild.1"},
		"1.36": {"v1.36.1-eksbuild.1", "v1.36.3-eksbuild.1"},
		"1.37": {"v1.37.2-eksbuild.1", "v1.37.4-eksbuild.1"},
	}
	var out []addonRelease
	for i := len(kubernetesVersions) - 1; i >= 0; i-- {
		v := kubernetesVersions[i]
		out = append(out, addonRelease{builds[v][1], []string{v}, nil}, addonRelease{builds[v][0], []string{v}, []string{v}})
	}
	return out
}

// addonCatalog is what DescribeAddonVersions answers, sorted by name.
var addonCatalog = []addonKind{
	{name: "aws-ebs-csi-driver", kind: "storage", iam: true, releases: []addonRelease{
		{"v1.51.1-eksbuild.1", versions("1.32", "1.37"), nil},
		{"v1.48.0-eksbuild.1", versions("1.31", "1.37"), versions("1.34", "1.37")},
		{"v1.44.0-eksbuild.1", versions("1.31", "1.35"), versions("1.31", "1.33")},
	}},
	{name: "coredns", kind: "networking", releases: []addonRelease{
		{"v1.12.4-eksbuild.1", versions("1.34", "1.37"), nil},
		{"v1.12.1-eksbuild.2", versions("1.33", "1.37"), versions("1.34", "1.37")},
		{"v1.11.4-eksbuild.14", versions("1.31", "1.34"), []string{"1.33"}},
		{"v1.11.3-eksbuild.1", versions("1.31", "1.32"), versions("1.31", "1.32")},
	}},
	{name: "eks-pod-identity-agent", kind: "security", releases: []addonRelease{
		{"v1.3.8-eksbuild.2", versions("1.31", "1.37"), versions("1.34", "1.37")},
		{"v1.3.4-eksbuild.1", versions("1.31", "1.34"), versions("1.31", "1.33")},
	}},
	{name: "kube-proxy", kind: "networking", releases: kubeProxyReleases()},
	{name: "vpc-cni", kind: "networking", iam: true, releases: []addonRelease{
		{"v1.20.4-eksbuild.2", versions("1.31", "1.37"), nil},
		{"v1.20.0-eksbuild.1", versions("1.31", "1.37"), versions("1.34", "1.37")},
		{"v1.19.2-eksbuild.1", versions("1.31", "1.35"), versions("1.31", "1.33")},
	}},
}

func findAddonKind(name string) *addonKind {
	for i := range addonCatalog {
		if addonCatalog[i].name == name {
			return &addonCatalog[i]
		}
	}
	return nil
}

// errAddonVersion is EKS's answer to a version not offered for the cluster's Kubernetes.
var errAddonVersion = errors.New("Addon version specified is not supported")

// addonVersionFor resolves the version an add-on gets on a cluster of
// Kubernetes clusterVersion: the requested one if it is compatible, EKS's
// default for that Kubernetes version when none is requested.
func addonVersionFor(k *addonKind, clusterVersion, requested string) (string, error) {
	if !slices.Contains(kubernetesVersions, clusterVersion) {
		clusterVersion = controlPlaneVersion
	}
	for _, r := range k.releases {
		switch {
		case requested == "" && slices.Contains(r.defaults, clusterVersion):
			return r.version, nil
		case requested != "" && r.version == requested && slices.Contains(r.clusters, clusterVersion):
			return r.version, nil
		}
	}
	return "", errAddonVersion
}

// describeAddonVersions answers DescribeAddonVersions: the add-ons and
// versions the filters select, compatibilities limited to the requested
// Kubernetes version, paginated by add-on as EKS does.
func (s *Server) describeAddonVersions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kv := q.Get("kubernetesVersion")
	in := func(key, v string) bool { return len(q[key]) == 0 || slices.Contains(q[key], v) }
	var out []map[string]any
	for _, k := range addonCatalog {
		if !in("addonName", k.name) || !in("types", k.kind) || !in("owners", "aws") || !in("publishers", "eks") {
			continue
		}
		var vs []map[string]any
		for _, rel := range k.releases {
			var compat []map[string]any
			for _, cv := range rel.clusters {
				if kv == "" || kv == cv {
					compat = append(compat, map[string]any{"clusterVersion": cv, "platformVersions": []string{"*"}, "defaultVersion": slices.Contains(rel.defaults, cv)})
				}
			}
			if len(compat) > 0 {
				vs = append(vs, map[string]any{"addonVersion": rel.version, "architecture": []string{"amd64", "arm64"},
					"compatibilities": compat, "requiresConfiguration": false, "requiresIamPermissions": k.iam})
			}
		}
		if len(vs) > 0 {
			out = append(out, map[string]any{"addonName": k.name, "type": k.kind, "owner": "aws", "publisher": "eks",
				"defaultNamespace": "kube-system", "addonVersions": vs})
		}
	}
	page, next, err := paginate(q, len(out))
	if err != nil {
		eksError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
		return
	}
	resp := map[string]any{"addons": out[page[0]:page[1]]}
	if next != "" {
		resp["nextToken"] = next
	}
	writeJSON(w, http.StatusOK, resp)
}

// paginate reads maxResults (1-100, default 100) and nextToken and returns
// the page's bounds in a list of n items and the token of the next page.
func paginate(q url.Values, n int) (page [2]int, next string, err error) {
	limit := 100
	if m := q.Get("maxResults"); m != "" {
		if limit, err = strconv.Atoi(m); err != nil || limit < 1 || limit > 100 {
			return page, "", fmt.Errorf("maxResults must be between 1 and 100, got %q", m)
		}
	}
	start := 0
	if t := q.Get("nextToken"); t != "" {
		b, derr := base64.RawURLEncoding.DecodeString(t)
		if start, err = strconv.Atoi(string(b)); derr != nil || err != nil || start < 0 || start > n {
			return page, "", fmt.Errorf("the nextToken %q is not valid; pass the nextToken of the previous page", t)
		}
	}
	end := min(start+limit, n)
	if end < n {
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	}
	return [2]int{start, end}, next, nil
}
