package eksrules

import (
	"strings"
	"testing"
)

// check runs a rule over inputs; want is "" for valid or a fragment of the message.
func check(t *testing.T, rule func(string) string, cases map[string]string) {
	t.Helper()
	for in, want := range cases {
		got := rule(in)
		if want == "" && got != "" {
			t.Errorf("%q: unexpected error %q", in, got)
		}
		if want != "" && !strings.Contains(got, want) {
			t.Errorf("%q: error %q does not contain %q", in, got, want)
		}
	}
}

func TestNames(t *testing.T) {
	check(t, ClusterName, map[string]string{
		"terrax-fargate":         "",
		"A_1":                    "",
		"":                       "must not be empty",
		"-x":                     "must start with a letter or digit",
		"has space":              "invalid",
		strings.Repeat("a", 101): "at most 100",
		strings.Repeat("a", 100): "",
	})
	check(t, NodegroupName, map[string]string{
		"node-group":            "",
		strings.Repeat("n", 64): "at most 63",
		"ng.1":                  "invalid",
	})
	check(t, FargateProfileName, map[string]string{
		"fp-default":  "",
		"eks-default": "reserves",
		"EKS-x":       "reserves",
		"eksdefault":  "",
		"fp default":  "invalid",
	})
}

func TestKubernetesVersion(t *testing.T) {
	check(t, KubernetesVersion, map[string]string{"1.35": "", "1.15": "not offered by EKS", "latest": "not offered"})
	// Newer than the provider knows: no error, a warning instead.
	check(t, KubernetesVersion, map[string]string{"1.38": "", "1.40": "", "2.0": "",
		"1.30": "not offered", "0.99": "not offered", "1.040": "not offered", "1.": "not offered", "1.38.1": "not offered", "v1.38": "not offered"})
	newest := SupportedVersions[len(SupportedVersions)-1]
	check(t, NewerKubernetesVersion, map[string]string{
		"1.38": "not known to this provider version", "1.40": "EKS will refuse it if it does not support it", "2.0": "not known",
		newest: "", "1.35": "", "1.15": "", "latest": "", "1.040": "", "1.38.1": "",
	})
	cases := map[[2]string]string{
		{"1.34", "1.35"}: "",
		{"1.35", "1.35"}: "",
		{"", "1.35"}:     "",
		{"1.35", "1.34"}: "does not downgrade",
		{"1.33", "1.35"}: "one minor version at a time (next: 1.34)",
	}
	for in, want := range cases {
		got := VersionUpgrade(in[0], in[1])
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("VersionUpgrade(%s,%s) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func TestSelectors(t *testing.T) {
	check(t, SelectorNamespace, map[string]string{
		"tb-demo": "", "kube-system": "", "team-*": "", "t?": "",
		"":                      "needs a namespace",
		"TB":                    "not a valid Kubernetes namespace",
		"-x":                    "not a valid",
		strings.Repeat("n", 64): "longer than 63",
	})
	check(t, LabelKey, map[string]string{
		"app": "", "eks.amazonaws.com/fargate-profile": "", "app.kubernetes.io/name": "", "role*": "",
		"":                      "invalid",
		"/x":                    "invalid prefix",
		"a/b/c":                 "invalid prefix",
		"-app":                  "invalid",
		strings.Repeat("k", 64): "invalid",
	})
	check(t, LabelValue, map[string]string{"service": "", "": "", "web-*": "", "bad value": "invalid", strings.Repeat("v", 64): "invalid"})
}

// Node group labels are plain Kubernetes labels: EKS refuses the selector
// wildcards on nodes.
func TestNodeLabels(t *testing.T) {
	check(t, NodeLabelKey, map[string]string{
		"app": "", "app.kubernetes.io/name": "",
		"role*": "contains * or ?", "r?le": "contains * or ?", "team*.io/x": "contains * or ?",
		"-app": "invalid", "": "invalid",
	})
	check(t, NodeLabelValue, map[string]string{
		"service": "", "": "",
		"web-*": "contains * or ?", "?": "contains * or ?",
		"bad value": "invalid",
	})
}

func TestScaling(t *testing.T) {
	cases := []struct {
		d, min, max int64
		want        string
	}{
		{1, 1, 2, ""}, {0, 0, 1, ""}, {2, 2, 2, ""},
		{3, 1, 2, "desired_size 3 is outside"},
		{0, 1, 2, "outside"},
		{1, -1, 2, "min_size is -1"},
		{0, 0, 0, "max_size is 0"},
		{2, 3, 2, "greater than max_size"},
	}
	for _, c := range cases {
		got := Scaling(c.d, c.min, c.max)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("Scaling(%d,%d,%d) = %q, want %q", c.d, c.min, c.max, got, c.want)
		}
	}
}

func TestVPCCIDR(t *testing.T) {
	check(t, VPCCIDR, map[string]string{
		"192.168.0.0/16": "", "10.0.0.0/24": "",
		"192.168.0.0":  "not an IPv4 CIDR",
		"300.1.0.0/16": "not an IPv4 CIDR",
		"fd00::/56":    "not an IPv4 CIDR",
		"10.0.0.1/16":  "host bits set; did you mean 10.0.0.0/16",
		"10.0.0.0/8":   "needs a prefix from /16 to /24",
		"10.0.0.0/25":  "needs a prefix",
	})
}

func TestTags(t *testing.T) {
	check(t, TagKey, map[string]string{"team": "", "": "1-128", "aws:x": "reserves", strings.Repeat("k", 129): "1-128"})
	check(t, TagValue, map[string]string{"brewers": "", strings.Repeat("v", 257): "longer than 256"})
}

func TestARNsAndCIDRs(t *testing.T) {
	check(t, RoleARN, map[string]string{
		"arn:aws:iam::123456789012:role/eks":       "",
		"arn:aws-cn:iam::123456789012:role/path/x": "",
		"arn:aws:iam::123456789012:user/eks":       "not an IAM role ARN",
		"role/eks":                                 "not an IAM role ARN",
	})
	check(t, IPv4CIDR, map[string]string{"0.0.0.0/0": "", "203.0.113.0/24": "", "203.0.113.1/24": "not an IPv4", "x": "not an IPv4"})
}

// FuzzNames checks the name rules against a plain statement of EKS's:
// 1 to max characters, the first a letter or digit, the rest letters,
// digits, hyphens or underscores; Fargate profiles may not start with eks-.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"terrax-fargate", "fp-default", "eks-x", "-x", "a_b", "", "ünïcode", strings.Repeat("a", 101)} {
		f.Add(s)
	}
	valid := func(s string, max int) bool {
		if len(s) == 0 || len(s) > max {
			return false
		}
		for i, r := range []byte(s) {
			alnum := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
			if !alnum && (i == 0 || (r != '-' && r != '_')) {
				return false
			}
		}
		return true
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := ClusterName(name) == "", valid(name, MaxClusterNameLen); got != want {
			t.Fatalf("ClusterName(%q) accepts=%v, want %v", name, got, want)
		}
		if got, want := NodegroupName(name) == "", valid(name, MaxNodegroupNameLen); got != want {
			t.Fatalf("NodegroupName(%q) accepts=%v, want %v", name, got, want)
		}
		want := valid(name, MaxFargateProfileNameLen) && !strings.HasPrefix(strings.ToLower(name), "eks-")
		if got := FargateProfileName(name) == ""; got != want {
			t.Fatalf("FargateProfileName(%q) accepts=%v, want %v", name, got, want)
		}
		if msg := ClusterName(name); msg != "" && !strings.Contains(msg, "cluster name") {
			t.Fatalf("ClusterName(%q) says %q, which does not name what is wrong", name, msg)
		}
	})
}

func TestProfileCount(t *testing.T) {
	if msg := ProfileCount(MaxProfilesPerCluster); msg != "" {
		t.Errorf("%d profiles refused: %s", MaxProfilesPerCluster, msg)
	}
	if msg := ProfileCount(11); !strings.Contains(msg, "11 Fargate profiles") || !strings.Contains(msg, "at most 10 per cluster") {
		t.Errorf("11 profiles: %q", msg)
	}
}
