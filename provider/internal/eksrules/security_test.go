package eksrules

import (
	"strings"
	"testing"
)

func TestSecurityRules(t *testing.T) {
	for _, c := range []struct {
		what, got, want string
	}{
		{"key ARN", KMSKeyARN("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"), ""},
		{"alias", KMSKeyARN("alias/eks/x"), "not a KMS key ARN"},
		{"alias ARN", KMSKeyARN("arn:aws:kms:eu-west-1:123456789012:alias/eks/x"), "not a KMS key ARN"},
		{"log group", LogGroupName("/aws/eks/c/fargate"), ""},
		{"log group with a space", LogGroupName("my logs"), "not a CloudWatch Logs group name"},
		{"empty log group", LogGroupName(""), "not a CloudWatch Logs group name"},
		{"retention 90", Retention(90), ""},
		{"retention 10", Retention(10), "10 is not a retention"},
		{"effect", KubernetesTaintEffect("PREFER_NO_SCHEDULE"), "PreferNoSchedule"},
		{"names", ClusterLogGroup("c") + " " + FargateLogGroup("c") + " " + SecretsKeyAlias("c"), "/aws/eks/c/cluster /aws/eks/c/fargate alias/eks/c"},
	} {
		if (c.want == "" && c.got != "") || !strings.Contains(c.got, c.want) {
			t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
		}
	}
}
