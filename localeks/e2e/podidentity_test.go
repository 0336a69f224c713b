package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

// podIdentityOnFargate: the EKS user guide says EKS Pod Identity is not
// available on Fargate; the agent add-on's DaemonSet runs on EC2 nodes only.
// EKS accepts the association and runs the pod, which finds no credentials:
// localeks records a warning event on it. A pod of an associated service
// account on the node group gets the token and the agent's address, with an
// agent on its node, and no event.
func podIdentityOnFargate(t *testing.T, ctx context.Context, e *eks.Client, im *iam.Client, cl *ekstypes.Cluster) {
	role := "arn:aws:iam::123456789012:role/eks"
	_, err := e.CreateNodegroup(ctx, &eks.CreateNodegroupInput{ClusterName: cl.Name, NodegroupName: aws.String("ng"), NodeRole: aws.String(role),
		Subnets: []string{"subnet-a"}, ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(1), MinSize: aws.Int32(1), MaxSize: aws.Int32(1)}})
	must(t, err)
	_, err = e.CreateFargateProfile(ctx, &eks.CreateFargateProfileInput{ClusterName: cl.Name, FargateProfileName: aws.String("fp"), PodExecutionRoleArn: aws.String(role),
		Subnets: []string{"subnet-a"}, Selectors: []ekstypes.FargateProfileSelector{{Namespace: aws.String("serverless")}}})
	must(t, err)
	profileActive(t, ctx, e, aws.ToString(cl.Name), "fp") // EKS places pods only with an ACTIVE profile
	_, err = e.CreateAddon(ctx, &eks.CreateAddonInput{ClusterName: cl.Name, AddonName: aws.String("eks-pod-identity-agent")})
	must(t, err)
	r, err := im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("on-fargate"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`)})
	must(t, err)
	k := adminKube(t, ctx, cl)
	for _, ns := range []string{"serverless", "servers"} {
		_, err := k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		must(t, err)
		for _, sa := range []string{"with-identity", "plain"} {
			_, err := k.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa}}, metav1.CreateOptions{})
			must(t, err)
		}
		_, err = e.CreatePodIdentityAssociation(ctx, &eks.CreatePodIdentityAssociationInput{ClusterName: cl.Name, Namespace: aws.String(ns),
			ServiceAccount: aws.String("with-identity"), RoleArn: r.Role.Arn})
		must(t, err)
	}
	pods := map[string]string{"serverless/with-identity": "fargate-ip-", "serverless/plain": "fargate-ip-", "servers/with-identity": "ip-"}
	for key := range pods {
		ns, sa, _ := strings.Cut(key, "/")
		d := deployment(ns, sa, map[string]string{"app": sa}, 1, "")
		d.Spec.Template.Spec.ServiceAccountName = sa
		_, err := k.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{})
		must(t, err)
	}
	for key, node := range pods {
		ns, sa, _ := strings.Cut(key, "/")
		eventually(t, 60*time.Second, key+" Running on "+node+"*", func() error {
			on, err := podsOn(ctx, k, ns, "app="+sa)
			if err != nil || len(on) != 1 {
				return fmt.Errorf("%v %v", on, err)
			}
			for _, n := range on {
				if !strings.HasPrefix(n, node) {
					return fmt.Errorf("on %s", n)
				}
			}
			return nil
		})
	}
	// As EKS's Pod Identity webhook does: the token and the agent's address,
	// for the pods of service accounts with an association only.
	for key, want := range map[string]bool{"servers/with-identity": true, "serverless/plain": false} {
		ns, sa, _ := strings.Cut(key, "/")
		list, err := k.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + sa})
		must(t, err)
		p := list.Items[0]
		var uri, audience string
		for _, e := range p.Spec.Containers[0].Env {
			if e.Name == "AWS_CONTAINER_CREDENTIALS_FULL_URI" {
				uri = e.Value
			}
		}
		for _, v := range p.Spec.Volumes {
			if v.Name == "eks-pod-identity-token" && v.Projected != nil {
				audience = v.Projected.Sources[0].ServiceAccountToken.Audience
			}
		}
		if got := uri == "http://169.254.170.23/v1/credentials" && audience == "pods.eks.amazonaws.com"; got != want {
			t.Errorf("pod %s: credentials URI %q, token audience %q; injected %v, want %v", p.Name, uri, audience, got, want)
		}
	}
	eventually(t, 30*time.Second, "the agent on the node group node only", func() error {
		on, err := podsOn(ctx, k, "kube-system", "app.kubernetes.io/name=eks-pod-identity-agent")
		if err != nil || len(on) != 1 {
			return fmt.Errorf("%v %v", on, err)
		}
		for _, n := range on {
			if !strings.HasPrefix(n, "ip-") {
				return fmt.Errorf("an agent on %s", n)
			}
		}
		return nil
	})
	// warned lists the pods of the namespace that got the event.
	warned := func(ns string) []string {
		evs, err := k.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "reason=PodIdentityUnavailable"})
		must(t, err)
		var out []string
		for _, ev := range evs.Items {
			if ev.Type == corev1.EventTypeWarning && strings.HasPrefix(ev.Message, "EKS Pod Identity is not available on Fargate") {
				out = append(out, ev.InvolvedObject.Name)
			}
		}
		return out
	}
	eventually(t, 20*time.Second, "the event on the Fargate pod with Pod Identity", func() error {
		if w := warned("serverless"); len(w) != 1 || !strings.HasPrefix(w[0], "with-identity-") {
			return fmt.Errorf("events for %v", w)
		}
		return nil
	})
	if w := warned("servers"); len(w) != 0 {
		t.Errorf("a pod on the node group was warned: %v", w)
	}
}

// adminKube is client-go on the cluster as its creator.
func adminKube(t *testing.T, ctx context.Context, cl *ekstypes.Cluster) kubernetes.Interface {
	t.Helper()
	tok, err := eksauth.NewToken(ctx, stsClient("AKIDCREATOR"), aws.ToString(cl.Name))
	must(t, err)
	return kube(t, cl, tok.Value)
}

func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	must(t, err)
	var claims map[string]any
	must(t, json.Unmarshal(b, &claims))
	return claims
}
