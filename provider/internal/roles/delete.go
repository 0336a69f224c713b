package roles

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// DeleteAll deletes the roles this cluster created; a role the user
// brought carries no owner tag and is left alone.
func (r *Roles) DeleteAll(ctx context.Context) error {
	for _, k := range []Kind{LoadBalancerController, EBSCSI, PodExecution, Node, Cluster} {
		if err := r.delete(ctx, r.owner.RoleName(k.Name)); err != nil {
			return err
		}
	}
	return nil
}

// Delete deletes the role of kind k this cluster created, if any.
func (r *Roles) Delete(ctx context.Context, k Kind) error {
	return r.delete(ctx, r.owner.RoleName(k.Name))
}

func (r *Roles) delete(ctx context.Context, name string) error {
	role, err := r.findOwned(ctx, name)
	if apierr.NotFound(err) || (err == nil && role == nil) {
		return nil
	}
	if err != nil {
		return err
	}
	attached := iam.NewListAttachedRolePoliciesPaginator(r.c.IAM, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing policies of IAM role %q: %w", name, err)
		}
		for _, p := range page.AttachedPolicies {
			_, err := r.c.IAM.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: p.PolicyArn})
			if err != nil && !apierr.IsA[*iamtypes.NoSuchEntityException](err) {
				return fmt.Errorf("detaching %s from IAM role %q: %w", aws.ToString(p.PolicyArn), name, err)
			}
		}
	}
	// IAM refuses to delete a role that still has inline policies (the
	// Fargate logging permissions).
	inline := iam.NewListRolePoliciesPaginator(r.c.IAM, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing inline policies of IAM role %q: %w", name, err)
		}
		for _, p := range page.PolicyNames {
			_, err := r.c.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)})
			if err != nil && !apierr.IsA[*iamtypes.NoSuchEntityException](err) {
				return fmt.Errorf("deleting inline policy %s of IAM role %q: %w", p, name, err)
			}
		}
	}
	_, err = r.c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
	if err != nil && !apierr.IsA[*iamtypes.NoSuchEntityException](err) {
		return fmt.Errorf("deleting IAM role %q: %w", name, err)
	}
	return nil
}

// UpdateTags brings the tags of the roles this cluster owns from old to tags_all.
func (r *Roles) UpdateTags(ctx context.Context, old map[string]string) error {
	add, remove := r.owner.TagChanges(old)
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	for _, k := range All {
		name := r.owner.RoleName(k.Name)
		role, err := r.findOwned(ctx, name)
		if apierr.NotFound(err) || (err == nil && role == nil) {
			continue
		}
		if err != nil {
			return err
		}
		if len(remove) > 0 {
			if _, err := r.c.IAM.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(name), TagKeys: remove}); err != nil {
				return fmt.Errorf("untagging IAM role %q: %w", name, err)
			}
		}
		if len(add) > 0 {
			if _, err := r.c.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(name), Tags: iamTags(add)}); err != nil {
				return fmt.Errorf("tagging IAM role %q: %w", name, err)
			}
		}
	}
	return nil
}

// Propagating reports an EKS error caused by a role that IAM has not yet
// propagated; such calls succeed when retried seconds later. EKS words it
// differently per call: "Role with arn: ... could not be assumed because it
// does not exist or the trusted entity is not correct" (CreateCluster,
// CreateNodegroup), "The role with name ... cannot be found.", "Misconfigured
// PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com
// Service Principal" (CreateFargateProfile), "Role provided in the request
// does not exist" (Pod Identity), "... is not authorized to perform:
// sts:AssumeRole", "The provided role doesn't have the Amazon EKS Managed
// Policies associated with it" (policies attached a moment ago).
func Propagating(err error) bool {
	if !apierr.IsA[*ekstypes.InvalidParameterException](err) && !apierr.IsA[*ekstypes.InvalidRequestException](err) {
		return false
	}
	m := strings.ToLower(apierr.Message(err))
	if !strings.Contains(m, "role") {
		return false
	}
	for _, sign := range propagationSigns {
		if strings.Contains(m, sign) {
			return true
		}
	}
	return false
}

// propagationSigns are the words of EKS's messages for a role it cannot use yet.
var propagationSigns = []string{"assume", "does not exist", "trust", "not authorized", "cannot be found", "managed policies"}
