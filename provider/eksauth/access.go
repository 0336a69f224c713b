package eksauth

import (
	"regexp"
	"slices"
	"strings"
)

// What EKS access entries are made of, shared by the provider's plan-time
// checks (provider/internal/eksrules) and localeks, which answers as EKS
// (https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html).

// Authentication modes of a cluster's accessConfig.
const (
	AuthModeAPI          = "API"
	AuthModeAPIConfigMap = "API_AND_CONFIG_MAP"
	AuthModeConfigMap    = "CONFIG_MAP"
)

// AuthModeRank orders the modes: EKS only moves a cluster up, towards access
// entries, never back.
var AuthModeRank = map[string]int{AuthModeConfigMap: 0, AuthModeAPIConfigMap: 1, AuthModeAPI: 2}

// AccessPolicies maps each access policy this project knows to the
// Kubernetes ClusterRole it matches
// (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html).
var AccessPolicies = map[string]string{
	"AmazonEKSClusterAdminPolicy": "cluster-admin",
	"AmazonEKSAdminPolicy":        "admin",
	"AmazonEKSEditPolicy":         "edit",
	"AmazonEKSViewPolicy":         "view",
}

// AccessPolicyARNPrefix starts the ARN of every EKS access policy.
const AccessPolicyARNPrefix = "arn:aws:eks::aws:cluster-access-policy/"

// AccessPolicyNames are the policy names, sorted.
func AccessPolicyNames() []string {
	names := make([]string, 0, len(AccessPolicies))
	for n := range AccessPolicies {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// AccessPolicyARN is the ARN of an access policy.
func AccessPolicyARN(name string) string { return AccessPolicyARNPrefix + name }

// AccessPolicyName is the name in an access policy ARN.
func AccessPolicyName(arn string) string { return strings.TrimPrefix(arn, AccessPolicyARNPrefix) }

// PrincipalPattern is the shape of an access entry's principal: an IAM user
// or role ARN (not a role session).
var PrincipalPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]{1,512}$`)

// AccessEntryTypes are the types of access entry; only STANDARD ones take
// access policies and Kubernetes groups (the others are for nodes).
var AccessEntryTypes = []string{"STANDARD", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX"}

// NamespacePattern is a namespace of an access scope: a DNS label, or a
// prefix ending in * (EKS's wildcard).
var NamespacePattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$|^[a-z0-9][-a-z0-9]*\*$`)
