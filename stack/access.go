package stack

// AccessEntry lets an IAM user or role use the cluster's Kubernetes API.
type AccessEntry struct {
	PrincipalArn     string         `tf:"principal_arn"`
	Type             string         `tf:"type,omitempty"`
	KubernetesGroups []string       `tf:"kubernetes_groups,omitempty"`
	Policies         []AccessPolicy `tf:"policies,omitempty"`
}

// AccessPolicy is an EKS access policy (AmazonEKSViewPolicy ...) at cluster
// scope (no Namespaces) or in some namespaces.
type AccessPolicy struct {
	Policy     string   `tf:"policy"`
	Namespaces []string `tf:"namespaces,omitempty"`
}
