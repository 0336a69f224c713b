// Package oidc owns the cluster's IAM OpenID Connect provider, which lets
// IAM trust the cluster's service account tokens (IAM roles for service
// accounts, IRSA). It carries the owner tag, so destroy finds it and an
// interrupted apply's provider is adopted; one the user made for the same
// issuer is used and never deleted.
package oidc

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
)

// ClientID is the audience of the tokens AWS STS accepts.
const ClientID = "sts.amazonaws.com"

// Thumbprint is the thumbprint AWS documents for the root CA of its EKS
// OIDC endpoints (oidc.eks.<region>.amazonaws.com). An EKS cluster's issuer
// is always one of them, and IAM trusts their CAs itself (it ignores the
// thumbprint for AWS-hosted issuers), so the provider gives this value
// instead of fetching the issuer's chain: no call leaves for the issuer,
// which also keeps plans and tests offline.
const Thumbprint = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"

// Provider is the IAM OIDC provider of one cluster.
type Provider struct {
	c     *conns.Client
	owner owned.Owner
}

// New returns the OIDC provider of the cluster of owner.
func New(c *conns.Client, owner owned.Owner) *Provider { return &Provider{c: c, owner: owner} }

// ARN is the ARN IAM gives the provider of issuer.
func (p *Provider) ARN(issuer string) string {
	account, partition := p.c.Caller()
	return fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", partition, account, strings.TrimPrefix(issuer, "https://"))
}

// Ensure creates the provider of issuer (or finds the one that exists) and
// returns its ARN.
func (p *Provider) Ensure(ctx context.Context, issuer string) (string, error) {
	if issuer == "" {
		return "", fmt.Errorf("creating the IAM OIDC provider of EKS cluster %q: the cluster has no OIDC issuer", p.owner.Cluster)
	}
	out, err := p.c.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url:            aws.String(issuer),
		ClientIDList:   []string{ClientID},
		ThumbprintList: []string{Thumbprint},
		Tags:           iamTags(p.owner.TagsWith(nil)),
	})
	switch {
	case err == nil:
		return aws.ToString(out.OpenIDConnectProviderArn), nil
	case apierr.IsA[*iamtypes.EntityAlreadyExistsException](err):
		// Left by an interrupted apply (owner tag), or made by the user
		// (eksctl utils associate-iam-oidc-provider): used either way.
		return p.ARN(issuer), nil
	}
	return "", fmt.Errorf("creating the IAM OIDC provider of EKS cluster %q for %s: %w", p.owner.Cluster, issuer, err)
}

// Find returns the ARN of the provider of issuer, "" when there is none.
func (p *Provider) Find(ctx context.Context, issuer string) (string, error) {
	if issuer == "" {
		return "", nil
	}
	arn := p.ARN(issuer)
	_, err := p.c.IAM.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	switch {
	case apierr.IsA[*iamtypes.NoSuchEntityException](err):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("reading the IAM OIDC provider of EKS cluster %q: %w", p.owner.Cluster, err)
	}
	return arn, nil
}

// owned lists the ARNs of the OIDC providers carrying this cluster's owner
// tag.
func (p *Provider) owned(ctx context.Context) ([]string, error) {
	list, err := p.c.IAM.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		return nil, fmt.Errorf("listing IAM OIDC providers: %w", err)
	}
	var arns []string
	for _, e := range list.OpenIDConnectProviderList {
		out, err := p.c.IAM.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: e.Arn})
		if apierr.IsA[*iamtypes.NoSuchEntityException](err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading IAM OIDC provider %s: %w", aws.ToString(e.Arn), err)
		}
		for _, t := range out.Tags {
			if aws.ToString(t.Key) == owned.Tag && aws.ToString(t.Value) == p.owner.Value() {
				arns = append(arns, aws.ToString(e.Arn))
			}
		}
	}
	return arns, nil
}

// Leftovers names the OIDC providers this resource made that exist.
func (p *Provider) Leftovers(ctx context.Context) ([]string, error) {
	arns, err := p.owned(ctx)
	for i, a := range arns {
		arns[i] = "IAM OIDC provider " + a
	}
	return arns, err
}

// Delete deletes the OIDC providers this resource made.
func (p *Provider) Delete(ctx context.Context) error {
	arns, err := p.owned(ctx)
	if err != nil {
		return err
	}
	for _, a := range arns {
		_, err := p.c.IAM.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(a)})
		if err != nil && !apierr.IsA[*iamtypes.NoSuchEntityException](err) {
			return fmt.Errorf("deleting IAM OIDC provider %s of EKS cluster %q: %w", a, p.owner.Cluster, err)
		}
	}
	return nil
}

// UpdateTags brings the tags of the providers this resource made from old
// to tags_all.
func (p *Provider) UpdateTags(ctx context.Context, old map[string]string) error {
	add, remove := p.owner.TagChanges(old)
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	arns, err := p.owned(ctx)
	if err != nil {
		return err
	}
	for _, a := range arns {
		if len(remove) > 0 {
			if _, err := p.c.IAM.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(a), TagKeys: remove}); err != nil {
				return fmt.Errorf("untagging IAM OIDC provider %s: %w", a, err)
			}
		}
		if len(add) > 0 {
			if _, err := p.c.IAM.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(a), Tags: iamTags(add)}); err != nil {
				return fmt.Errorf("tagging IAM OIDC provider %s: %w", a, err)
			}
		}
	}
	return nil
}

func iamTags(m map[string]string) []iamtypes.Tag {
	var t []iamtypes.Tag
	for k, v := range m {
		t = append(t, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return t
}
