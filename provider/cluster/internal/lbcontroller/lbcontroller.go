package lbcontroller

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// PolicyName is the inline policy that gives the controller's role AWS's
// published permissions (docs/install/iam_policy.json, which the
// installation guide creates as AWSLoadBalancerControllerIAMPolicy).
const PolicyName = "AWSLoadBalancerControllerIAMPolicy"

// fieldManager is the server-side apply field manager of what is written here.
const fieldManager = "terraform-provider-fargate"

// Controller is the AWS Load Balancer Controller of one cluster.
type Controller struct {
	c     *conns.Client
	owner owned.Owner
	roles *roles.Roles
	// now is the clock of the certificate checks (tests move it).
	now func() time.Time
}

// New returns the controller of the cluster of owner.
func New(c *conns.Client, owner owned.Owner) *Controller {
	return &Controller{c: c, owner: owner, roles: roles.New(c, owner), now: time.Now}
}

// Want is what Install makes: version, and whether the certificate is
// made anew even when the one there could serve (the plan said so).
type Want struct {
	Version string
	Rotate  bool
}

// Kube connects to the cluster ob records.
func Kube(c *conns.Client, ob *observed.Record) (*kubeclient.Client, error) {
	cl := ob.Cluster()
	if cl == nil || cl.CertificateAuthority == nil {
		return nil, fmt.Errorf("the AWS Load Balancer Controller: EKS cluster has no endpoint yet")
	}
	return kubeclient.New(c.STS, aws.ToString(cl.Name), aws.ToString(cl.Endpoint), aws.ToString(cl.CertificateAuthority.Data))
}

// Install makes or updates the controller and waits until it serves: its
// role and policy, CRDs, RBAC, certificate, Deployment (available), then
// its webhooks and IngressClass. A certificate that can still serve is kept
// unless want.Rotate.
func (l *Controller) Install(ctx context.Context, ob *observed.Record, want Want) error {
	spec, err := l.spec(ob, want.Version)
	if err != nil {
		return err
	}
	spec.RoleARN, err = l.ensureRole(ctx, ob, want.Version)
	if spec.RoleARN != "" {
		// Recorded at once: the state after a failure names the role.
		ob.SetLoadBalancerController(observed.LoadBalancerController{RoleARN: spec.RoleARN})
	}
	if err != nil {
		return err
	}
	kc, err := Kube(l.c, ob)
	if err != nil {
		return err
	}
	old, expires, err := l.currentCerts(ctx, kc)
	spec.Certs = old
	if err != nil || want.Rotate || expires.Sub(l.now()) < RenewBefore {
		if spec.Certs, err = NewCerts(l.now()); err != nil {
			return fmt.Errorf("making the AWS Load Balancer Controller's webhook certificate: %w", err)
		}
		if err := l.trustBoth(ctx, kc, spec, old); err != nil {
			return err
		}
	}
	if err := l.applyCRDs(ctx, kc, want.Version); err != nil {
		return err
	}
	objs, err := render("controller.yaml", spec)
	if err != nil {
		return err
	}
	if err := apply(ctx, kc, objs); err != nil {
		return err
	}
	if err := l.waitAvailable(ctx, kc); err != nil {
		return err
	}
	for _, file := range []string{"webhooks.yaml", "ingressclass.yaml"} {
		objs, err := render(file, spec)
		if err == nil {
			err = apply(ctx, kc, objs)
		}
		if err != nil {
			return err
		}
	}
	return l.Observe(ctx, ob, spec.RoleARN)
}

// trustBoth, before a new certificate replaces one the webhooks already
// trust, makes them trust both CAs: pods still serving the old certificate
// during the restart are answered too. Once the controller serves the new
// one, Install leaves only its CA.
func (l *Controller) trustBoth(ctx context.Context, kc *kubeclient.Client, spec Spec, old Certs) error {
	_, err := kc.Kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, placement.LBCWebhookConfig, metav1.GetOptions{})
	if len(old.CA) == 0 || err != nil {
		return nil // no webhooks yet, or none trusting anything
	}
	spec.Bundle = append(append([]byte{}, old.CA...), spec.Certs.CA...)
	objs, err := render("webhooks.yaml", spec)
	if err != nil {
		return err
	}
	return apply(ctx, kc, objs)
}

// spec is the controller of version for the cluster ob records.
func (l *Controller) spec(ob *observed.Record, version string) (Spec, error) {
	if !Supported(version) {
		return Spec{}, fmt.Errorf("the AWS Load Balancer Controller %s is not one this provider installs (%v)", version, Versions)
	}
	cl := ob.Cluster()
	if cl == nil || cl.ResourcesVpcConfig == nil {
		return Spec{}, fmt.Errorf("installing the AWS Load Balancer Controller: EKS cluster %q is not there yet", l.owner.Cluster)
	}
	vpc := ob.Network().VPCID
	if vpc == "" {
		vpc = aws.ToString(cl.ResourcesVpcConfig.VpcId)
	}
	if vpc == "" {
		return Spec{}, fmt.Errorf("installing the AWS Load Balancer Controller: the VPC of EKS cluster %q is not known", l.owner.Cluster)
	}
	return Spec{Cluster: l.owner.Cluster, Region: l.c.Region, VPCID: vpc, Version: version}, nil
}

// ensureRole makes the controller's IRSA role and puts AWS's policy of
// version on it.
func (l *Controller) ensureRole(ctx context.Context, ob *observed.Record, version string) (string, error) {
	if l.c.Partition != "aws" {
		// AWS publishes other documents for the other partitions
		// (iam_policy_cn.json, iam_policy_us-gov.json, ...).
		return "", fmt.Errorf("the AWS Load Balancer Controller's IAM policy is embedded for the aws partition only, not %s", l.c.Partition)
	}
	oidcARN := ob.Snapshot().OIDCProvider
	cl := ob.Cluster()
	if oidcARN == "" || cl.Identity == nil || cl.Identity.Oidc == nil {
		return "", fmt.Errorf("the AWS Load Balancer Controller of EKS cluster %q needs the cluster's IAM OIDC provider (IRSA); set oidc_provider = true", l.owner.Cluster)
	}
	arn, err := l.roles.EnsureIRSA(ctx, roles.LoadBalancerController, oidcARN, aws.ToString(cl.Identity.Oidc.Issuer), placement.LBCNamespace, placement.LBCName)
	if err != nil {
		return arn, err
	}
	policy, err := Policy(version)
	if err != nil {
		return arn, err
	}
	name := l.owner.RoleName(roles.LoadBalancerController.Name)
	if _, err := l.c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(PolicyName), PolicyDocument: aws.String(policy)}); err != nil {
		return arn, fmt.Errorf("putting %s on IAM role %q: %w", PolicyName, name, err)
	}
	return arn, nil
}

// apply writes objs with server-side apply, taking their fields over.
func apply(ctx context.Context, kc *kubeclient.Client, objs []*unstructured.Unstructured) error {
	for _, o := range objs {
		gvr, ok := resources[o.GetKind()]
		if !ok {
			return fmt.Errorf("the AWS Load Balancer Controller: no resource known for kind %s", o.GetKind())
		}
		_, err := kc.Dynamic.Resource(gvr).Namespace(o.GetNamespace()).Apply(ctx, o.GetName(), o, metav1.ApplyOptions{FieldManager: fieldManager, Force: true})
		if err != nil {
			return fmt.Errorf("applying %s %s of the AWS Load Balancer Controller: %w", o.GetKind(), name(o), err)
		}
	}
	return nil
}

func name(o *unstructured.Unstructured) string {
	if ns := o.GetNamespace(); ns != "" {
		return ns + "/" + o.GetName()
	}
	return o.GetName()
}
