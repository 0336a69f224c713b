package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/addons"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	ownedrules "github.com/terrax/terraform-provider-fargate/provider/internal/owned"
)

// Add-ons and pod credentials, asserted through the EKS and IAM APIs.

const addonsAddr = "fargate_cluster.addons"

func addonsConfig(name, cidr, version, body string) string {
	return acctest.ProviderBlock + fmt.Sprintf(`
resource "fargate_cluster" "addons" {
  name               = %q
  kubernetes_version = %q
  network            = { vpc_cidr = %q, availability_zones = ["eu-west-1a", "eu-west-1b"] }
  %s
}
`, name, version, cidr, body)
}

// oneNode is a node group of one node, where add-ons' pods run.
const oneNode = `
  node_groups = { ng = { instance_types = ["t3.medium"], desired_size = 1, min_size = 1, max_size = 1 } }`

// checkAddons: the cluster's managed add-ons are exactly names, each at
// EKS's default version for the cluster's Kubernetes version.
func checkAddons(c *conns.Client, cluster string, names ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		got, err := finder.Addons(ctx, c.EKS, cluster)
		if err != nil {
			return err
		}
		slices.Sort(got)
		slices.Sort(names)
		if !slices.Equal(got, names) {
			return fmt.Errorf("cluster %s has add-ons %v, want %v", cluster, got, names)
		}
		cl, err := finder.Cluster(ctx, c.EKS, cluster)
		if err != nil {
			return err
		}
		versions := addons.New(c, ownedrules.Owner{Region: c.Region, Cluster: cluster})
		for _, n := range names {
			a, err := finder.Addon(ctx, c.EKS, cluster, n)
			if err != nil {
				return err
			}
			want, err := versions.DefaultVersion(ctx, n, aws.ToString(cl.Version))
			if err != nil {
				return err
			}
			if aws.ToString(a.AddonVersion) != want || a.Status != "ACTIVE" {
				return fmt.Errorf("add-on %s is %s at %s, want ACTIVE at %s (EKS's default for Kubernetes %s)",
					n, a.Status, aws.ToString(a.AddonVersion), want, aws.ToString(cl.Version))
			}
		}
		return nil
	}
}

// checkAddonConfig: the add-on's configuration in EKS holds want.
func checkAddonConfig(c *conns.Client, cluster, name string, want map[string]any) resource.TestCheckFunc {
	return func(*terraform.State) error {
		a, err := finder.Addon(context.Background(), c.EKS, cluster, name)
		if err != nil {
			return err
		}
		got := map[string]any{}
		if err := json.Unmarshal([]byte(aws.ToString(a.ConfigurationValues)), &got); err != nil {
			return fmt.Errorf("add-on %s configuration %q: %w", name, aws.ToString(a.ConfigurationValues), err)
		}
		for k, v := range want {
			if fmt.Sprint(got[k]) != fmt.Sprint(v) {
				return fmt.Errorf("add-on %s has configuration %v, want %s = %v", name, got, k, v)
			}
		}
		return nil
	}
}

// oidcOf checks that the cluster's IAM OIDC provider exists for its issuer,
// for STS, and is the state's; it keeps its ARN for checkOIDCGone.
func oidcOf(c *conns.Client, cluster string, arn *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		cl, err := finder.Cluster(ctx, c.EKS, cluster)
		if err != nil {
			return err
		}
		issuer := aws.ToString(cl.Identity.Oidc.Issuer)
		*arn = s.RootModule().Resources[addonsAddr].Primary.Attributes["oidc_provider_arn"]
		out, err := c.IAM.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
		if err != nil {
			return fmt.Errorf("the OIDC provider %q of cluster %s: %w", *arn, cluster, err)
		}
		if u := aws.ToString(out.Url); !strings.HasSuffix(issuer, strings.TrimPrefix(u, "https://")) || !slices.Equal(out.ClientIDList, []string{"sts.amazonaws.com"}) {
			return fmt.Errorf("OIDC provider %s has URL %s and clients %v; want the issuer %s and sts.amazonaws.com", *arn, u, out.ClientIDList, issuer)
		}
		// The thumbprint AWS documents for its EKS issuers (none is fetched).
		if !slices.Equal(out.ThumbprintList, []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"}) {
			return fmt.Errorf("OIDC provider %s has thumbprints %v", *arn, out.ThumbprintList)
		}
		return nil
	}
}

// checkOIDCTags: the cluster's OIDC provider carries exactly the tags and
// the owner tag.
func checkOIDCTags(c *conns.Client, addr, cluster string, tags map[string]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		arn := s.RootModule().Resources[addr].Primary.Attributes["oidc_provider_arn"]
		out, err := c.IAM.GetOpenIDConnectProvider(context.Background(), &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		if err != nil {
			return fmt.Errorf("the OIDC provider %q of cluster %s: %w", arn, cluster, err)
		}
		got := map[string]string{}
		for _, t := range out.Tags {
			got[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		return equalTags("IAM OIDC provider "+arn, got, withOwner(cluster, tags))
	}
}

func checkOIDCGone(c *conns.Client, arn *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := c.IAM.GetOpenIDConnectProvider(context.Background(), &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
		if !apierr.IsA[*iamtypes.NoSuchEntityException](err) {
			return fmt.Errorf("the OIDC provider %s is still there after destroy (%v)", *arn, err)
		}
		return nil
	}
}

func deleteAddon(c *conns.Client, cluster, name string) func() {
	return func() {
		_, err := c.EKS.DeleteAddon(context.Background(), &eks.DeleteAddonInput{ClusterName: aws.String(cluster), AddonName: aws.String(name)})
		if err != nil {
			panic(fmt.Sprintf("deleting add-on %s of %s: %v", name, cluster, err))
		}
	}
}

// TestAccCluster_addons: the three default add-ons become managed add-ons at
// EKS's default versions, ACTIVE (CoreDNS runs on the node group), with the
// cluster's OIDC provider; an add-on's
// configuration changes in place; one removed is deleted; one deleted by
// hand shows in the plan and comes back, with one added; destroy deletes
// the OIDC provider. (Add-ons following a Kubernetes upgrade:
// TestAccCluster_upgrade.)
func TestAccCluster_addons(t *testing.T) {
	c := acctest.Client(t)
	name := "small-addons"
	var oidcARN string
	coreDNS := `coredns = { configuration_values = jsonencode({ replicaCount = 1 }) }`
	// EKS makes an add-on ACTIVE once its pods run: CoreDNS needs a node.
	cfg := func(addons string) string { return addonsConfig(name, "10.91.0.0/16", "1.35", oneNode+"\n  "+addons) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             resource.ComposeTestCheckFunc(smallGone(c, name), checkOIDCGone(c, &oidcARN)),
		Steps: []resource.TestStep{
			{
				Config: cfg(""),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkAddons(c, name, "vpc-cni", "kube-proxy", "coredns"),
					oidcOf(c, name, &oidcARN),
					resource.TestCheckResourceAttr(addonsAddr, "addons.%", "3"),
					resource.TestCheckNoResourceAttr(addonsAddr, "addons.coredns.configuration_values"),
				),
			},
			{
				Config: cfg(`addons = { vpc-cni = {}, kube-proxy = {}, ` + coreDNS + ` }`),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkAddonConfig(c, name, "coredns", map[string]any{"replicaCount": 1, "computeType": "ec2"}),
					resource.TestCheckResourceAttr(addonsAddr, "addons.coredns.configuration_values", `{"replicaCount":1}`),
				),
			},
			{
				Config: cfg(`addons = { vpc-cni = {}, ` + coreDNS + ` }`),
				Check:  checkAddons(c, name, "vpc-cni", "coredns"),
			},
			{
				PreConfig:          deleteAddon(c, name, "vpc-cni"),
				Config:             cfg(`addons = { vpc-cni = {}, ` + coreDNS + ` }`),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg(`addons = { vpc-cni = {}, kube-proxy = {}, ` + coreDNS + ` }`),
				Check:  checkAddons(c, name, "vpc-cni", "kube-proxy", "coredns"),
			},
		},
	})
}

// TestAccCluster_ebsCSI: with a node group, the EBS CSI driver gets a role
// the provider makes, through Pod Identity: an association of its
// controller's service account, the agent add-on, a role trusted by
// pods.eks.amazonaws.com with AWS's EBS CSI policy. Removed from addons,
// the driver's agent, association and role go.
func TestAccCluster_ebsCSI(t *testing.T) {
	c := acctest.Client(t)
	name := "small-ebs"
	var role string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             resource.ComposeTestCheckFunc(smallGone(c, name), checkRoleGone(c, &role)),
		Steps: []resource.TestStep{
			{
				Config: addonsConfig(name, "10.92.0.0/16", "1.35", oneNode+`
  addons      = { vpc-cni = {}, kube-proxy = {}, coredns = {}, aws-ebs-csi-driver = {} }`),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkAddons(c, name, "vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver", "eks-pod-identity-agent"),
					checkPodIdentity(c, name, &role),
					resource.TestCheckResourceAttr(addonsAddr, "addons.%", "4"),
					resource.TestCheckNoResourceAttr(addonsAddr, "addons.aws-ebs-csi-driver.service_account_role_arn"),
				),
			},
			{
				// The driver removed: its agent, association and role go too.
				Config: addonsConfig(name, "10.92.0.0/16", "1.35", oneNode),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkAddons(c, name, "vpc-cni", "kube-proxy", "coredns"),
					checkRoleGone(c, &role),
					func(*terraform.State) error {
						_, err := finder.PodIdentityAssociation(context.Background(), c.EKS, name, "kube-system", "ebs-csi-controller-sa")
						if !apierr.NotFound(err) {
							return fmt.Errorf("the Pod Identity association of the EBS CSI driver is still there (%v)", err)
						}
						return nil
					},
				),
			},
		},
	})
}

func checkPodIdentity(c *conns.Client, cluster string, role *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		a, err := finder.PodIdentityAssociation(ctx, c.EKS, cluster, "kube-system", "ebs-csi-controller-sa")
		if err != nil {
			return err
		}
		*role = aws.ToString(a.RoleArn)
		if err := checkRolePolicies(ctx, c, *role, "pods.eks.amazonaws.com", "AmazonEBSCSIDriverPolicy"); err != nil {
			return err
		}
		out, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String((*role)[strings.LastIndex(*role, "/")+1:])})
		if err != nil {
			return err
		}
		if doc, _ := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument)); !strings.Contains(doc, "sts:TagSession") {
			return fmt.Errorf("the EBS CSI role does not allow sts:TagSession, which Pod Identity needs: %s", doc)
		}
		return nil
	}
}

func checkRoleGone(c *conns.Client, arn *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := c.IAM.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String((*arn)[strings.LastIndex(*arn, "/")+1:])})
		if !apierr.IsA[*iamtypes.NoSuchEntityException](err) {
			return fmt.Errorf("role %s is still there (%v)", *arn, err)
		}
		return nil
	}
}

// Refused at plan, on the attribute: the EBS CSI driver without a node
// group, a configuration that is not JSON, a name EKS would refuse.
func TestAccCluster_addonsRefused(t *testing.T) {
	cfg := func(body string) string { return addonsConfig("refused", "10.93.0.0/16", "1.35", body) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(`addons = { aws-ebs-csi-driver = {} }`), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)The EBS CSI driver needs a node group.*runs only on\s+EC2 nodes`)},
			{Config: cfg(`addons = { coredns = { configuration_values = "replicaCount: 2" } }`), PlanOnly: true,
				ExpectError: regexp.MustCompile(`must be a JSON object`)},
			{Config: cfg(`addons = { "VPC CNI" = {} }`), PlanOnly: true,
				ExpectError: regexp.MustCompile(`must be an EKS add-on name`)},
		},
	})
}
