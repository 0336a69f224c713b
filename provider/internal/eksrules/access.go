package eksrules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

// AuthenticationModes are the modes a configuration may ask for: EKS
// deprecates CONFIG_MAP (the aws-auth ConfigMap alone)
// (https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html).
var AuthenticationModes = []string{eksauth.AuthModeAPI, eksauth.AuthModeAPIConfigMap}

// AuthenticationMode checks a configured authentication mode.
func AuthenticationMode(m string) string {
	switch {
	case m == eksauth.AuthModeConfigMap:
		return "authentication mode CONFIG_MAP (the aws-auth ConfigMap alone) is deprecated by EKS and cannot use access entries: use API, or API_AND_CONFIG_MAP while migrating from aws-auth"
	case !slices.Contains(AuthenticationModes, m):
		return fmt.Sprintf("authentication mode %q is not one of %s", m, strings.Join(AuthenticationModes, ", "))
	}
	return ""
}

// AuthenticationModeChange checks a change of mode on an existing cluster:
// EKS only moves towards access entries (CONFIG_MAP -> API_AND_CONFIG_MAP ->
// API), never back.
func AuthenticationModeChange(from, to string) string {
	f, okf := eksauth.AuthModeRank[from]
	t, okt := eksauth.AuthModeRank[to]
	if okf && okt && t < f {
		return fmt.Sprintf("EKS cannot change a cluster's authentication mode from %s back to %s (access entries, once enabled, stay): replace the cluster to go back", from, to)
	}
	return ""
}

// AccessPolicy checks an access policy name.
func AccessPolicy(name string) string {
	if _, ok := eksauth.AccessPolicies[name]; !ok {
		return fmt.Sprintf("%q is not an EKS access policy this provider supports: use one of %s", name, strings.Join(eksauth.AccessPolicyNames(), ", "))
	}
	return ""
}

// PrincipalARN checks an access entry's principal: an IAM user or role ARN.
func PrincipalARN(arn string) string {
	if strings.Contains(arn, ":assumed-role/") {
		return fmt.Sprintf("%q is a role session: give the role's ARN (arn:aws:iam::<account>:role/<role>), which every session of the role uses", arn)
	}
	if !eksauth.PrincipalPattern.MatchString(arn) {
		return fmt.Sprintf("%q is not an IAM user or role ARN such as arn:aws:iam::123456789012:role/ci", arn)
	}
	return ""
}

// AccessEntryType checks an access entry type.
func AccessEntryType(t string) string {
	if !slices.Contains(eksauth.AccessEntryTypes, t) {
		return fmt.Sprintf("access entry type %q is not one of %s", t, strings.Join(eksauth.AccessEntryTypes, ", "))
	}
	return ""
}

// AccessEntryShape checks what an entry of a type may carry.
func AccessEntryShape(typ string, groups, policies int) string {
	if typ != "STANDARD" && (groups > 0 || policies > 0) {
		return fmt.Sprintf("an access entry of type %s takes no kubernetes_groups and no policies (EKS gives its nodes their rights): use type STANDARD", typ)
	}
	return ""
}

// KubernetesGroup checks a group name of an access entry: EKS refuses the
// system: groups (system:masters would bypass access policies).
func KubernetesGroup(g string) string {
	if g == "" || strings.HasPrefix(g, "system:") {
		return fmt.Sprintf("Kubernetes group %q is empty or starts with system:, which EKS refuses in access entries: bind your own group with RBAC, or use an access policy", g)
	}
	return ""
}

// AccessNamespace checks a namespace of a namespace-scoped policy.
func AccessNamespace(ns string) string {
	if len(ns) > 63 || !eksauth.NamespacePattern.MatchString(ns) {
		return fmt.Sprintf("%q is not a Kubernetes namespace name (lowercase letters, digits and -, at most 63 characters; a trailing * matches a prefix)", ns)
	}
	return ""
}
