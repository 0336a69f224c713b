package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// roleKind is one of the three roles the resource may create.
type roleKind struct {
	kind     string // part of the role name
	service  string // trusted service principal
	actions  []string
	policies []string // AWS managed policies, by name
	purpose  string
}

var (
	clusterRole = roleKind{"cluster", "eks.amazonaws.com", []string{"sts:AssumeRole", "sts:TagSession"},
		[]string{"AmazonEKSClusterPolicy"}, "EKS cluster role"}
	nodeRole = roleKind{"node", "ec2.amazonaws.com", []string{"sts:AssumeRole"},
		[]string{"AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"}, "EKS node role"}
	podExecutionRole = roleKind{"fargate-pod-execution", "eks-fargate-pods.amazonaws.com", []string{"sts:AssumeRole"},
		[]string{"AmazonEKSFargatePodExecutionRolePolicy"}, "Fargate pod execution role"}
)

func (o *ops) trustPolicy(k roleKind) string {
	stmt := map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": k.service},
		"Action":    k.actions,
	}
	if k.kind == podExecutionRole.kind {
		// AWS recommends limiting the Fargate role to this cluster's profiles
		// (confused-deputy protection).
		stmt["Condition"] = map[string]any{"ArnLike": map[string]any{
			"aws:SourceArn": fmt.Sprintf("arn:%s:eks:%s:%s:fargateprofile/%s/*", o.c.Partition, o.c.Region, o.c.AccountID, o.name),
		}}
	}
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{stmt}})
	return string(b)
}

func (o *ops) managedPolicyARN(name string) string {
	return fmt.Sprintf("arn:%s:iam::aws:policy/%s", o.c.Partition, name)
}

func iamTags(m map[string]string) []iamtypes.Tag {
	var t []iamtypes.Tag
	for k, v := range m {
		t = append(t, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return t
}

// ensureRole creates the role (or adopts the one an interrupted apply of this
// same cluster left behind) and attaches its managed policies. It returns the
// role's ARN.
func (o *ops) ensureRole(ctx context.Context, k roleKind) (string, error) {
	name := o.roleName(k.kind)
	out, err := o.c.IAM.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(o.trustPolicy(k)),
		Description:              aws.String(fmt.Sprintf("%s of %s, managed by Terraform (terrax/fargate)", k.purpose, o.name)),
		Tags:                     iamTags(o.ownedTags(nil)),
	})
	var arn string
	switch {
	case err == nil:
		arn = aws.ToString(out.Role.Arn)
	case apierr.Is(err, "EntityAlreadyExists"):
		role, gerr := o.findOwnedRole(ctx, name)
		if gerr != nil {
			return "", gerr
		}
		if role == nil {
			return "", fmt.Errorf("creating the %s: IAM role %q already exists and was not created for cluster %s; delete or rename it, or pass its ARN in the resource's role attribute", k.purpose, name, o.owner())
		}
		arn = aws.ToString(role.Arn)
	default:
		return "", fmt.Errorf("creating the %s %q: %w", k.purpose, name, err)
	}
	for _, p := range k.policies {
		if _, err := o.c.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(o.managedPolicyARN(p))}); err != nil {
			return arn, fmt.Errorf("attaching %s to IAM role %q: %w", p, name, err)
		}
	}
	return arn, nil
}

// findOwnedRole returns the role when it carries this cluster's owner tag,
// nil when it exists but belongs to someone else, and a not-found error when
// it does not exist.
func (o *ops) findOwnedRole(ctx context.Context, name string) (*iamtypes.Role, error) {
	out, err := o.c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if apierr.Is(err, "NoSuchEntity") {
		return nil, &apierr.NotFoundError{What: fmt.Sprintf("IAM role %q", name), Cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("reading IAM role %q: %w", name, err)
	}
	for _, t := range out.Role.Tags {
		if aws.ToString(t.Key) == OwnerTag && aws.ToString(t.Value) == o.owner() {
			return out.Role, nil
		}
	}
	return nil, nil
}

// deleteOwnedRoles deletes the roles this cluster created; a role the user
// brought carries no owner tag and is left alone.
func (o *ops) deleteOwnedRoles(ctx context.Context) error {
	for _, k := range []roleKind{podExecutionRole, nodeRole, clusterRole} {
		if err := o.deleteOwnedRole(ctx, o.roleName(k.kind)); err != nil {
			return err
		}
	}
	return nil
}

func (o *ops) deleteOwnedRole(ctx context.Context, name string) error {
	role, err := o.findOwnedRole(ctx, name)
	if apierr.NotFound(err) || (err == nil && role == nil) {
		return nil
	}
	if err != nil {
		return err
	}
	attached := iam.NewListAttachedRolePoliciesPaginator(o.c.IAM, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing policies of IAM role %q: %w", name, err)
		}
		for _, p := range page.AttachedPolicies {
			_, err := o.c.IAM.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: p.PolicyArn})
			if err != nil && !apierr.Is(err, "NoSuchEntity") {
				return fmt.Errorf("detaching %s from IAM role %q: %w", aws.ToString(p.PolicyArn), name, err)
			}
		}
	}
	_, err = o.c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
	if err != nil && !apierr.Is(err, "NoSuchEntity") {
		return fmt.Errorf("deleting IAM role %q: %w", name, err)
	}
	return nil
}

// updateRoleTags brings the tags of the roles this cluster owns to tags_all.
func (o *ops) updateRoleTags(ctx context.Context, old map[string]string) error {
	add, remove := tagChanges(old, o.tags)
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	for _, k := range []roleKind{clusterRole, nodeRole, podExecutionRole} {
		name := o.roleName(k.kind)
		role, err := o.findOwnedRole(ctx, name)
		if apierr.NotFound(err) || (err == nil && role == nil) {
			continue
		}
		if err != nil {
			return err
		}
		if len(remove) > 0 {
			if _, err := o.c.IAM.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(name), TagKeys: remove}); err != nil {
				return fmt.Errorf("untagging IAM role %q: %w", name, err)
			}
		}
		if len(add) > 0 {
			if _, err := o.c.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(name), Tags: iamTags(add)}); err != nil {
				return fmt.Errorf("tagging IAM role %q: %w", name, err)
			}
		}
	}
	return nil
}

// mapChanges lists what turns map old into new (tags, labels): entries to
// set (nil when none) and keys to remove.
func mapChanges(old, new map[string]string) (map[string]string, []string) {
	var set map[string]string
	for k, v := range new {
		if ov, ok := old[k]; !ok || ov != v {
			if set == nil {
				set = map[string]string{}
			}
			set[k] = v
		}
	}
	var remove []string
	for k := range old {
		if _, ok := new[k]; !ok {
			remove = append(remove, k)
		}
	}
	sort.Strings(remove)
	return set, remove
}

// tagChanges is mapChanges for tags: the owner tag is never removed.
func tagChanges(old, new map[string]string) (map[string]string, []string) {
	set, remove := mapChanges(old, new)
	return set, slices.DeleteFunc(remove, func(k string) bool { return k == OwnerTag })
}

// iamPropagating reports an EKS error caused by a role that IAM has not yet
// propagated; such calls succeed when retried seconds later.
func iamPropagating(err error) bool {
	if !apierr.Is(err, "InvalidParameterException") && !apierr.Is(err, "InvalidRequestException") {
		return false
	}
	m := strings.ToLower(apierr.Message(err))
	return strings.Contains(m, "role") && (strings.Contains(m, "assume") || strings.Contains(m, "does not exist") ||
		strings.Contains(m, "trust") || strings.Contains(m, "not authorized"))
}
