package eksrules_test

import (
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
)

func TestAccessRules(t *testing.T) {
	ok := func(what, msg string) {
		t.Helper()
		if msg != "" {
			t.Errorf("%s refused: %s", what, msg)
		}
	}
	bad := func(what, msg string) {
		t.Helper()
		if msg == "" {
			t.Errorf("%s accepted", what)
		}
	}
	ok("API", eksrules.AuthenticationMode("API"))
	ok("API_AND_CONFIG_MAP", eksrules.AuthenticationMode("API_AND_CONFIG_MAP"))
	bad("CONFIG_MAP", eksrules.AuthenticationMode("CONFIG_MAP"))
	bad("api", eksrules.AuthenticationMode("api"))
	ok("to API", eksrules.AuthenticationModeChange("API_AND_CONFIG_MAP", "API"))
	bad("back from API", eksrules.AuthenticationModeChange("API", "API_AND_CONFIG_MAP"))
	ok("view", eksrules.AccessPolicy("AmazonEKSViewPolicy"))
	bad("made up", eksrules.AccessPolicy("AmazonEKSSuperPolicy"))
	ok("role", eksrules.PrincipalARN("arn:aws:iam::123456789012:role/ci"))
	ok("user", eksrules.PrincipalARN("arn:aws:iam::123456789012:user/alice"))
	bad("session", eksrules.PrincipalARN("arn:aws:sts::123456789012:assumed-role/ci/s"))
	bad("group", eksrules.PrincipalARN("arn:aws:iam::123456789012:group/devs"))
	bad("short account", eksrules.PrincipalARN("arn:aws:iam::1234:role/ci"))
	bad("node type with policies", eksrules.AccessEntryShape("EC2_LINUX", 0, 1))
	ok("standard", eksrules.AccessEntryShape("STANDARD", 1, 1))
	bad("system group", eksrules.KubernetesGroup("system:masters"))
	ok("namespace", eksrules.AccessNamespace("tb-demo"))
	ok("prefix", eksrules.AccessNamespace("dev-*"))
	bad("upper", eksrules.AccessNamespace("TB"))
	if got := eksauth.AccessPolicyName(eksauth.AccessPolicyARN("AmazonEKSEditPolicy")); got != "AmazonEKSEditPolicy" {
		t.Errorf("policy ARN round trip: %q", got)
	}
}
