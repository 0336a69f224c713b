package fargatelogging

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
)

func TestAllowedActions(t *testing.T) {
	doc := url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:Put*","Resource":"*"},` +
		`{"Effect":"Deny","Action":["logs:CreateLogGroup"],"Resource":"*"},{"Effect":"Allow","Action":["logs:createlogstream","s3:*"],"Resource":"*"}]}`)
	got := AllowedActions(doc)
	if !slices.Equal(got, []string{"logs:Put*", "logs:createlogstream", "s3:*"}) {
		t.Fatalf("allowed %v", got)
	}
	var missing []string
	for _, a := range eksrules.FargateLoggingActions {
		if !allows(got, a) {
			missing = append(missing, a)
		}
	}
	if !slices.Equal(missing, []string{"logs:CreateLogGroup", "logs:DescribeLogStreams"}) {
		t.Fatalf("missing %v, want CreateLogGroup and DescribeLogStreams (Deny is not an allow; case does not matter; Put* covers two)", missing)
	}
	one := AllowedActions(`{"Statement":{"Effect":"Allow","Action":"*"}}`)
	if !allows(one, "logs:PutLogEvents") {
		t.Fatalf("a single statement allowing * allows %v", one)
	}
}

func TestPolicyAndOutput(t *testing.T) {
	p := Policy("aws", "eu-west-1", "123456789012", "/aws/eks/c/fargate")
	for _, want := range append([]string{`"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/c/fargate"`,
		`"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/c/fargate:*"`}, eksrules.FargateLoggingActions...) {
		if !strings.Contains(p, want) {
			t.Errorf("policy %s lacks %s", p, want)
		}
	}
	if strings.Contains(p, `"Resource":"*"`) {
		t.Errorf("policy %s reaches every log group", p)
	}
	out := Output("eu-west-1", "/aws/eks/c/fargate", 30)
	if outputValue(out, logGroupKey) != "/aws/eks/c/fargate" || !strings.Contains(out, "Name cloudwatch_logs") || !strings.Contains(out, "log_retention_days 30") {
		t.Fatalf("output %q", out)
	}
}
