// Package subnets tells a VPC's public subnets from its private ones the
// way EKS means it: a subnet is public when its route table (its own, or
// the VPC's main one) routes to an internet gateway. Fargate runs pods only
// in private subnets. fargate_cluster classifies the subnets it is given,
// and fargate_profile finds its cluster's private subnets, by this one rule.
package subnets

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Split returns, sorted, the public and the private ones of the subnets ids
// of VPC vpc.
func Split(ctx context.Context, conn *ec2.Client, vpc string, ids []string) (public, private []string, err error) {
	rts, err := conn.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading route tables of VPC %s: %w", vpc, err)
	}
	publicRT := map[string]bool{} // route table (or "main") -> has an internet gateway route
	explicit := map[string]string{}
	for _, rt := range rts.RouteTables {
		id := aws.ToString(rt.RouteTableId)
		for _, r := range rt.Routes {
			if strings.HasPrefix(aws.ToString(r.GatewayId), "igw-") {
				publicRT[id] = true
			}
		}
		for _, a := range rt.Associations {
			if aws.ToBool(a.Main) {
				publicRT["main"] = publicRT[id]
			} else if a.SubnetId != nil {
				explicit[aws.ToString(a.SubnetId)] = id
			}
		}
	}
	for _, id := range ids {
		rt, ok := explicit[id]
		if !ok {
			rt = "main"
		}
		if publicRT[rt] {
			public = append(public, id)
		} else {
			private = append(private, id)
		}
	}
	sort.Strings(public)
	sort.Strings(private)
	return public, private, nil
}
