package validate

import (
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
)

// AuthenticationMode validates a cluster's authentication mode.
func AuthenticationMode() validator.String {
	return rule{"Invalid authentication mode", "API or API_AND_CONFIG_MAP", eksrules.AuthenticationMode}
}

// PrincipalARN validates the principal of an access entry.
func PrincipalARN() validator.String {
	return rule{"Invalid access entry principal", "an IAM user or role ARN", eksrules.PrincipalARN}
}

// AccessEntryType validates the type of an access entry.
func AccessEntryType() validator.String {
	return rule{"Invalid access entry type", "an EKS access entry type", eksrules.AccessEntryType}
}

// KubernetesGroup validates a Kubernetes group of an access entry.
func KubernetesGroup() validator.String {
	return rule{"Invalid Kubernetes group", "a Kubernetes group not starting with system:", eksrules.KubernetesGroup}
}

// AccessPolicy validates the name of an EKS access policy.
func AccessPolicy() validator.String {
	return rule{"Invalid access policy", "an EKS access policy name", eksrules.AccessPolicy}
}

// AccessNamespace validates a namespace of an access policy's scope.
func AccessNamespace() validator.String {
	return rule{"Invalid namespace", "a Kubernetes namespace name, or a prefix ending in *", eksrules.AccessNamespace}
}
