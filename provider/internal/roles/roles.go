// Package roles owns the IAM roles fargate_cluster creates: the cluster
// role, the node role and the Fargate pod execution role. Each is named and
// tagged by the owner rules (package owned), so a role an interrupted apply
// left is adopted and a role the user brought is never touched.
package roles

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
)

// Kind is one of the three roles the resource may create.
type Kind struct {
	Name     string // part of the role name
	service  string // trusted service principal
	actions  []string
	policies []string // AWS managed policies, by name
	purpose  string
}

var (
	Cluster = Kind{"cluster", "eks.amazonaws.com", []string{"sts:AssumeRole", "sts:TagSession"},
		[]string{"AmazonEKSClusterPolicy"}, "EKS cluster role"}
	Node = Kind{"node", "ec2.amazonaws.com", []string{"sts:AssumeRole"},
		[]string{"AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"}, "EKS node role"}
	PodExecution = Kind{"fargate-pod-execution", "eks-fargate-pods.amazonaws.com", []string{"sts:AssumeRole"},
		[]string{"AmazonEKSFargatePodExecutionRolePolicy"}, "Fargate pod execution role"}
	// EBSCSI is the role of the aws-ebs-csi-driver add-on's controller,
	// through EKS Pod Identity (this trust) or IRSA (EnsureIRSA).
	EBSCSI = Kind{"ebs-csi", "pods.eks.amazonaws.com", []string{"sts:AssumeRole", "sts:TagSession"},
		[]string{"service-role/AmazonEBSCSIDriverPolicy"}, "EBS CSI driver role"}
	// LoadBalancerController is the AWS Load Balancer Controller's role,
	// through IRSA only (EnsureIRSA): its pods may run on Fargate, where
	// EKS Pod Identity does not work. Its policy is AWS's, put inline by the
	// controller's part.
	LoadBalancerController = Kind{Name: "lb-controller", purpose: "AWS Load Balancer Controller role"}
	// All are the kinds, in the order they are made.
	All = []Kind{Cluster, Node, PodExecution, EBSCSI, LoadBalancerController}
)

// Roles makes, finds and deletes the roles of one cluster.
type Roles struct {
	c     *conns.Client
	owner owned.Owner
}

// New returns the roles of the cluster owner.
func New(c *conns.Client, owner owned.Owner) *Roles { return &Roles{c: c, owner: owner} }

func (r *Roles) trustPolicy(k Kind) string {
	stmt := map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": k.service},
		"Action":    k.actions,
	}
	if k.Name == PodExecution.Name {
		account, partition := r.c.Caller()
		// AWS recommends limiting the Fargate role to this cluster's profiles
		// (confused-deputy protection).
		stmt["Condition"] = map[string]any{"ArnLike": map[string]any{
			"aws:SourceArn": fmt.Sprintf("arn:%s:eks:%s:%s:fargateprofile/%s/*", partition, r.c.Region, account, r.owner.Cluster),
		}}
	}
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{stmt}})
	return string(b)
}

func (r *Roles) managedPolicyARN(name string) string {
	return fmt.Sprintf("arn:%s:iam::aws:policy/%s", r.c.Partition, name)
}

func iamTags(m map[string]string) []iamtypes.Tag {
	var t []iamtypes.Tag
	for k, v := range m {
		t = append(t, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return t
}

// Ensure creates the role (or adopts the one an interrupted apply of this
// same cluster left behind) and attaches its managed policies. It returns the
// role's ARN.
func (r *Roles) Ensure(ctx context.Context, k Kind) (string, error) {
	return r.ensure(ctx, k, r.owner.RoleName(k.Name), r.trustPolicy(k), false)
}

// EnsureNamed is Ensure for a role of kind k named name rather than by
// the cluster's role names: fargate_profile's pod execution role.
func (r *Roles) EnsureNamed(ctx context.Context, k Kind, name string) (string, error) {
	return r.ensure(ctx, k, name, r.trustPolicy(k), false)
}

// DeleteNamed deletes the role name when this owner made it.
func (r *Roles) DeleteNamed(ctx context.Context, name string) error { return r.delete(ctx, name) }

// EnsureIRSA is Ensure for a role assumed by the service account
// namespace/sa of the cluster through its IAM OIDC provider (IRSA). The
// trust of a role adopted is set again, since the same role may have been
// made for Pod Identity before.
func (r *Roles) EnsureIRSA(ctx context.Context, k Kind, oidcARN, issuer, namespace, sa string) (string, error) {
	return r.ensure(ctx, k, r.owner.RoleName(k.Name), IRSATrust(oidcARN, issuer, namespace, sa), true)
}

// IRSATrust lets the service account namespace/sa, and nothing else, assume
// the role with a token of the cluster's OIDC issuer meant for STS.
func IRSATrust(oidcARN, issuer, namespace, sa string) string {
	host := strings.TrimPrefix(issuer, "https://")
	stmt := map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]any{"Federated": oidcARN},
		"Action":    "sts:AssumeRoleWithWebIdentity",
		"Condition": map[string]any{"StringEquals": map[string]any{
			host + ":sub": "system:serviceaccount:" + namespace + ":" + sa,
			host + ":aud": "sts.amazonaws.com",
		}},
	}
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{stmt}})
	return string(b)
}

func (r *Roles) ensure(ctx context.Context, k Kind, name, trust string, updateTrust bool) (string, error) {
	out, err := r.c.IAM.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(trust),
		Description:              aws.String(fmt.Sprintf("%s of %s, managed by Terraform (terrax/fargate)", k.purpose, r.owner.Cluster)),
		Tags:                     iamTags(r.owner.TagsWith(nil)),
	})
	var arn string
	switch {
	case err == nil:
		arn = aws.ToString(out.Role.Arn)
	case apierr.IsA[*iamtypes.EntityAlreadyExistsException](err):
		role, gerr := r.findOwned(ctx, name)
		if gerr != nil {
			return "", gerr
		}
		if role == nil {
			return "", fmt.Errorf("creating the %s: IAM role %q already exists and was not created for cluster %s; delete or rename it, or pass its ARN in the resource's role attribute", k.purpose, name, r.owner.Value())
		}
		arn = aws.ToString(role.Arn)
		if updateTrust {
			if _, err := r.c.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(trust)}); err != nil {
				return arn, fmt.Errorf("setting the trust of the %s %q: %w", k.purpose, name, err)
			}
		}
	default:
		return "", fmt.Errorf("creating the %s %q: %w", k.purpose, name, err)
	}
	for _, p := range k.policies {
		if _, err := r.c.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(r.managedPolicyARN(p))}); err != nil {
			return arn, fmt.Errorf("attaching %s to IAM role %q: %w", p, name, err)
		}
	}
	return arn, nil
}

// findOwned returns the role when it carries this cluster's owner tag,
// nil when it exists but belongs to someone else, and a not-found error when
// it does not exist.
func (r *Roles) findOwned(ctx context.Context, name string) (*iamtypes.Role, error) {
	out, err := r.c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if apierr.IsA[*iamtypes.NoSuchEntityException](err) {
		return nil, &apierr.NotFoundError{What: fmt.Sprintf("IAM role %q", name), Cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("reading IAM role %q: %w", name, err)
	}
	for _, t := range out.Role.Tags {
		if aws.ToString(t.Key) == owned.Tag && aws.ToString(t.Value) == r.owner.Value() {
			return out.Role, nil
		}
	}
	return nil, nil
}

// MadeAndGone reports whether arn names the role of kind k this resource
// made (not one the user brought) and that role no longer exists.
func (r *Roles) MadeAndGone(ctx context.Context, k Kind, arn string) (bool, error) {
	name := r.owner.RoleName(k.Name)
	if !strings.HasSuffix(arn, "/"+name) {
		return false, nil // none, or the user's own
	}
	_, err := r.findOwned(ctx, name)
	if apierr.NotFound(err) {
		return true, nil
	}
	return false, err
}

// Leftovers names the roles this resource made that exist.
func (r *Roles) Leftovers(ctx context.Context) ([]string, error) {
	var left []string
	for _, k := range All {
		role, err := r.findOwned(ctx, r.owner.RoleName(k.Name))
		if err != nil && !apierr.NotFound(err) {
			return nil, err
		}
		if role != nil {
			left = append(left, "IAM role "+aws.ToString(role.RoleName))
		}
	}
	return left, nil
}
