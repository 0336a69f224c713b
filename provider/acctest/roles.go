package acctest

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// ServiceRole makes an IAM role that service (eks.amazonaws.com,
// eks-fargate-pods.amazonaws.com) may assume, for a test that calls EKS
// itself: EKS refuses a role that does not exist or does not trust it. The
// role is deleted after the test.
func ServiceRole(t *testing.T, c *conns.Client, name, service string) string {
	t.Helper()
	ctx := context.Background()
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":%q}}]}`, service)
	r, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatalf("creating the IAM role %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil && !apierr.IsA[*iamtypes.NoSuchEntityException](err) {
			t.Errorf("deleting the IAM role %s: %v", name, err)
		}
	})
	return aws.ToString(r.Role.Arn)
}
