package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
)

const accessAddr = "fargate_cluster.access"

// accessConfig is a lean cluster whose teammate role has policy (at
// namespaces; none when policy is ""), and the tb-demo namespace.
func accessConfig(name, role, policy, namespaces string, extra ...string) string {
	entries := ""
	if policy != "" {
		entries = fmt.Sprintf(`access_entries = {
    teammate = { principal_arn = %q, policies = [{ policy = %q, namespaces = %s }] }
  }`, role, policy, namespaces)
	}
	return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "access" {
  name    = %q
  network = { vpc_cidr = "10.137.0.0/16", availability_zones = ["eu-west-1a", "eu-west-1b"] }
  %s
  %s
}

resource "fargate_manifest" "namespace" {
  cluster  = fargate_cluster.access.name
  manifest = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tb-demo\n"
}
`, name, entries, strings.Join(extra, "\n  "))
}

// teammateApplies is the teammate's own Terraform configuration, run as a
// user runs it (the provider in its own process, installed from bin/mirror):
// the provider assumes the teammate's role and applies a ConfigMap to the
// cluster, which is checked through the creator's client, then destroys it.
func teammateApplies(t *testing.T, cluster, role string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		w := acctest.NewWorkdir(t, acctest.ProviderBlock+fmt.Sprintf(`
provider "fargate" {
  assume_role {
    role_arn     = %q
    session_name = "ci-run"
  }
}

resource "fargate_manifest" "by_teammate" {
  cluster  = %q
  manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-teammate\n  namespace: tb-demo\ndata:\n  hello: world\n"
}
`, role, cluster))
		if out, err := w.Run("apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
			return fmt.Errorf("the teammate's apply: %v\n%s", err, out)
		}
		cm, err := acctest.Kube(t, cluster).Kube.CoreV1().ConfigMaps("tb-demo").Get(context.Background(), "from-teammate", metav1.GetOptions{})
		if err != nil || cm.Data["hello"] != "world" {
			return fmt.Errorf("the teammate's ConfigMap: %v %v", cm, err)
		}
		if out, err := w.Run("destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
			return fmt.Errorf("the teammate's destroy: %v\n%s", err, out)
		}
		return nil
	}
}

// teammate makes Kubernetes clients of the cluster as a new session of the
// role, each with a new token (the apiserver caches its webhook's answer
// for a token).
func teammate(c *conns.Client, cluster, role string) func() (*kubeclient.Client, error) {
	return func() (*kubeclient.Client, error) {
		ctx := context.Background()
		time.Sleep(time.Second) // tokens are signed to the second
		s, err := c.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("checker")})
		if err != nil {
			return nil, err
		}
		cr := s.Credentials
		st := sts.New(sts.Options{Region: acctest.Region, BaseEndpoint: aws.String(acctest.LocalEKSURL), Credentials: aws.CredentialsProviderFunc(
			func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: aws.ToString(cr.AccessKeyId), SecretAccessKey: aws.ToString(cr.SecretAccessKey), SessionToken: aws.ToString(cr.SessionToken)}, nil
			})})
		out, err := c.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(cluster)})
		if err != nil {
			return nil, err
		}
		return kubeclient.New(st, cluster, aws.ToString(out.Cluster.Endpoint), aws.ToString(out.Cluster.CertificateAuthority.Data))
	}
}

// within retries check (each try a new token) until it passes: rights
// change as soon as EKS has the entry, and the token webhook's answers are
// cached for a short while.
func within(d time.Duration, what string, check func() error) error {
	deadline := time.Now().Add(d)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not within %s: %w", what, d, err)
		}
	}
}

// checkPolicies checks through the EKS API the teammate's associations.
func checkPolicies(c *conns.Client, cluster, role string, want map[string][]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := c.EKS.ListAssociatedAccessPolicies(context.Background(), &eks.ListAssociatedAccessPoliciesInput{ClusterName: aws.String(cluster), PrincipalArn: aws.String(role)})
		if err != nil {
			return fmt.Errorf("the teammate's access entry: %w", err)
		}
		e, err := c.EKS.DescribeAccessEntry(context.Background(), &eks.DescribeAccessEntryInput{ClusterName: aws.String(cluster), PrincipalArn: aws.String(role)})
		if err != nil || e.AccessEntry.Tags[acctest.OwnerTag] != acctest.Region+"/"+cluster {
			return fmt.Errorf("the teammate's access entry %+v (%v) does not carry the owner tag", e, err)
		}
		got := map[string][]string{}
		for _, p := range out.AssociatedAccessPolicies {
			got[eksauth.AccessPolicyName(aws.ToString(p.PolicyArn))] = p.AccessScope.Namespaces
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("the teammate's policies in EKS are %v, want %v", got, want)
		}
		return nil
	}
}

// checkMode checks the cluster's authentication mode through the EKS API.
func checkMode(c *conns.Client, cluster, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := c.EKS.DescribeCluster(context.Background(), &eks.DescribeClusterInput{Name: aws.String(cluster)})
		if err != nil || out.Cluster.AccessConfig == nil || string(out.Cluster.AccessConfig.AuthenticationMode) != want {
			return fmt.Errorf("cluster %s: accessConfig %+v (%v), want authentication mode %s", cluster, out, err, want)
		}
		return nil
	}
}

// TestAccCluster_accessEntries: a teammate (an IAM role, used through its
// sessions) given AmazonEKSViewPolicy on tb-demo reads pods there and
// nothing more; made cluster admin in place (as the cluster moves from
// API_AND_CONFIG_MAP to API), it applies a fargate_manifest
// with its own credentials; removed, it gets 401; destroy leaves no entry.
func TestAccCluster_accessEntries(t *testing.T) {
	c := acctest.Client(t)
	ctx := context.Background()
	name := "small-access"
	roleName := name + "-teammate"
	r, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(roleName),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"arn:aws:iam::123456789012:root"}}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(roleName)}) })
	role := aws.ToString(r.Role.Arn)
	as := teammate(c, name, role)
	viewerOnly := func(*terraform.State) error {
		return within(45*time.Second, "the teammate views tb-demo and nothing more", func() error {
			k, err := as()
			if err != nil {
				return err
			}
			if _, err := k.Kube.CoreV1().Pods("tb-demo").List(ctx, metav1.ListOptions{}); err != nil {
				return fmt.Errorf("listing pods in tb-demo: %w", err)
			}
			d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"}}
			if _, err := k.Kube.AppsV1().Deployments("tb-demo").Create(ctx, d, metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
				return fmt.Errorf("creating a Deployment in tb-demo: err = %v, want 403", err)
			}
			if _, err := k.Kube.CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
				return fmt.Errorf("listing pods in kube-system: err = %v, want 403", err)
			}
			return nil
		})
	}
	const migrating = `authentication_mode = "API_AND_CONFIG_MAP"`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(smallGone(c, name), func(*terraform.State) error {
			_, err := c.EKS.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String(name)})
			var nf *ekstypes.ResourceNotFoundException
			if !errors.As(err, &nf) {
				return fmt.Errorf("access entries after destroy: err = %v, want the cluster gone", err)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: accessConfig(name, role, "AmazonEKSViewPolicy", `["tb-demo"]`, migrating),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(accessAddr, "authentication_mode", "API_AND_CONFIG_MAP"),
					checkMode(c, name, "API_AND_CONFIG_MAP"),
					resource.TestCheckResourceAttr(accessAddr, "bootstrap_creator_admin", "true"),
					resource.TestCheckResourceAttr(accessAddr, "access_entries.teammate.type", "STANDARD"),
					checkPolicies(c, name, role, map[string][]string{"AmazonEKSViewPolicy": {"tb-demo"}}),
					viewerOnly,
				),
			},
			{
				// Drift: the policy taken away outside Terraform shows in the plan.
				Config: accessConfig(name, role, "AmazonEKSViewPolicy", `["tb-demo"]`, migrating),
				Check: func(*terraform.State) error {
					_, err := c.EKS.DisassociateAccessPolicy(ctx, &eks.DisassociateAccessPolicyInput{ClusterName: aws.String(name),
						PrincipalArn: aws.String(role), PolicyArn: aws.String(eksauth.AccessPolicyARN("AmazonEKSViewPolicy"))})
					return err
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(accessAddr, plancheck.ResourceActionUpdate),
				}},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: accessConfig(name, role, "AmazonEKSClusterAdminPolicy", `[]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(accessAddr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					checkPolicies(c, name, role, map[string][]string{"AmazonEKSClusterAdminPolicy": nil}),
					resource.TestCheckResourceAttr(accessAddr, "authentication_mode", "API"),
					checkMode(c, name, "API"),
					teammateApplies(t, name, role),
				),
			},
			{
				// EKS cannot go back to the aws-auth ConfigMap: refused at plan.
				Config:      accessConfig(name, role, "AmazonEKSClusterAdminPolicy", `[]`, `authentication_mode = "API_AND_CONFIG_MAP"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(flex(`(?s)Authentication mode cannot go back.*from API back to API_AND_CONFIG_MAP`)),
			},
			{
				Config: accessConfig(name, role, "", ""),
				Check: func(*terraform.State) error {
					out, err := c.EKS.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String(name)})
					if err != nil || slices.Contains(out.AccessEntries, role) {
						return fmt.Errorf("access entries after removal: %v (%v)", out, err)
					}
					return within(45*time.Second, "the removed teammate gets 401", func() error {
						k, err := as()
						if err != nil {
							return err
						}
						if _, err := k.Kube.CoreV1().Pods("tb-demo").List(ctx, metav1.ListOptions{}); !apierrors.IsUnauthorized(err) {
							return fmt.Errorf("err = %v, want 401", err)
						}
						return nil
					})
				},
			},
		},
	})
}
