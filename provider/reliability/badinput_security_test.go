package reliability_test

// Bad security settings of fargate_cluster, refused at plan like the rest.

func init() { clusterCases = append(clusterCases, securityCases...) }

const ngWith = `"node-group" = { instance_types = ["t2.medium"], desired_size = 1, min_size = 1, max_size = 2, `

var securityCases = []clusterCase{
	{name: "unknown control plane log type", extra: `enabled_log_types = ["api", "kubelet"]`,
		want: `value must be one of: \["api" "audit" "authenticator" "controllerManager" "scheduler"\], got: "kubelet"`, at: `Attribute enabled_log_types\[Value\("kubelet"\)\]`},
	{name: "log retention CloudWatch does not offer", extra: `log_retention_days = 10`,
		want: `10 is not a retention CloudWatch Logs offers`, at: `Attribute log_retention_days`},
	{name: "KMS alias instead of a key ARN", extra: `secrets_encryption_key_arn = "alias/eks/mine"`,
		want: `is not a KMS key ARN`, at: `Attribute secrets_encryption_key_arn`},
	{name: "a key to bring and a key to make", extra: "secrets_encryption = true\nsecrets_encryption_key_arn = \"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\"",
		want: `Two Secrets encryption keys`, at: `secrets_encryption_key_arn = "arn:aws:kms`},
	{name: "Fargate log retention CloudWatch does not offer", extra: `fargate_logging = { retention_days = 2 }`,
		want: `2 is not a retention CloudWatch Logs offers`, at: `Attribute fargate_logging.retention_days`},
	{name: "Fargate log group name with spaces", extra: `fargate_logging = { log_group = "my logs" }`,
		want: `is not a CloudWatch Logs group name`, at: `Attribute fargate_logging.log_group`},
	{name: "taint effect in Kubernetes spelling", nodeGroup: ngWith + `taints = [{ key = "gpu", effect = "NoSchedule" }] }`,
		want: `value must be one of: \["NO_SCHEDULE" "NO_EXECUTE" "PREFER_NO_SCHEDULE"\], got: "NoSchedule"`, at: `Attribute node_groups\["node-group"\]\.taints\[0\]\.effect`},
	{name: "invalid taint key", nodeGroup: ngWith + `taints = [{ key = "bad key!", effect = "NO_SCHEDULE" }] }`,
		want: `Invalid taint key`, at: `Attribute node_groups\["node-group"\]\.taints\[0\]\.key`},
	{name: "update config with both limits", nodeGroup: ngWith + `update_config = { max_unavailable = 1, max_unavailable_percentage = 50 } }`,
		want: `max_unavailable and max_unavailable_percentage are all set`, at: `Attribute node_groups\["node-group"\]\.update_config`},
	{name: "update config of no node", nodeGroup: ngWith + `update_config = { max_unavailable = 0 } }`,
		want: `value must be between 1 and 100, got: 0`, at: `Attribute node_groups\["node-group"\]\.update_config\.max_unavailable`},
}
