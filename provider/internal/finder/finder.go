// Package finder reads EKS objects. Each finder returns *apierr.NotFoundError
// when the object does not exist, so callers can tell "gone" from "could not
// look"; lists follow every page. The cluster resource, the manifest's
// plan-time layout and the auth data source share them.
package finder

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// find wraps one Describe call: not-found (typed, or an empty answer)
// becomes *apierr.NotFoundError naming what.
func find[T any](what string, v *T, err error) (*T, error) {
	if apierr.IsA[*ekstypes.ResourceNotFoundException](err) {
		return nil, &apierr.NotFoundError{What: what, Cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("describing %s: %w", what, err)
	}
	if v == nil {
		return nil, &apierr.NotFoundError{What: what}
	}
	return v, nil
}

// Cluster returns the EKS cluster name.
func Cluster(ctx context.Context, conn *eks.Client, name string) (*ekstypes.Cluster, error) {
	out, err := conn.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
	var c *ekstypes.Cluster
	if out != nil {
		c = out.Cluster
	}
	return find(fmt.Sprintf("EKS cluster %q", name), c, err)
}

// Nodegroup returns the node group name of cluster.
func Nodegroup(ctx context.Context, conn *eks.Client, cluster, name string) (*ekstypes.Nodegroup, error) {
	out, err := conn.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(name)})
	var ng *ekstypes.Nodegroup
	if out != nil {
		ng = out.Nodegroup
	}
	return find(fmt.Sprintf("node group %q of EKS cluster %q", name, cluster), ng, err)
}

// FargateProfile returns the Fargate profile name of cluster.
func FargateProfile(ctx context.Context, conn *eks.Client, cluster, name string) (*ekstypes.FargateProfile, error) {
	out, err := conn.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(name)})
	var fp *ekstypes.FargateProfile
	if out != nil {
		fp = out.FargateProfile
	}
	return find(fmt.Sprintf("Fargate profile %q of EKS cluster %q", name, cluster), fp, err)
}

// Nodegroups lists the names of cluster's node groups, every page.
func Nodegroups(ctx context.Context, conn *eks.Client, cluster string) ([]string, error) {
	p := eks.NewListNodegroupsPaginator(conn, &eks.ListNodegroupsInput{ClusterName: aws.String(cluster)})
	return list(ctx, p, func(o *eks.ListNodegroupsOutput) []string { return o.Nodegroups }, "node groups", cluster)
}

// FargateProfiles lists the names of cluster's Fargate profiles, every page.
func FargateProfiles(ctx context.Context, conn *eks.Client, cluster string) ([]string, error) {
	p := eks.NewListFargateProfilesPaginator(conn, &eks.ListFargateProfilesInput{ClusterName: aws.String(cluster)})
	return list(ctx, p, func(o *eks.ListFargateProfilesOutput) []string { return o.FargateProfileNames }, "Fargate profiles", cluster)
}

// DescribedFargateProfiles returns every Fargate profile of cluster,
// described. A profile deleted between the list and its description is
// left out: it no longer exists, and another tool deleting profiles of the
// cluster meanwhile is no reason to fail.
func DescribedFargateProfiles(ctx context.Context, conn *eks.Client, cluster string) ([]*ekstypes.FargateProfile, error) {
	names, err := FargateProfiles(ctx, conn, cluster)
	if err != nil {
		return nil, err
	}
	var out []*ekstypes.FargateProfile
	for _, n := range names {
		fp, err := FargateProfile(ctx, conn, cluster, n)
		if apierr.NotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, fp)
	}
	return out, nil
}

// Addon returns the add-on name of cluster.
func Addon(ctx context.Context, conn *eks.Client, cluster, name string) (*ekstypes.Addon, error) {
	out, err := conn.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: aws.String(cluster), AddonName: aws.String(name)})
	var a *ekstypes.Addon
	if out != nil {
		a = out.Addon
	}
	return find(fmt.Sprintf("add-on %q of EKS cluster %q", name, cluster), a, err)
}

// Addons lists the names of cluster's add-ons, every page; a cluster that
// does not exist (deleted since it was read) is not found.
func Addons(ctx context.Context, conn *eks.Client, cluster string) ([]string, error) {
	p := eks.NewListAddonsPaginator(conn, &eks.ListAddonsInput{ClusterName: aws.String(cluster)})
	return list(ctx, p, func(o *eks.ListAddonsOutput) []string { return o.Addons }, "add-ons", cluster)
}

// pages is what the SDK's EKS list paginators have in common.
type pages[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*eks.Options)) (O, error)
}

// list gathers the names on every page of p; a missing cluster is not found.
func list[O any](ctx context.Context, p pages[O], names func(O) []string, what, cluster string) ([]string, error) {
	var all []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if apierr.IsA[*ekstypes.ResourceNotFoundException](err) {
			return nil, &apierr.NotFoundError{What: fmt.Sprintf("EKS cluster %q", cluster), Cause: err}
		}
		if err != nil {
			return nil, fmt.Errorf("listing %s of EKS cluster %q: %w", what, cluster, err)
		}
		all = append(all, names(page)...)
	}
	return all, nil
}

// PodIdentityAssociation returns the association of the service account
// namespace/serviceAccount of cluster, every page searched.
func PodIdentityAssociation(ctx context.Context, conn *eks.Client, cluster, namespace, serviceAccount string) (*ekstypes.PodIdentityAssociation, error) {
	what := fmt.Sprintf("Pod Identity association of %s/%s in EKS cluster %q", namespace, serviceAccount, cluster)
	p := eks.NewListPodIdentityAssociationsPaginator(conn, &eks.ListPodIdentityAssociationsInput{
		ClusterName: aws.String(cluster), Namespace: aws.String(namespace), ServiceAccount: aws.String(serviceAccount),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if apierr.IsA[*ekstypes.ResourceNotFoundException](err) {
			return nil, &apierr.NotFoundError{What: what, Cause: err}
		}
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", what, err)
		}
		for _, a := range page.Associations {
			if aws.ToString(a.Namespace) == namespace && aws.ToString(a.ServiceAccount) == serviceAccount {
				out, err := conn.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{ClusterName: aws.String(cluster), AssociationId: a.AssociationId})
				var pia *ekstypes.PodIdentityAssociation
				if out != nil {
					pia = out.Association
				}
				return find(what, pia, err)
			}
		}
	}
	return nil, &apierr.NotFoundError{What: what}
}
