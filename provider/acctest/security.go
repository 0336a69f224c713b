package acctest

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// SecurityLeft is what of a cluster's security parts exists in AWS: log
// groups under /aws/eks/<name>/, the key alias alias/eks/<name>, and launch
// templates carrying the owner tag.
type SecurityLeft struct {
	LogGroups, LaunchTemplates []string
	KeyAlias                   bool
}

// Empty reports whether nothing is left.
func (s SecurityLeft) Empty() bool {
	return len(s.LogGroups)+len(s.LaunchTemplates) == 0 && !s.KeyAlias
}

func (s SecurityLeft) String() string {
	return fmt.Sprintf("log groups %v, launch templates %v, key alias %v", s.LogGroups, s.LaunchTemplates, s.KeyAlias)
}

// TakeSecurity finds what of cluster name's security parts exists, plus
// the log group extra (a Fargate log group elsewhere, or "").
func TakeSecurity(c *conns.Client, name, extra string) (SecurityLeft, error) {
	ctx := context.Background()
	var s SecurityLeft
	for _, prefix := range []string{"/aws/eks/" + name + "/", extra} {
		if prefix == "" {
			continue
		}
		out, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(prefix)})
		if err != nil {
			return s, err
		}
		for _, g := range out.LogGroups {
			s.LogGroups = append(s.LogGroups, aws.ToString(g.LogGroupName))
		}
	}
	lts, err := c.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:" + OwnerTag), Values: []string{Region + "/" + name}}},
	})
	if err != nil {
		return s, err
	}
	for _, lt := range lts.LaunchTemplates {
		s.LaunchTemplates = append(s.LaunchTemplates, aws.ToString(lt.LaunchTemplateName))
	}
	aliases, err := c.KMS.ListAliases(ctx, &kms.ListAliasesInput{})
	if err != nil {
		return s, err
	}
	for _, a := range aliases.Aliases {
		s.KeyAlias = s.KeyAlias || aws.ToString(a.AliasName) == "alias/eks/"+name
	}
	return s, nil
}
