package cluster

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// Finders return *apierr.NotFoundError when the object does not exist, so
// callers can tell "gone" from "could not look".

// FindClusterByName returns the EKS cluster, or *apierr.NotFoundError.
func FindClusterByName(ctx context.Context, conn *eks.Client, name string) (*ekstypes.Cluster, error) {
	out, err := conn.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
	if apierr.Is(err, "ResourceNotFoundException") {
		return nil, &apierr.NotFoundError{What: fmt.Sprintf("EKS cluster %q", name), Cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("describing EKS cluster %q: %w", name, err)
	}
	if out.Cluster == nil {
		return nil, &apierr.NotFoundError{What: fmt.Sprintf("EKS cluster %q", name)}
	}
	return out.Cluster, nil
}

func findNodegroup(ctx context.Context, conn *eks.Client, cluster, name string) (*ekstypes.Nodegroup, error) {
	out, err := conn.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(name)})
	if apierr.Is(err, "ResourceNotFoundException") {
		return nil, &apierr.NotFoundError{What: fmt.Sprintf("node group %q of EKS cluster %q", name, cluster), Cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("describing node group %q of EKS cluster %q: %w", name, cluster, err)
	}
	if out.Nodegroup == nil {
		return nil, &apierr.NotFoundError{What: fmt.Sprintf("node group %q of EKS cluster %q", name, cluster)}
	}
	return out.Nodegroup, nil
}

func findFargateProfile(ctx context.Context, conn *eks.Client, cluster, name string) (*ekstypes.FargateProfile, error) {
	out, err := conn.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(name)})
	if apierr.Is(err, "ResourceNotFoundException") {
		return nil, &apierr.NotFoundError{What: fmt.Sprintf("Fargate profile %q of EKS cluster %q", name, cluster), Cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("describing Fargate profile %q of EKS cluster %q: %w", name, cluster, err)
	}
	if out.FargateProfile == nil {
		return nil, &apierr.NotFoundError{What: fmt.Sprintf("Fargate profile %q of EKS cluster %q", name, cluster)}
	}
	return out.FargateProfile, nil
}

func listNodegroups(ctx context.Context, conn *eks.Client, cluster string) ([]string, error) {
	var names []string
	p := eks.NewListNodegroupsPaginator(conn, &eks.ListNodegroupsInput{ClusterName: aws.String(cluster)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing node groups of EKS cluster %q: %w", cluster, err)
		}
		names = append(names, page.Nodegroups...)
	}
	return names, nil
}

func listFargateProfiles(ctx context.Context, conn *eks.Client, cluster string) ([]string, error) {
	var names []string
	p := eks.NewListFargateProfilesPaginator(conn, &eks.ListFargateProfilesInput{ClusterName: aws.String(cluster)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing Fargate profiles of EKS cluster %q: %w", cluster, err)
		}
		names = append(names, page.FargateProfileNames...)
	}
	return names, nil
}

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
