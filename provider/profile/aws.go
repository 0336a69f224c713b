package profile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
	"github.com/terrax/terraform-provider-fargate/provider/internal/subnets"
)

// podExecution is the kind of role the resource makes when none is given:
// fargate_cluster's Fargate pod execution role, named after the profile.
var podExecution = roles.PodExecution

func (r *Resource) roles(o owned.Owner) *roles.Roles { return roles.New(r.client, o) }

// madeRole reports whether arn is the role this resource made (named
// roleName), not one the user brought.
func madeRole(arn, roleName string) bool { return strings.HasSuffix(arn, "/"+roleName) }

// privateSubnets are the cluster's private subnets (those without a route
// to an internet gateway), where Fargate runs pods: the default of
// subnet_ids, as fargate_cluster's own profiles default to its network's.
func (r *Resource) privateSubnets(ctx context.Context, cluster string) ([]string, error) {
	c, err := finder.Cluster(ctx, r.client.EKS, cluster)
	if apierr.NotFound(err) {
		return nil, fmt.Errorf("EKS cluster %q does not exist; create it first (a fargate_cluster in this configuration: refer to its `name`)", cluster)
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	if c.ResourcesVpcConfig != nil {
		ids = c.ResourcesVpcConfig.SubnetIds
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("EKS cluster %q reports no subnets; set `subnet_ids`", cluster)
	}
	out, err := r.client.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: ids})
	if err != nil {
		return nil, fmt.Errorf("looking up the subnets %v of EKS cluster %q: %w", ids, cluster, err)
	}
	if len(out.Subnets) == 0 {
		return nil, fmt.Errorf("the subnets %v of EKS cluster %q do not exist; set `subnet_ids`", ids, cluster)
	}
	_, private, err := subnets.Split(ctx, r.client.EC2, aws.ToString(out.Subnets[0].VpcId), ids)
	if err != nil {
		return nil, err
	}
	if len(private) == 0 {
		return nil, fmt.Errorf("EKS cluster %q has no private subnets (all of %v route to an internet gateway), and Fargate runs pods only in private subnets; set `subnet_ids` to private subnets of its VPC", cluster, ids)
	}
	return private, nil
}

// retag brings the profile's tags from old to new.
func (r *Resource) retag(ctx context.Context, arn string, old, new map[string]string) error {
	set, remove := owned.MapChanges(old, new)
	var errs []error
	if len(remove) > 0 {
		_, err := r.client.EKS.UntagResource(ctx, &eks.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: remove})
		errs = append(errs, err)
	}
	if len(set) > 0 {
		_, err := r.client.EKS.TagResource(ctx, &eks.TagResourceInput{ResourceArn: aws.String(arn), Tags: set})
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("tagging %s: %w", arn, err)
	}
	return nil
}

func stringsOf(ctx context.Context, s types.Set) ([]string, diag.Diagnostics) {
	if s.IsNull() || s.IsUnknown() {
		return nil, nil
	}
	var out []string
	d := s.ElementsAs(ctx, &out, false)
	slices.Sort(out)
	return out, d
}

func stringSet(ss []string) types.Set {
	v, _ := types.SetValueFrom(context.Background(), types.StringType, ss)
	return v
}

func stringMap(ctx context.Context, m types.Map) (map[string]string, diag.Diagnostics) {
	if m.IsNull() || m.IsUnknown() {
		return nil, nil
	}
	out := map[string]string{}
	return out, m.ElementsAs(ctx, &out, false)
}
