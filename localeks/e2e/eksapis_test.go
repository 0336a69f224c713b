package e2e

import (
	"context"
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
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/localeks/shaping"
)

// TestEKSAPIs covers the EKS APIs localeks answers because moto lacks them:
// add-on versions per Kubernetes version, add-on updates, Pod Identity
// associations, the cluster's own OIDC issuer, and Pod Identity's absence
// on Fargate. One cluster (Kubernetes 1.35) serves every subtest.
func TestEKSAPIs(t *testing.T) {
	ctx := context.Background()
	e := eksClient("AKIDCREATOR")
	im := iam.New(iam.Options{Region: "eu-west-1", BaseEndpoint: aws.String(env.URL), Credentials: e.Options().Credentials})
	name := "apis"
	role := "arn:aws:iam::123456789012:role/eks"
	_, err := e.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String(role), Version: aws.String("1.35"),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-a", "subnet-b"}}})
	must(t, err)
	out, err := eks.NewClusterActiveWaiter(e, func(o *eks.ClusterActiveWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).
		WaitForOutput(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, time.Minute)
	must(t, err)
	cl := out.Cluster
	// The tests after this one count their own calls (TestShaping: one IAM CreateRole);
	// registered first, this runs last.
	t.Cleanup(resetCalls)
	t.Cleanup(func() { _, _ = e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)}) })

	t.Run("DescribeAddonVersions per Kubernetes version", func(t *testing.T) {
		defaults := map[string]map[string]string{} // Kubernetes version -> add-on -> default
		for _, kv := range []string{"1.31", "1.35"} {
			defaults[kv] = map[string]string{}
			p := eks.NewDescribeAddonVersionsPaginator(e, &eks.DescribeAddonVersionsInput{KubernetesVersion: aws.String(kv), MaxResults: aws.Int32(2)})
			pages := 0
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				must(t, err)
				pages++
				if len(page.Addons) > 2 {
					t.Fatalf("a page of %d add-ons with maxResults 2", len(page.Addons))
				}
				for _, a := range page.Addons {
					for _, v := range a.AddonVersions {
						for _, c := range v.Compatibilities {
							if aws.ToString(c.ClusterVersion) != kv {
								t.Errorf("%s %s: compatibility with %s in an answer for %s", aws.ToString(a.AddonName), aws.ToString(v.AddonVersion), aws.ToString(c.ClusterVersion), kv)
							}
							if c.DefaultVersion {
								if d := defaults[kv][aws.ToString(a.AddonName)]; d != "" {
									t.Errorf("%s on %s: two defaults, %s and %s", aws.ToString(a.AddonName), kv, d, aws.ToString(v.AddonVersion))
								}
								defaults[kv][aws.ToString(a.AddonName)] = aws.ToString(v.AddonVersion)
							}
						}
					}
				}
			}
			if pages != 3 || len(defaults[kv]) != 5 {
				t.Fatalf("Kubernetes %s: %d pages, defaults %v; want 3 pages of the 5 add-ons, each with one default", kv, pages, defaults[kv])
			}
		}
		if defaults["1.31"]["kube-proxy"] == defaults["1.35"]["kube-proxy"] || !strings.HasPrefix(defaults["1.35"]["kube-proxy"], "v1.35.") {
			t.Errorf("kube-proxy follows the Kubernetes version: defaults %s (1.31), %s (1.35)", defaults["1.31"]["kube-proxy"], defaults["1.35"]["kube-proxy"])
		}
		one, err := e.DescribeAddonVersions(ctx, &eks.DescribeAddonVersionsInput{AddonName: aws.String("eks-pod-identity-agent"), KubernetesVersion: aws.String("1.35")})
		must(t, err)
		if len(one.Addons) != 1 || aws.ToString(one.Addons[0].AddonName) != "eks-pod-identity-agent" || aws.ToString(one.Addons[0].Type) != "security" {
			t.Fatalf("filtered by name: %+v", one.Addons)
		}
		none, err := e.DescribeAddonVersions(ctx, &eks.DescribeAddonVersionsInput{KubernetesVersion: aws.String("1.19")})
		must(t, err)
		if len(none.Addons) != 0 {
			t.Fatalf("EKS offers no add-ons for Kubernetes 1.19: got %d", len(none.Addons))
		}
	})

	t.Run("add-on versions: refused when incompatible, defaulted, updated", func(t *testing.T) {
		setShaping(t, shaping.Config{AddonCreate: shaping.Duration{Duration: 2 * time.Second}})
		_, err := e.CreateAddon(ctx, &eks.CreateAddonInput{ClusterName: aws.String(name), AddonName: aws.String("kube-proxy"), AddonVersion: aws.String("v1.31.10-eksbuild.8")}, noRetry)
		if code(err) != "InvalidParameterException" || !strings.Contains(err.Error(), "Addon version specified is not supported") {
			t.Fatalf("kube-proxy for 1.31 on a 1.35 cluster: %v, want InvalidParameterException", err)
		}
		a, err := e.CreateAddon(ctx, &eks.CreateAddonInput{ClusterName: aws.String(name), AddonName: aws.String("kube-proxy")})
		must(t, err)
		if v := aws.ToString(a.Addon.AddonVersion); v != "v1.35.0-eksbuild.2" || a.Addon.Status != ekstypes.AddonStatusCreating {
			t.Fatalf("kube-proxy without a version: %s %s, want the 1.35 default v1.35.0-eksbuild.2, CREATING", v, a.Addon.Status)
		}
		must(t, eks.NewAddonActiveWaiter(e, func(o *eks.AddonActiveWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).
			Wait(ctx, &eks.DescribeAddonInput{ClusterName: aws.String(name), AddonName: aws.String("kube-proxy")}, 10*time.Second))
		_, err = e.UpdateAddon(ctx, &eks.UpdateAddonInput{ClusterName: aws.String(name), AddonName: aws.String("kube-proxy"), AddonVersion: aws.String("v1.36.1-eksbuild.1")}, noRetry)
		if code(err) != "InvalidParameterException" {
			t.Fatalf("kube-proxy for 1.36 on a 1.35 cluster: %v, want InvalidParameterException", err)
		}

		saRole := "arn:aws:iam::123456789012:role/kube-proxy"
		up, err := e.UpdateAddon(ctx, &eks.UpdateAddonInput{ClusterName: aws.String(name), AddonName: aws.String("kube-proxy"),
			AddonVersion: aws.String("v1.35.2-eksbuild.1"), ServiceAccountRoleArn: aws.String(saRole)})
		must(t, err)
		if up.Update.Type != ekstypes.UpdateTypeAddonUpdate || up.Update.Status != ekstypes.UpdateStatusInProgress {
			t.Fatalf("update %s %s, want AddonUpdate InProgress", up.Update.Type, up.Update.Status)
		}
		d, err := e.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: aws.String(name), AddonName: aws.String("kube-proxy")})
		must(t, err)
		if d.Addon.Status != ekstypes.AddonStatusUpdating {
			t.Fatalf("add-on %s during its update, want UPDATING", d.Addon.Status)
		}
		eventually(t, 10*time.Second, "the add-on update Successful", func() error {
			u, err := e.DescribeUpdate(ctx, &eks.DescribeUpdateInput{Name: aws.String(name), AddonName: aws.String("kube-proxy"), UpdateId: up.Update.Id})
			if err != nil || u.Update.Status != ekstypes.UpdateStatusSuccessful {
				return fmt.Errorf("%v %v", u, err)
			}
			return nil
		})
		d, err = e.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: aws.String(name), AddonName: aws.String("kube-proxy")})
		must(t, err)
		if d.Addon.Status != ekstypes.AddonStatusActive || aws.ToString(d.Addon.AddonVersion) != "v1.35.2-eksbuild.1" || aws.ToString(d.Addon.ServiceAccountRoleArn) != saRole {
			t.Fatalf("after the update: %s %s role %s", d.Addon.Status, aws.ToString(d.Addon.AddonVersion), aws.ToString(d.Addon.ServiceAccountRoleArn))
		}
		ids, err := e.ListUpdates(ctx, &eks.ListUpdatesInput{Name: aws.String(name), AddonName: aws.String("kube-proxy")})
		must(t, err)
		if !slices.Contains(ids.UpdateIds, aws.ToString(up.Update.Id)) {
			t.Fatalf("ListUpdates %v misses %s", ids.UpdateIds, aws.ToString(up.Update.Id))
		}
	})

	t.Run("the cluster's own OIDC issuer signs its service account tokens", func(t *testing.T) {
		issuer := aws.ToString(cl.Identity.Oidc.Issuer)
		if !regexp.MustCompile(`^https://oidc\.eks\.eu-west-1\.amazonaws\.com/id/[0-9A-F]{32}$`).MatchString(issuer) {
			t.Fatalf("issuer %q, want EKS's shape", issuer)
		}
		again, err := e.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
		must(t, err)
		if aws.ToString(again.Cluster.Identity.Oidc.Issuer) != issuer {
			t.Fatalf("the issuer changed: %s, then %s", issuer, aws.ToString(again.Cluster.Identity.Oidc.Issuer))
		}
		// moto's IAM takes the issuer as an OIDC provider, for IRSA trust.
		_, err = im.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(issuer),
			ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{strings.Repeat("9", 40)}})
		must(t, err)

		k := adminKube(t, ctx, cl)
		var tok *authenticationv1.TokenRequest
		eventually(t, 30*time.Second, "a token of the default service account", func() (err error) {
			tok, err = k.CoreV1().ServiceAccounts("default").CreateToken(ctx, "default", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
			return err
		})
		claims := jwtClaims(t, tok.Status.Token)
		if claims["iss"] != issuer || !slices.Contains(claims["aud"].([]any), any("https://kubernetes.default.svc")) {
			t.Fatalf("token iss %v aud %v; want %s and https://kubernetes.default.svc", claims["iss"], claims["aud"], issuer)
		}
	})

	t.Run("Pod Identity associations", func(t *testing.T) {
		r, err := im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`)})
		must(t, err)
		appRole := aws.ToString(r.Role.Arn)
		in := &eks.CreatePodIdentityAssociationInput{ClusterName: aws.String(name), Namespace: aws.String("apps"), ServiceAccount: aws.String("app"),
			RoleArn: aws.String("arn:aws:iam::123456789012:role/missing"), Tags: map[string]string{"team": "blog"}}
		_, err = e.CreatePodIdentityAssociation(ctx, in, noRetry)
		if code(err) != "InvalidParameterException" || !strings.Contains(err.Error(), "Role provided in the request does not exist") {
			t.Fatalf("a role IAM does not have: %v, want InvalidParameterException", err)
		}
		in.RoleArn, in.ClientRequestToken = aws.String(appRole), nil
		c, err := e.CreatePodIdentityAssociation(ctx, in)
		must(t, err)
		id := aws.ToString(c.Association.AssociationId)
		if !regexp.MustCompile(`^a-[0-9a-z]{17}$`).MatchString(id) || aws.ToString(c.Association.AssociationArn) != "arn:aws:eks:eu-west-1:123456789012:podidentityassociation/apis/"+id ||
			c.Association.Tags["team"] != "blog" || c.Association.CreatedAt == nil {
			t.Fatalf("association %+v", c.Association)
		}
		in.ClientRequestToken = nil // a new request, not a retry of the first
		_, err = e.CreatePodIdentityAssociation(ctx, in, noRetry)
		if code(err) != "ResourceInUseException" || !strings.Contains(err.Error(), "Association already exists: "+id) {
			t.Fatalf("a second association of apps/app: %v, want ResourceInUseException", err)
		}
		for _, sa := range []string{"b", "c"} {
			_, err := e.CreatePodIdentityAssociation(ctx, &eks.CreatePodIdentityAssociationInput{ClusterName: aws.String(name), Namespace: aws.String("other"),
				ServiceAccount: aws.String(sa), RoleArn: aws.String(appRole)})
			must(t, err)
		}
		var listed []string
		p := eks.NewListPodIdentityAssociationsPaginator(e, &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String(name), Namespace: aws.String("other"), MaxResults: aws.Int32(1)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			must(t, err)
			for _, a := range page.Associations {
				listed = append(listed, aws.ToString(a.ServiceAccount))
			}
		}
		if strings.Join(listed, ",") != "b,c" {
			t.Fatalf("namespace other listed one by one: %v, want b,c", listed)
		}
		bySA, err := e.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String(name), ServiceAccount: aws.String("app")})
		must(t, err)
		if len(bySA.Associations) != 1 || aws.ToString(bySA.Associations[0].AssociationId) != id {
			t.Fatalf("by service account: %+v", bySA.Associations)
		}
		_, err = e.UpdatePodIdentityAssociation(ctx, &eks.UpdatePodIdentityAssociationInput{ClusterName: aws.String(name), AssociationId: aws.String(id),
			RoleArn: aws.String("arn:aws:iam::123456789012:role/missing")}, noRetry)
		if code(err) != "InvalidParameterException" {
			t.Fatalf("updating to a missing role: %v, want InvalidParameterException", err)
		}
		r2, err := im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app2"), AssumeRolePolicyDocument: r.Role.AssumeRolePolicyDocument})
		must(t, err)
		_, err = e.UpdatePodIdentityAssociation(ctx, &eks.UpdatePodIdentityAssociationInput{ClusterName: aws.String(name), AssociationId: aws.String(id), RoleArn: r2.Role.Arn})
		must(t, err)
		d, err := e.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{ClusterName: aws.String(name), AssociationId: aws.String(id)})
		must(t, err)
		if aws.ToString(d.Association.RoleArn) != aws.ToString(r2.Role.Arn) || aws.ToString(d.Association.Namespace) != "apps" {
			t.Fatalf("after the update: %+v", d.Association)
		}
		_, err = e.DeletePodIdentityAssociation(ctx, &eks.DeletePodIdentityAssociationInput{ClusterName: aws.String(name), AssociationId: aws.String(id)})
		must(t, err)
		_, err = e.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{ClusterName: aws.String(name), AssociationId: aws.String(id)}, noRetry)
		if code(err) != "ResourceNotFoundException" {
			t.Fatalf("a deleted association: %v, want ResourceNotFoundException", err)
		}
		_, err = e.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String("no-such-cluster")}, noRetry)
		if code(err) != "ResourceNotFoundException" {
			t.Fatalf("a cluster that does not exist: %v, want ResourceNotFoundException", err)
		}
	})

	t.Run("Pod Identity gives no credentials on Fargate", func(t *testing.T) {
		podIdentityOnFargate(t, ctx, e, im, cl)
	})

	t.Run("associations are deleted with their cluster", func(t *testing.T) {
		deleteChildren(t, ctx, e, name, []string{"ng"}, []string{"fp"})
		_, err := e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)})
		must(t, err)
		_, err = e.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String(name)}, noRetry)
		if code(err) != "ResourceNotFoundException" {
			t.Fatalf("the associations of a deleted cluster: %v, want ResourceNotFoundException", err)
		}
		// A new cluster of the same name starts with none, and with an issuer
		// of its own, once the old one is gone (EKS refuses the name while it
		// is DELETING).
		must(t, eks.NewClusterDeletedWaiter(e, func(o *eks.ClusterDeletedWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).
			Wait(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, time.Minute))
		_, err = e.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String(role), Version: aws.String("1.35"),
			ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-a", "subnet-b"}}})
		must(t, err)
		again, err := e.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String(name)})
		must(t, err)
		if len(again.Associations) != 0 {
			t.Fatalf("a new cluster %s inherited %d associations", name, len(again.Associations))
		}
		d, err := e.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
		must(t, err)
		if aws.ToString(d.Cluster.Identity.Oidc.Issuer) == aws.ToString(cl.Identity.Oidc.Issuer) {
			t.Fatalf("two clusters share the issuer %s", aws.ToString(cl.Identity.Oidc.Issuer))
		}
		_, err = e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)})
		must(t, err)
	})
}
