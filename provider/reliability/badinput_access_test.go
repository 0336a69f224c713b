package reliability_test

import "fmt"

// entry is an access_entries block with one entry "ci" of the given body.
func entry(body string) string {
	return fmt.Sprintf(`access_entries = {
    ci = { %s }
  }`, body)
}

const ciRole = `principal_arn = "arn:aws:iam::123456789012:role/ci"`

// accessCases: who may use the cluster, refused at plan like the rest.
var accessCases = []clusterCase{
	{name: "authentication mode not EKS's", extra: `authentication_mode = "OIDC"`,
		want: `authentication mode "OIDC" is not one of API, API_AND_CONFIG_MAP`, at: `Attribute authentication_mode: `},
	{name: "CONFIG_MAP (deprecated by EKS)", extra: `authentication_mode = "CONFIG_MAP"`,
		want: `CONFIG_MAP \(the aws-auth ConfigMap alone\) is deprecated by EKS`, at: `Attribute authentication_mode: `},
	{name: "access policy EKS does not have", extra: entry(ciRole + `, policies = [{ policy = "AmazonEKSRootPolicy" }]`),
		want: `Invalid access policy[\s\S]*"AmazonEKSRootPolicy" is not an EKS access policy`, at: `Attribute access_entries\["ci"\]\.policies`},
	{name: "principal not a user or role", extra: entry(`principal_arn = "arn:aws:iam::123456789012:group/devs"`),
		want: `is not an IAM user or role ARN`, at: `Attribute access_entries\["ci"\]\.principal_arn: `},
	{name: "principal a role session", extra: entry(`principal_arn = "arn:aws:sts::123456789012:assumed-role/ci/run-7"`),
		want: `is a role session: give the role's ARN`, at: `Attribute access_entries\["ci"\]\.principal_arn: `},
	{name: "system: Kubernetes group", extra: entry(ciRole + `, kubernetes_groups = ["system:masters"]`),
		want: `starts with system:, which EKS refuses`, at: `Attribute access_entries\["ci"\]\.kubernetes_groups`},
	{name: "same policy twice", extra: entry(ciRole + `, policies = [{ policy = "AmazonEKSViewPolicy", namespaces = ["a"] }, { policy = "AmazonEKSViewPolicy", namespaces = ["b"] }]`),
		want: `AmazonEKSViewPolicy is listed more than once`, at: `Attribute access_entries\["ci"\]\.policies`},
	{name: "node entry with a policy", extra: entry(ciRole + `, type = "EC2_LINUX", policies = [{ policy = "AmazonEKSViewPolicy" }]`),
		want: `type EC2_LINUX takes no kubernetes_groups and no policies`, at: `access_entries\["ci"\]\.type`},
	{name: "namespace not a name", extra: entry(ciRole + `, policies = [{ policy = "AmazonEKSViewPolicy", namespaces = ["TB_Demo"] }]`),
		want: `"TB_Demo" is not a Kubernetes namespace name`, at: `Attribute access_entries\["ci"\]\.policies`},
}

func init() { clusterCases = append(clusterCases, accessCases...) }
