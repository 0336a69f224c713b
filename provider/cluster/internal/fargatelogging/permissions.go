package fargatelogging

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
)

// Policy is the inline policy of a pod execution role the resource made:
// the CloudWatch Logs actions Fluent Bit needs, on group alone.
func Policy(partition, region, account, group string) string {
	arn := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partition, region, account, group)
	b, _ := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Sid": "FargateLogging", "Effect": "Allow",
			"Action": eksrules.FargateLoggingActions, "Resource": []string{arn, arn + ":*"},
		}},
	})
	return string(b)
}

func roleName(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// permit gives a role the resource made the permissions, or names what a
// role the user brought lacks. No role (no Fargate profile yet): nothing
// to grant.
func (l *Logging) permit(ctx context.Context, role, group string) error {
	if role == "" {
		return nil
	}
	if l.madeRole(role) {
		account, partition := l.c.Caller()
		_, err := l.c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
			RoleName: aws.String(roleName(role)), PolicyName: aws.String(PolicyName),
			PolicyDocument: aws.String(Policy(partition, l.c.Region, account, group)),
		})
		if err != nil {
			return fmt.Errorf("granting the Fargate pod execution role %s the CloudWatch Logs permissions of Fargate logging: %w", role, err)
		}
		return nil
	}
	allowed, err := l.allowedActions(ctx, roleName(role))
	if err != nil {
		return err
	}
	var missing []string
	for _, a := range eksrules.FargateLoggingActions {
		if !allows(allowed, a) {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the Fargate pod execution role %s (fargate_pod_execution_role_arn) does not allow %s, which Fargate logging needs "+
			"(EKS user guide, \"Fargate logging\"); add the missing ones to one of its policies, or leave fargate_pod_execution_role_arn unset so the resource makes the role",
			role, strings.Join(missing, ", "))
	}
	return nil
}

// revoke removes the inline policy from a role the resource made.
func (l *Logging) revoke(ctx context.Context, role string) error {
	if !l.madeRole(role) {
		return nil
	}
	_, err := l.c.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(roleName(role)), PolicyName: aws.String(PolicyName)})
	if err != nil && !apierr.IsA[*iamtypes.NoSuchEntityException](err) {
		return fmt.Errorf("removing the Fargate logging permissions from role %s: %w", role, err)
	}
	return nil
}

// allowedActions are the action patterns of every Allow statement of the
// role's inline and attached policies.
func (l *Logging) allowedActions(ctx context.Context, name string) ([]string, error) {
	var docs []string
	inline := iam.NewListRolePoliciesPaginator(l.c.IAM, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the policies of role %s: %w", name, err)
		}
		for _, p := range page.PolicyNames {
			out, err := l.c.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)})
			if err != nil {
				return nil, fmt.Errorf("reading policy %s of role %s: %w", p, name, err)
			}
			docs = append(docs, aws.ToString(out.PolicyDocument))
		}
	}
	attached := iam.NewListAttachedRolePoliciesPaginator(l.c.IAM, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the policies of role %s: %w", name, err)
		}
		for _, p := range page.AttachedPolicies {
			pol, err := l.c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: p.PolicyArn})
			if err != nil {
				return nil, fmt.Errorf("reading policy %s: %w", aws.ToString(p.PolicyArn), err)
			}
			v, err := l.c.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: p.PolicyArn, VersionId: pol.Policy.DefaultVersionId})
			if err != nil {
				return nil, fmt.Errorf("reading policy %s: %w", aws.ToString(p.PolicyArn), err)
			}
			docs = append(docs, aws.ToString(v.PolicyVersion.Document))
		}
	}
	var actions []string
	for _, d := range docs {
		actions = append(actions, AllowedActions(d)...)
	}
	return actions, nil
}

// AllowedActions are the action patterns of a policy document's Allow
// statements (IAM returns documents URL-encoded).
func AllowedActions(doc string) []string {
	if dec, err := url.QueryUnescape(doc); err == nil {
		doc = dec
	}
	var p struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return nil
	}
	var stmts []struct {
		Effect string
		Action json.RawMessage
	}
	if json.Unmarshal(p.Statement, &stmts) != nil {
		stmts = stmts[:0]
		var one struct {
			Effect string
			Action json.RawMessage
		}
		if json.Unmarshal(p.Statement, &one) != nil {
			return nil
		}
		stmts = append(stmts, one)
	}
	var out []string
	for _, s := range stmts {
		if s.Effect != "Allow" {
			continue
		}
		var list []string
		if json.Unmarshal(s.Action, &list) != nil {
			var a string
			if json.Unmarshal(s.Action, &a) == nil {
				list = []string{a}
			}
		}
		out = append(out, list...)
	}
	return out
}

// allows reports whether an action pattern (IAM's * and ?, case-insensitive) allows action.
func allows(patterns []string, action string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(action)); ok {
			return true
		}
	}
	return false
}

// outputValue is the value of key in a Fluent Bit configuration.
func outputValue(conf, key string) string {
	for _, line := range strings.Split(conf, "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == key {
			return f[1]
		}
	}
	return ""
}
