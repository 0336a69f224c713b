package e2e

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

// eksErr reports whether err is the EKS error T.
func eksErr[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// asUser is client-go with a new token of the credentials at each call:
// the apiserver caches its webhook's answer for a token.
func asUser(t *testing.T, cl *ekstypes.Cluster, c aws.Credentials) func() kubernetes.Interface {
	return func() kubernetes.Interface {
		time.Sleep(time.Second) // X-Amz-Date has seconds: a new token
		tok, err := eksauth.NewToken(context.Background(), stsAs(c), aws.ToString(cl.Name))
		must(t, err)
		return kube(t, cl, tok.Value)
	}
}

// TestAccessEntries: the access entry APIs with EKS's shapes and errors
// (https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html,
// https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessEntry.html),
// and what each access policy lets a principal do
// (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html).
func TestAccessEntries(t *testing.T) {
	ctx := context.Background()
	e := eksClient("AKIDENTRIES")
	name := "entries"
	cl := activeCluster(t, e, name, &ekstypes.CreateAccessConfigRequest{AuthenticationMode: ekstypes.AuthenticationModeApi})
	if ac := cl.AccessConfig; ac == nil || ac.AuthenticationMode != ekstypes.AuthenticationModeApi || !aws.ToBool(ac.BootstrapClusterCreatorAdminPermissions) {
		t.Fatalf("accessConfig %+v, want API with the creator bootstrapped", ac)
	}
	creator := "arn:aws:sts::123456789012:user/moto" // moto's default user
	list, err := e.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String(name),
		AssociatedPolicyArn: aws.String(eksauth.AccessPolicyARN("AmazonEKSClusterAdminPolicy"))})
	must(t, err)
	if !slices.Equal(list.AccessEntries, []string{creator}) {
		t.Fatalf("cluster admin entries %v, want the creator's alone", list.AccessEntries)
	}
	pols, err := e.ListAccessPolicies(ctx, &eks.ListAccessPoliciesInput{})
	must(t, err)
	if len(pols.AccessPolicies) != len(eksauth.AccessPolicies) {
		t.Errorf("ListAccessPolicies: %d policies", len(pols.AccessPolicies))
	}

	im := iamClient()
	_, err = im.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("entries-viewer")})
	must(t, err)
	key, err := im.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("entries-viewer")})
	must(t, err)
	viewerARN := "arn:aws:iam::123456789012:user/entries-viewer"
	viewer := asUser(t, cl, aws.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)})
	out, err := e.CreateAccessEntry(ctx, &eks.CreateAccessEntryInput{ClusterName: aws.String(name), PrincipalArn: aws.String(viewerARN),
		KubernetesGroups: []string{"entries-readers"}})
	must(t, err)
	if a := out.AccessEntry; aws.ToString(a.Type) != "STANDARD" || aws.ToString(a.Username) != viewerARN || !slices.Equal(a.KubernetesGroups, []string{"entries-readers"}) {
		t.Errorf("access entry %+v", a)
	}
	view := func(ns ...string) error {
		_, err := e.AssociateAccessPolicy(ctx, &eks.AssociateAccessPolicyInput{ClusterName: aws.String(name), PrincipalArn: aws.String(viewerARN),
			PolicyArn: aws.String(eksauth.AccessPolicyARN("AmazonEKSViewPolicy")), AccessScope: &ekstypes.AccessScope{Type: ekstypes.AccessScopeTypeNamespace, Namespaces: ns}})
		return err
	}
	must(t, view("tb-demo"))

	t.Run("EKS's errors", func(t *testing.T) {
		_, err := e.CreateAccessEntry(ctx, &eks.CreateAccessEntryInput{ClusterName: aws.String(name), PrincipalArn: aws.String(viewerARN)})
		if !eksErr[*ekstypes.ResourceInUseException](err) {
			t.Errorf("a second entry for the viewer: err = %v, want ResourceInUseException", err)
		}
		refused := map[string]error{}
		_, refused["a role session as principal"] = e.CreateAccessEntry(ctx, &eks.CreateAccessEntryInput{ClusterName: aws.String(name),
			PrincipalArn: aws.String("arn:aws:sts::123456789012:assumed-role/eks/s")})
		_, refused["a user IAM does not know"] = e.CreateAccessEntry(ctx, &eks.CreateAccessEntryInput{ClusterName: aws.String(name),
			PrincipalArn: aws.String("arn:aws:iam::123456789012:user/nobody")})
		_, refused["a system: group"] = e.UpdateAccessEntry(ctx, &eks.UpdateAccessEntryInput{ClusterName: aws.String(name),
			PrincipalArn: aws.String(viewerARN), KubernetesGroups: []string{"system:masters"}})
		refused["a namespace scope without namespaces"] = view()
		_, refused["a policy EKS does not have"] = e.AssociateAccessPolicy(ctx, &eks.AssociateAccessPolicyInput{ClusterName: aws.String(name),
			PrincipalArn: aws.String(viewerARN), PolicyArn: aws.String(eksauth.AccessPolicyARN("AmazonEKSRootPolicy")),
			AccessScope: &ekstypes.AccessScope{Type: ekstypes.AccessScopeTypeCluster}})
		for what, err := range refused {
			if !eksErr[*ekstypes.InvalidParameterException](err) {
				t.Errorf("%s: err = %v, want InvalidParameterException", what, err)
			}
		}
		_, err = e.DescribeAccessEntry(ctx, &eks.DescribeAccessEntryInput{ClusterName: aws.String(name), PrincipalArn: aws.String("arn:aws:iam::123456789012:role/eks")})
		if !eksErr[*ekstypes.ResourceNotFoundException](err) {
			t.Errorf("describing an entry that does not exist: err = %v, want ResourceNotFoundException", err)
		}
		for what, ac := range map[string]*ekstypes.UpdateAccessConfigRequest{
			"back to API_AND_CONFIG_MAP": {AuthenticationMode: ekstypes.AuthenticationModeApiAndConfigMap},
			"the same mode":              {AuthenticationMode: ekstypes.AuthenticationModeApi},
		} {
			if _, err := e.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String(name), AccessConfig: ac}); !eksErr[*ekstypes.InvalidParameterException](err) {
				t.Errorf("UpdateClusterConfig %s: err = %v, want InvalidParameterException", what, err)
			}
		}
	})

	admin := asUser(t, cl, aws.Credentials{AccessKeyID: "AKIDENTRIES", SecretAccessKey: "testing"})()
	for _, ns := range []string{"tb-demo", "entries-other"} {
		_, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		must(t, err)
	}
	eventually(t, 30*time.Second, "the viewer lists pods in tb-demo", func() error {
		_, err := viewer().CoreV1().Pods("tb-demo").List(ctx, metav1.ListOptions{})
		return err
	})
	k := viewer()
	if _, err := k.AppsV1().Deployments("tb-demo").Create(ctx, deployment("tb-demo", "web", map[string]string{"app": "web"}, 1, ""), metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("a viewer creating a Deployment: err = %v, want 403", err)
	}
	if _, err := k.CoreV1().Pods("entries-other").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("a viewer of tb-demo listing pods in another namespace: err = %v, want 403", err)
	}
	// kubernetes_groups go through RBAC: a binding of the entry's group.
	_, err = admin.RbacV1().RoleBindings("entries-other").Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "readers"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "view"},
		Subjects: []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "Group", Name: "entries-readers"}}}, metav1.CreateOptions{})
	must(t, err)
	eventually(t, 30*time.Second, "the entry's group bound in entries-other", func() error {
		_, err := k.CoreV1().Pods("entries-other").List(ctx, metav1.ListOptions{})
		return err
	})

	// Edit at cluster scope replaces nothing else: the viewer may now create Deployments.
	_, err = e.AssociateAccessPolicy(ctx, &eks.AssociateAccessPolicyInput{ClusterName: aws.String(name), PrincipalArn: aws.String(viewerARN),
		PolicyArn: aws.String(eksauth.AccessPolicyARN("AmazonEKSEditPolicy")), AccessScope: &ekstypes.AccessScope{Type: ekstypes.AccessScopeTypeCluster}})
	must(t, err)
	assoc, err := e.ListAssociatedAccessPolicies(ctx, &eks.ListAssociatedAccessPoliciesInput{ClusterName: aws.String(name), PrincipalArn: aws.String(viewerARN)})
	must(t, err)
	if len(assoc.AssociatedAccessPolicies) != 2 {
		t.Errorf("associated policies %+v, want view and edit", assoc.AssociatedAccessPolicies)
	}
	eventually(t, 30*time.Second, "an editor creates a Deployment", func() error {
		_, err := viewer().AppsV1().Deployments("tb-demo").Create(ctx, deployment("tb-demo", "web", map[string]string{"app": "web"}, 1, ""), metav1.CreateOptions{})
		return err
	})
	_, err = e.DisassociateAccessPolicy(ctx, &eks.DisassociateAccessPolicyInput{ClusterName: aws.String(name), PrincipalArn: aws.String(viewerARN),
		PolicyArn: aws.String(eksauth.AccessPolicyARN("AmazonEKSEditPolicy"))})
	must(t, err)
	eventually(t, 30*time.Second, "edit taken back", func() error {
		_, err := viewer().AppsV1().Deployments("tb-demo").Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web2"}}, metav1.CreateOptions{})
		if !apierrors.IsForbidden(err) {
			return fmt.Errorf("err = %v, want 403", err)
		}
		return nil
	})
	_, err = e.DeleteAccessEntry(ctx, &eks.DeleteAccessEntryInput{ClusterName: aws.String(name), PrincipalArn: aws.String(viewerARN)})
	must(t, err)
	eventually(t, 30*time.Second, "a deleted entry's principal gets 401", func() error {
		if _, err := viewer().CoreV1().Pods("tb-demo").List(ctx, metav1.ListOptions{}); !apierrors.IsUnauthorized(err) {
			return fmt.Errorf("err = %v, want 401", err)
		}
		return nil
	})
}

// TestAccessConfig: the authentication modes as EKS has them
// (https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html):
// CONFIG_MAP (the EKS API's default) has no access entries, moves only
// towards API, and the creator is an admin only when bootstrapped.
func TestAccessConfig(t *testing.T) {
	ctx := context.Background()
	e := eksClient("AKIDMODES")
	_, err := e.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String("modes-refused"), RoleArn: aws.String("arn:aws:iam::123456789012:role/eks"),
		AccessConfig:       &ekstypes.CreateAccessConfigRequest{AuthenticationMode: ekstypes.AuthenticationModeConfigMap, BootstrapClusterCreatorAdminPermissions: aws.Bool(false)},
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-a", "subnet-b"}}})
	if !eksErr[*ekstypes.InvalidParameterException](err) {
		t.Errorf("CONFIG_MAP without the creator: err = %v, want InvalidParameterException", err)
	}
	cl := activeCluster(t, e, "modes", nil)
	if ac := cl.AccessConfig; ac == nil || ac.AuthenticationMode != ekstypes.AuthenticationModeConfigMap {
		t.Fatalf("accessConfig %+v, want the API's default CONFIG_MAP", ac)
	}
	_, err = e.CreateAccessEntry(ctx, &eks.CreateAccessEntryInput{ClusterName: aws.String("modes"), PrincipalArn: aws.String("arn:aws:iam::123456789012:role/eks")})
	if !eksErr[*ekstypes.InvalidRequestException](err) {
		t.Errorf("an access entry in CONFIG_MAP mode: err = %v, want InvalidRequestException", err)
	}
	up, err := e.UpdateClusterConfig(ctx, &eks.UpdateClusterConfigInput{Name: aws.String("modes"),
		AccessConfig: &ekstypes.UpdateAccessConfigRequest{AuthenticationMode: ekstypes.AuthenticationModeApiAndConfigMap}})
	must(t, err)
	if up.Update.Type != ekstypes.UpdateTypeAccessConfigUpdate {
		t.Errorf("update type %s", up.Update.Type)
	}
	eventually(t, 30*time.Second, "the mode update applied", func() error {
		d, err := e.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("modes")})
		if err != nil || d.Cluster.AccessConfig.AuthenticationMode != ekstypes.AuthenticationModeApiAndConfigMap {
			return fmt.Errorf("%v", err)
		}
		return nil
	})
	l, err := e.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("modes")})
	must(t, err)
	if len(l.AccessEntries) != 1 {
		t.Errorf("entries after leaving CONFIG_MAP: %v, want the creator's", l.AccessEntries)
	}

	_, err = e.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String("modes-nobody"), RoleArn: aws.String("arn:aws:iam::123456789012:role/eks"),
		AccessConfig:       &ekstypes.CreateAccessConfigRequest{AuthenticationMode: ekstypes.AuthenticationModeApi, BootstrapClusterCreatorAdminPermissions: aws.Bool(false)},
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-a", "subnet-b"}}})
	must(t, err)
	l, err = e.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("modes-nobody")})
	must(t, err)
	if len(l.AccessEntries) != 0 {
		t.Errorf("entries without bootstrap: %v, want none", l.AccessEntries)
	}
	_, err = e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String("modes-nobody")})
	must(t, err)
	if _, err := e.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: aws.String("modes-nobody")}); !eksErr[*ekstypes.ResourceNotFoundException](err) {
		t.Errorf("entries of a deleted cluster: err = %v, want ResourceNotFoundException", err)
	}
}
