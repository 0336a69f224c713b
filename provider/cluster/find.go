package cluster

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// leftovers names what this resource made that exists without its cluster:
// VPCs and roles carrying the cluster's owner tag.
func (o *ops) leftovers(ctx context.Context) ([]string, error) {
	var left []string
	vpcs, err := o.c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: o.ownedFilter()})
	if err != nil {
		return nil, fmt.Errorf("finding the VPCs of cluster %s: %w", o.owner(), err)
	}
	for _, v := range vpcs.Vpcs {
		left = append(left, "VPC "+aws.ToString(v.VpcId))
	}
	for _, k := range []roleKind{clusterRole, nodeRole, podExecutionRole} {
		role, err := o.findOwnedRole(ctx, o.roleName(k.kind))
		if err != nil && !apierr.NotFound(err) {
			return nil, err
		}
		if role != nil {
			left = append(left, "IAM role "+aws.ToString(role.RoleName))
		}
	}
	return left, nil
}
