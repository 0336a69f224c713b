package reliability_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// The security parts of the least-privilege check: the Fargate logging
// permissions on the pod execution role, and the Secrets key's policy.

// statement is one statement of an IAM or KMS policy document.
type statement struct {
	Effect    string
	Principal any
	Action    any
	Resource  any
}

func statements(t *testing.T, doc string) []statement {
	t.Helper()
	if d, err := url.QueryUnescape(doc); err == nil {
		doc = d
	}
	var p struct{ Statement []statement }
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatalf("policy %s: %v", doc, err)
	}
	return p.Statement
}

func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, s := range v {
			out = append(out, fmt.Sprint(s))
		}
		slices.Sort(out)
		return out
	}
	return nil
}

// checkInlinePolicies: no role has an inline policy but the Fargate pod
// execution role, whose one policy allows exactly the CloudWatch Logs
// actions Fargate logging needs, on the cluster's Fargate log group only.
func checkInlinePolicies(t *testing.T, c *conns.Client, cluster, role string, podExecution bool) {
	t.Helper()
	inline, err := c.IAM.ListRolePolicies(bg, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	if err != nil {
		t.Fatal(err)
	}
	if !podExecution || !slices.Equal(inline.PolicyNames, []string{"fargate-logging"}) {
		if len(inline.PolicyNames) > 0 || podExecution {
			t.Fatalf("role %s has inline policies %v; want none, or only fargate-logging on the pod execution role", role, inline.PolicyNames)
		}
		return
	}
	p, err := c.IAM.GetRolePolicy(bg, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("fargate-logging")})
	if err != nil {
		t.Fatal(err)
	}
	group := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/aws/eks/%s/fargate", acctest.Region, c.AccountID, cluster)
	want := []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:PutRetentionPolicy"}
	for _, s := range statements(t, aws.ToString(p.PolicyDocument)) {
		if s.Effect != "Allow" || !slices.Equal(strs(s.Action), want) || !slices.Equal(strs(s.Resource), []string{group, group + ":*"}) {
			t.Fatalf("role %s's fargate-logging statement %+v; want Allow %v on %s only", role, s, want, group)
		}
	}
}

// checkSecretsKey: the cluster's Secrets are encrypted with the key the
// provider made, which rotates, and whose policy gives it to the account
// alone (no other account, no "*").
func checkSecretsKey(t *testing.T, c *conns.Client, cluster string) string {
	t.Helper()
	key, err := c.KMS.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: aws.String("alias/eks/" + cluster)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(key.KeyMetadata.Arn)
	cl, err := c.EKS.DescribeCluster(bg, &eks.DescribeClusterInput{Name: aws.String(cluster)})
	if err != nil {
		t.Fatal(err)
	}
	if enc := cl.Cluster.EncryptionConfig; len(enc) != 1 || aws.ToString(enc[0].Provider.KeyArn) != arn {
		t.Fatalf("cluster %s encryption %+v, want its Secrets encrypted with %s", cluster, enc, arn)
	}
	rot, err := c.KMS.GetKeyRotationStatus(bg, &kms.GetKeyRotationStatusInput{KeyId: aws.String(arn)})
	if err != nil || !rot.KeyRotationEnabled {
		t.Fatalf("key %s rotation %+v (%v), want on", arn, rot, err)
	}
	pol, err := c.KMS.GetKeyPolicy(bg, &kms.GetKeyPolicyInput{KeyId: aws.String(arn), PolicyName: aws.String("default")})
	if err != nil {
		t.Fatal(err)
	}
	root := fmt.Sprintf("arn:aws:iam::%s:root", c.AccountID)
	for _, s := range statements(t, aws.ToString(pol.Policy)) {
		p, _ := s.Principal.(map[string]any)
		if s.Effect != "Allow" || len(p) != 1 || !slices.Equal(strs(p["AWS"]), []string{root}) {
			t.Fatalf("key %s policy statement %+v; want one giving the key to %s alone", arn, s, root)
		}
	}
	if strings.Contains(aws.ToString(pol.Policy), `"*"}`) || strings.Contains(aws.ToString(pol.Policy), `"AWS":"*"`) {
		t.Fatalf("key %s policy opens the key to anyone: %s", arn, aws.ToString(pol.Policy))
	}
	return arn
}

// checkKeyPendingDeletion: destroy scheduled the key for deletion (KMS
// keeps it for the waiting period) and removed its alias.
func checkKeyPendingDeletion(t *testing.T, c *conns.Client, cluster, arn string) {
	t.Helper()
	key, err := c.KMS.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: aws.String(arn)})
	if err != nil || key.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion {
		t.Fatalf("key %s after destroy: %+v (%v), want PendingDeletion", arn, key, err)
	}
	left, err := acctest.TakeSecurity(c, cluster, "")
	if err != nil || !left.Empty() {
		t.Fatalf("left after destroy of %s: %s (%v)", cluster, left, err)
	}
}
