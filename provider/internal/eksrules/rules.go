// Package eksrules is the one place that knows the limits EKS puts on what a
// user may ask for: names, Kubernetes versions, Fargate profile selectors,
// node group scaling and networks. Each check returns a sentence saying what
// is wrong and what is allowed, or "" when the value is fine; plan-time
// validators, the fargate_manifest checks and the tests all use these.
package eksrules

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// Limits documented by EKS.
const (
	MaxClusterNameLen        = 100
	MaxNodegroupNameLen      = 63
	MaxFargateProfileNameLen = 100
	MaxSelectorsPerProfile   = 5
	MaxLabelsPerSelector     = 5
	// MaxProfilesPerCluster is EKS's quota of Fargate profiles per cluster
	// (Amazon EKS service quotas; not adjustable).
	MaxProfilesPerCluster = 10
	// MaxAddonNameLen bounds an add-on's name (EKS: 1-100 characters).
	MaxAddonNameLen = 100
	// ReservedProfilePrefix is kept by EKS for profiles it creates itself.
	ReservedProfilePrefix = "eks-"
	MinSubnets            = 2
	// A managed VPC is split into eight equal subnets (three public, three
	// private, two spare), so the VPC needs room for eight subnets of at
	// least /28, AWS's smallest. /24 gives /27 subnets: 27 usable addresses.
	MinVPCPrefix = 16
	MaxVPCPrefix = 24
	MaxTags      = 50
)

// SupportedVersions are the Kubernetes versions EKS offers (standard and
// extended support) as of November 2026.
var SupportedVersions = []string{"1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37"}

// CapacityTypes are the node group capacity types EKS accepts.
var CapacityTypes = []string{"ON_DEMAND", "SPOT", "CAPACITY_BLOCK"}

// The shared pattern of EKS cluster, node group and Fargate profile names.
var eksName = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9\-_]*$`)

func checkEKSName(kind, name string, maxLen int) string {
	switch {
	case name == "":
		return kind + " name must not be empty"
	case len(name) > maxLen:
		return fmt.Sprintf("%s name %q is %d characters long; EKS allows at most %d", kind, name, len(name), maxLen)
	case !eksName.MatchString(name):
		return fmt.Sprintf("%s name %q is invalid: it must start with a letter or digit and contain only letters, digits, hyphens and underscores", kind, name)
	}
	return ""
}

// ClusterName checks an EKS cluster name.
func ClusterName(name string) string { return checkEKSName("cluster", name, MaxClusterNameLen) }

// NodegroupName checks a managed node group name.
func NodegroupName(name string) string {
	return checkEKSName("node group", name, MaxNodegroupNameLen)
}

// FargateProfileName checks a Fargate profile name.
func FargateProfileName(name string) string {
	if msg := checkEKSName("Fargate profile", name, MaxFargateProfileNameLen); msg != "" {
		return msg
	}
	if strings.HasPrefix(strings.ToLower(name), ReservedProfilePrefix) {
		return fmt.Sprintf("Fargate profile name %q starts with %q, which EKS reserves for its own profiles; choose another name", name, ReservedProfilePrefix)
	}
	return ""
}

// versionPattern is a well-formed `<major>.<minor>` version, without leading zeros.
var versionPattern = regexp.MustCompile(`^[1-9][0-9]*\.(0|[1-9][0-9]*)$`)

// KubernetesVersion checks a Kubernetes version: malformed, older than EKS
// offers or missing from SupportedVersions is an error. A well-formed version
// newer than SupportedVersions passes here (EKS releases them faster than this
// provider): NewerKubernetesVersion words the warning for it.
func KubernetesVersion(v string) string {
	if slices.Contains(SupportedVersions, v) || NewerKubernetesVersion(v) != "" {
		return ""
	}
	return fmt.Sprintf("Kubernetes version %q is not offered by EKS; use one of %s", v, strings.Join(SupportedVersions, ", "))
}

// NewerKubernetesVersion returns a warning when v is well-formed and newer
// than the newest version this provider knows, or "" otherwise.
func NewerKubernetesVersion(v string) string {
	newest := SupportedVersions[len(SupportedVersions)-1]
	if !versionPattern.MatchString(v) {
		return ""
	}
	maj, min, _ := splitVersion(v)
	nMaj, nMin, _ := splitVersion(newest)
	if maj < nMaj || (maj == nMaj && min <= nMin) {
		return ""
	}
	return fmt.Sprintf("Kubernetes version %q is not known to this provider version (newest known: %s); EKS will refuse it if it does not support it", v, newest)
}

// VersionUpgrade checks an in-place version change: EKS upgrades one minor
// version at a time and never downgrades.
func VersionUpgrade(from, to string) string {
	if from == "" || from == to {
		return ""
	}
	fMaj, fMin, ok1 := splitVersion(from)
	tMaj, tMin, ok2 := splitVersion(to)
	if !ok1 || !ok2 {
		return ""
	}
	switch {
	case tMaj != fMaj || tMin < fMin:
		return fmt.Sprintf("cannot change the Kubernetes version from %s to %s: EKS does not downgrade a cluster", from, to)
	case tMin > fMin+1:
		return fmt.Sprintf("cannot upgrade from %s to %s in one step: EKS upgrades one minor version at a time (next: %d.%d)", from, to, fMaj, fMin+1)
	}
	return ""
}

func splitVersion(v string) (int, int, bool) {
	var maj, min int
	if _, err := fmt.Sscanf(v, "%d.%d", &maj, &min); err != nil {
		return 0, 0, false
	}
	return maj, min, true
}

// DNS-1123 label, with the Fargate selector wildcards `*` and `?` allowed.
var namespacePattern = regexp.MustCompile(`^[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?$`)

// SelectorNamespace checks a Fargate selector namespace (wildcards allowed).
func SelectorNamespace(ns string) string {
	switch {
	case ns == "":
		return "a Fargate profile selector needs a namespace"
	case len(ns) > 63:
		return fmt.Sprintf("namespace %q is longer than 63 characters", ns)
	case !namespacePattern.MatchString(ns):
		return fmt.Sprintf("namespace %q is not a valid Kubernetes namespace: lower-case letters, digits and '-', starting and ending with a letter or digit (wildcards * and ? allowed)", ns)
	}
	return ""
}

var (
	labelName   = regexp.MustCompile(`^[A-Za-z0-9*?]([-A-Za-z0-9_.*?]*[A-Za-z0-9*?])?$`)
	labelPrefix = regexp.MustCompile(`^[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?(\.[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?)*$`)
)

// LabelKey checks a Kubernetes label key (wildcards allowed, as in selectors).
func LabelKey(k string) string {
	name, prefix := k, ""
	if i := strings.LastIndex(k, "/"); i >= 0 {
		prefix, name = k[:i], k[i+1:]
		if prefix == "" || len(prefix) > 253 || !labelPrefix.MatchString(prefix) {
			return fmt.Sprintf("label key %q has an invalid prefix: it must be a DNS subdomain of at most 253 characters", k)
		}
	}
	if name == "" || len(name) > 63 || !labelName.MatchString(name) {
		return fmt.Sprintf("label key %q is invalid: the name part must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", k)
	}
	return ""
}

// LabelValue checks a Kubernetes label value (wildcards allowed).
func LabelValue(v string) string {
	if v == "" {
		return ""
	}
	if len(v) > 63 || !labelName.MatchString(v) {
		return fmt.Sprintf("label value %q is invalid: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", v)
	}
	return ""
}

// wildcards are the pattern characters of Fargate selectors.
const wildcards = "*?"

// NodeLabelKey checks the key of a node group's Kubernetes label: `*` and
// `?` are wildcards only in Fargate selectors, and EKS refuses them on nodes.
func NodeLabelKey(k string) string {
	if strings.ContainsAny(k, wildcards) {
		return fmt.Sprintf("node label key %q contains * or ?, which EKS refuses in node group labels (wildcards are only for Fargate profile selectors)", k)
	}
	return LabelKey(k)
}

// NodeLabelValue checks the value of a node group's Kubernetes label
// (no wildcards, as for keys).
func NodeLabelValue(v string) string {
	if strings.ContainsAny(v, wildcards) {
		return fmt.Sprintf("node label value %q contains * or ?, which EKS refuses in node group labels (wildcards are only for Fargate profile selectors)", v)
	}
	return LabelValue(v)
}

// Scaling checks a node group's scaling configuration.
func Scaling(desired, min, max int64) string {
	switch {
	case min < 0:
		return fmt.Sprintf("min_size is %d; it must be 0 or more", min)
	case max < 1:
		return fmt.Sprintf("max_size is %d; it must be at least 1", max)
	case min > max:
		return fmt.Sprintf("min_size (%d) is greater than max_size (%d)", min, max)
	case desired < min || desired > max:
		return fmt.Sprintf("desired_size %d is outside min_size..max_size (%d..%d)", desired, min, max)
	}
	return ""
}

// VPCCIDR checks the CIDR block of a VPC the provider creates.
func VPCCIDR(cidr string) string {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() {
		return fmt.Sprintf("%q is not an IPv4 CIDR block such as 192.168.0.0/16", cidr)
	}
	if p.Masked() != p {
		return fmt.Sprintf("%q has host bits set; did you mean %s?", cidr, p.Masked())
	}
	if p.Bits() < MinVPCPrefix || p.Bits() > MaxVPCPrefix {
		return fmt.Sprintf("%q has a /%d prefix; a VPC for EKS needs a prefix from /%d to /%d", cidr, p.Bits(), MinVPCPrefix, MaxVPCPrefix)
	}
	return ""
}

// IPv4CIDR checks any IPv4 CIDR block, e.g. an allowed source range.
func IPv4CIDR(cidr string) string {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() || p.Masked() != p {
		return fmt.Sprintf("%q is not an IPv4 CIDR block such as 203.0.113.0/24", cidr)
	}
	return ""
}

var roleARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)

// RoleARN checks the ARN of an IAM role.
func RoleARN(arn string) string {
	if !roleARNPattern.MatchString(arn) {
		return fmt.Sprintf("%q is not an IAM role ARN such as arn:aws:iam::123456789012:role/my-role", arn)
	}
	return ""
}

// TagKey checks an AWS tag key.
func TagKey(k string) string {
	switch {
	case k == "" || len(k) > 128:
		return fmt.Sprintf("tag key %q must be 1-128 characters long", k)
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return fmt.Sprintf("tag key %q starts with \"aws:\", which AWS reserves", k)
	}
	return ""
}

// ProfileCount checks how many Fargate profiles a cluster asks for.
func ProfileCount(n int) string {
	if n > MaxProfilesPerCluster {
		return fmt.Sprintf("%d Fargate profiles are configured; EKS allows at most %d per cluster: merge profiles (each takes up to %d selectors)",
			n, MaxProfilesPerCluster, MaxSelectorsPerProfile)
	}
	return ""
}

// TagValue checks an AWS tag value.
func TagValue(v string) string {
	if len(v) > 256 {
		return fmt.Sprintf("tag value %q is longer than 256 characters", v)
	}
	return ""
}

// AddonNamePattern is the shape of EKS add-on names: AWS's (vpc-cni,
// aws-ebs-csi-driver) and Marketplace ones (vendor_product).
const AddonNamePattern = `^[a-z0-9][a-z0-9_-]*$`
