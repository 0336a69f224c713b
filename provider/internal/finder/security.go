package finder

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// LogGroup returns the CloudWatch Logs group name (DescribeLogGroups
// matches by prefix, so the exact name is picked from the answer).
func LogGroup(ctx context.Context, conn *cloudwatchlogs.Client, name string) (*logtypes.LogGroup, error) {
	what := fmt.Sprintf("log group %q", name)
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(conn, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describing %s: %w", what, err)
		}
		for i := range out.LogGroups {
			if aws.ToString(out.LogGroups[i].LogGroupName) == name {
				return &out.LogGroups[i], nil
			}
		}
	}
	return nil, &apierr.NotFoundError{What: what}
}

// KeyByAlias returns the KMS key alias points to.
func KeyByAlias(ctx context.Context, conn *kms.Client, alias string) (*kmstypes.KeyMetadata, error) {
	out, err := conn.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if apierr.IsA[*kmstypes.NotFoundException](err) {
		return nil, &apierr.NotFoundError{What: "KMS key " + alias, Cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("describing KMS key %s: %w", alias, err)
	}
	if out.KeyMetadata == nil {
		return nil, &apierr.NotFoundError{What: "KMS key " + alias}
	}
	return out.KeyMetadata, nil
}
