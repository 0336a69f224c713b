package finder

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// AccessEntry returns the access entry of principal in cluster.
func AccessEntry(ctx context.Context, conn *eks.Client, cluster, principal string) (*ekstypes.AccessEntry, error) {
	out, err := conn.DescribeAccessEntry(ctx, &eks.DescribeAccessEntryInput{ClusterName: aws.String(cluster), PrincipalArn: aws.String(principal)})
	var e *ekstypes.AccessEntry
	if out != nil {
		e = out.AccessEntry
	}
	return find(fmt.Sprintf("access entry of %s in EKS cluster %q", principal, cluster), e, err)
}

// AssociatedAccessPolicies lists the access policies associated with the
// access entry of principal, every page; a missing entry is not found.
func AssociatedAccessPolicies(ctx context.Context, conn *eks.Client, cluster, principal string) ([]ekstypes.AssociatedAccessPolicy, error) {
	p := eks.NewListAssociatedAccessPoliciesPaginator(conn, &eks.ListAssociatedAccessPoliciesInput{ClusterName: aws.String(cluster), PrincipalArn: aws.String(principal)})
	var all []ekstypes.AssociatedAccessPolicy
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if apierr.IsA[*ekstypes.ResourceNotFoundException](err) {
			return nil, &apierr.NotFoundError{What: fmt.Sprintf("access entry of %s in EKS cluster %q", principal, cluster), Cause: err}
		}
		if err != nil {
			return nil, fmt.Errorf("listing the access policies of %s in EKS cluster %q: %w", principal, cluster, err)
		}
		all = append(all, page.AssociatedAccessPolicies...)
	}
	return all, nil
}
