package e2e

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

// stsAs is an STS client with the given credentials.
func stsAs(c aws.Credentials) *sts.Client {
	return sts.New(sts.Options{Region: "eu-west-1", BaseEndpoint: aws.String(env.URL), Credentials: aws.CredentialsProviderFunc(
		func(context.Context) (aws.Credentials, error) { return c, nil })})
}

// activeCluster makes a cluster with the access config and waits for it.
func activeCluster(t *testing.T, e *eks.Client, name string, ac *ekstypes.CreateAccessConfigRequest) *ekstypes.Cluster {
	t.Helper()
	ctx := context.Background()
	_, err := e.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String("arn:aws:iam::123456789012:role/eks"),
		Version: aws.String("1.35"), AccessConfig: ac, ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-a", "subnet-b"}}})
	must(t, err)
	t.Cleanup(func() { _, _ = e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)}) })
	out, err := eks.NewClusterActiveWaiter(e, func(o *eks.ClusterActiveWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).
		WaitForOutput(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, 2*time.Minute)
	must(t, err)
	return out.Cluster
}

// oldSigner presigns as if the clock were 16 minutes behind: a token that
// was made properly but is older than EKS's 15 minutes.
type oldSigner struct{ v4.Signer }

func (o oldSigner) PresignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, hash, svc, region string, at time.Time, f ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return o.Signer.PresignHTTP(ctx, c, r, hash, svc, region, at.Add(-16*time.Minute), f...)
}

// whoAmI is the user the cluster sees for a token (SelfSubjectReview).
func whoAmI(ctx context.Context, k kubernetes.Interface) (authnv1.UserInfo, error) {
	r, err := k.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return authnv1.UserInfo{}, err
	}
	return r.Status.UserInfo, nil
}

// TestAuthenticator: localeks' token webhook checks tokens as
// aws-iam-authenticator does for EKS (https://github.com/kubernetes-sigs/aws-iam-authenticator
// "How does it work", and https://docs.aws.amazon.com/eks/latest/userguide/cluster-auth.html):
// the signed x-k8s-aws-id names this cluster, the presigned URL is exactly
// an STS GetCallerIdentity at most 15 minutes old, and rights follow the
// canonical principal, a role session's role, through its access entry.
func TestAuthenticator(t *testing.T) {
	ctx := context.Background()
	e := eksClient("AKIDAUTHN")
	name := "authn"
	cl := activeCluster(t, e, name, &ekstypes.CreateAccessConfigRequest{AuthenticationMode: ekstypes.AuthenticationModeApi})
	creator := stsClient("AKIDAUTHN")
	good, err := eksauth.NewToken(ctx, creator, name)
	must(t, err)
	if _, err := kube(t, cl, good.Value).CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("the creator's token: %v", err)
	}
	raw, _ := eksauth.URL(good.Value)
	encode := func(u string) string { return eksauth.Prefix + base64.RawURLEncoding.EncodeToString([]byte(u)) }
	forOther, err := eksauth.NewToken(ctx, creator, "another-cluster")
	must(t, err)
	old, err := sts.NewPresignClient(creator, func(o *sts.PresignOptions) { o.Presigner = oldSigner{*v4.NewSigner()} }).
		PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.PresignOptions) {
			o.ClientOptions = append(o.ClientOptions, sts.WithAPIOptions(smithyhttp.AddHeaderValue(eksauth.ClusterHeader, name), smithyhttp.AddHeaderValue("X-Amz-Expires", "60")))
		})
	must(t, err)
	for what, tok := range map[string]string{
		"a token for another cluster":      forOther.Value,
		"a token older than 15 minutes":    encode(old.URL),
		"X-Amz-Expires changed (unsigned)": encode(strings.Replace(raw, "X-Amz-Expires=60", "X-Amz-Expires=900", 1)),
		"an extra query parameter":         encode(raw + "&RoleSessionName=x"),
		"another action":                   encode(strings.Replace(raw, "Action=GetCallerIdentity", "Action=GetSessionToken", 1)),
		"another STS host":                 encode(strings.Replace(raw, strings.TrimPrefix(env.URL, "http://"), "sts.example.com", 1)),
	} {
		if _, err := kube(t, cl, tok).CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); !apierrors.IsUnauthorized(err) {
			t.Errorf("%s: err = %v, want 401 Unauthorized", what, err)
		}
	}

	// A role session: its rights are its role's access entry.
	im := iamClient()
	_, err = im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("authn-deployer"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"arn:aws:iam::123456789012:root"}}]}`)})
	must(t, err)
	roleARN := "arn:aws:iam::123456789012:role/authn-deployer"
	assumed, err := creator.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("ci-run-7")})
	must(t, err)
	c := assumed.Credentials
	session := stsAs(aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)})
	tok, err := eksauth.NewToken(ctx, session, name)
	must(t, err)
	if _, err := kube(t, cl, tok.Value).CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); !apierrors.IsUnauthorized(err) {
		t.Fatalf("a role session without an access entry for its role: err = %v, want 401", err)
	}
	_, err = e.CreateAccessEntry(ctx, &eks.CreateAccessEntryInput{ClusterName: aws.String(name), PrincipalArn: aws.String(roleARN)})
	must(t, err)
	_, err = e.AssociateAccessPolicy(ctx, &eks.AssociateAccessPolicyInput{ClusterName: aws.String(name), PrincipalArn: aws.String(roleARN),
		PolicyArn: aws.String(eksauth.AccessPolicyARN("AmazonEKSViewPolicy")), AccessScope: &ekstypes.AccessScope{Type: ekstypes.AccessScopeTypeCluster}})
	must(t, err)
	// A new token: the apiserver caches the last answer for a token.
	tok, err = eksauth.NewToken(ctx, session, name)
	must(t, err)
	k := kube(t, cl, tok.Value)
	eventually(t, 30*time.Second, "the role session allowed to read through its role's entry", func() error {
		_, err := k.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		return err
	})
	u, err := whoAmI(ctx, k)
	must(t, err)
	if want := "arn:aws:sts::123456789012:assumed-role/authn-deployer/ci-run-7"; u.Username != want || u.Extra["canonicalArn"][0] != roleARN {
		t.Errorf("the session is %q (%v), want username %s and canonical %s", u.Username, u.Extra, want, roleARN)
	}
	_, err = k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "not-for-viewers"}}, metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) {
		t.Errorf("a viewer creating a namespace: err = %v, want 403", err)
	}

	// An IAM user without an access entry: 401, as EKS answers.
	_, err = im.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("authn-stranger")})
	must(t, err)
	key, err := im.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("authn-stranger")})
	must(t, err)
	stranger, err := eksauth.NewToken(ctx, stsAs(aws.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId),
		SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}), name)
	must(t, err)
	if _, err := kube(t, cl, stranger.Value).CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); !apierrors.IsUnauthorized(err) {
		t.Errorf("an IAM user without an access entry: err = %v, want 401", err)
	}
	wrong, err := eksauth.NewToken(ctx, stsAs(aws.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: "not-its-secret"}), name)
	must(t, err)
	if _, err := kube(t, cl, wrong.Value).CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); !apierrors.IsUnauthorized(err) {
		t.Errorf("a token signed with the wrong secret: err = %v, want 401", err)
	}
}
