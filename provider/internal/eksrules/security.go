package eksrules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// LogTypes are the control plane log types EKS can send to CloudWatch Logs
// (user guide "Send control plane logs to CloudWatch Logs").
var LogTypes = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}

// LogRetentionDays are the retention periods CloudWatch Logs accepts
// (PutRetentionPolicy); DefaultLogRetentionDays is the provider's default.
var LogRetentionDays = []int64{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// DefaultLogRetentionDays keeps control plane and Fargate logs for 90 days.
const DefaultLogRetentionDays = 90

// ClusterLogGroup is the log group EKS writes a cluster's control plane
// logs to; it is fixed by EKS.
func ClusterLogGroup(cluster string) string { return "/aws/eks/" + cluster + "/cluster" }

// FargateLogGroup is the default log group of Fargate pods' logs.
func FargateLogGroup(cluster string) string { return "/aws/eks/" + cluster + "/fargate" }

// SecretsKeyAlias is the alias of the KMS key the provider makes to encrypt
// a cluster's Kubernetes Secrets.
func SecretsKeyAlias(cluster string) string { return "alias/eks/" + cluster }

// KeyDeletionWindowDays is how long a key the provider made stays pending
// deletion after destroy (KMS allows 7-30 days); 7 is the shortest.
const KeyDeletionWindowDays = 7

// FargateLoggingActions are the CloudWatch Logs permissions Fargate's Fluent
// Bit needs on the pod execution role (user guide "Fargate logging").
var FargateLoggingActions = []string{"logs:CreateLogStream", "logs:CreateLogGroup", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:PutRetentionPolicy"}

// TaintEffects are the node group taint effects EKS accepts.
var TaintEffects = []string{"NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"}

// MaxTaintsPerNodegroup is EKS's limit of taints on a node group.
const MaxTaintsPerNodegroup = 50

// KubernetesTaintEffect is the Kubernetes spelling of an EKS taint effect.
func KubernetesTaintEffect(effect string) string {
	return map[string]string{"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}[effect]
}

var kmsKeyARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]{1,128}$`)

// KMSKeyARN checks the ARN of a KMS key (EKS takes a symmetric key's ARN,
// not an alias).
func KMSKeyARN(arn string) string {
	if !kmsKeyARNPattern.MatchString(arn) {
		return fmt.Sprintf("%q is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>); EKS needs the key's ARN, not an alias", arn)
	}
	return ""
}

// LogGroupName checks a CloudWatch Logs group name: 1-512 characters of
// letters, digits, '_', '-', '/', '.', '#'.
func LogGroupName(name string) string {
	if name == "" || len(name) > 512 || strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/.#") != "" {
		return fmt.Sprintf("%q is not a CloudWatch Logs group name: 1-512 letters, digits and _ - / . #", name)
	}
	return ""
}

// Retention checks a log retention period.
func Retention(days int64) string {
	if !slices.Contains(LogRetentionDays, days) {
		return fmt.Sprintf("%d is not a retention CloudWatch Logs offers; use one of %v", days, LogRetentionDays)
	}
	return ""
}
