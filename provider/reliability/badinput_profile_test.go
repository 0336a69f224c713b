package reliability_test

import (
	"fmt"
	"strings"
)

// profileCase is a fargate_profile with one bad piece, refused by the
// same validators as fargate_cluster's fargate_profiles.
func profileCase(name, cluster, profile, sels, extra, want, at string) badInput {
	def := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	return badInput{name: "fargate_profile: " + name, want: want, at: at, config: fmt.Sprintf(`
resource "fargate_profile" "bad" {
  cluster   = %s
  name      = %s
  selectors = %s
  %s
}`, def(cluster, `"platform"`), def(profile, `"fp-team-a"`), def(sels, `[{ namespace = "team-a" }]`), extra)}
}

var profileCases = []badInput{
	profileCase("invalid cluster name", `"platform cluster!"`, "", "", "",
		`Invalid EKS cluster name[\s\S]*must start with a letter or digit`, `Attribute cluster: `),
	profileCase("profile name starting with eks-", "", `"eks-team-a"`, "", "",
		`starts with "eks-", which EKS\s+reserves`, `Attribute name: `),
	profileCase("profile name too long", "", fmt.Sprintf("%q", strings.Repeat("p", 101)), "", "",
		`at most 100`, `Attribute name: `),
	profileCase("no selectors", "", "", `[]`, "",
		`list must contain at\s+least 1 elements`, `Attribute selectors list must`),
	profileCase("more than 5 selectors", "", "", `[`+selectors(6)+`]`, "",
		`at most 5 elements, got: 6`, `Attribute selectors list must`),
	profileCase("invalid selector namespace", "", "", `[{ namespace = "Team_A" }]`, "",
		`Invalid Fargate selector namespace`, `Attribute selectors\[0\]\.namespace`),
	profileCase("more than 5 labels", "", "", `[{ namespace = "a", labels = { a = "1", b = "2", c = "3", d = "4", e = "5", f = "6" } }]`, "",
		`map must contain at most 5 elements, got: 6`, `Attribute selectors\[0\]\.labels`),
	profileCase("invalid label key", "", "", `[{ namespace = "a", labels = { "-app" = "1" } }]`, "",
		`Invalid label key`, `Attribute selectors\[0\]\.labels\["-app"\]`),
	profileCase("invalid pod execution role", "", "", "", `pod_execution_role_arn = "my-role"`,
		`IAM role ARN`, `Attribute pod_execution_role_arn`),
	profileCase("empty subnet_ids", "", "", "", `subnet_ids = []`,
		`set must contain at least 1 elements`, `Attribute subnet_ids`),
	profileCase("reserved tag key", "", "", "", `tags = { "aws:team" = "a" }`,
		`starts with "aws:", which AWS\s+reserves`, `Attribute tags\["aws:team"\]`),
}
