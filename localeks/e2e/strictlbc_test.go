package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// TestStrictLBCWebhooks: the AWS Load Balancer Controller's admission
// webhooks answer only while a controller pod is Ready behind the webhook
// Service, and only with the certificate its TLS Secret holds, as on EKS:
// with failurePolicy Fail, kube-apiserver refuses an Ingress while no pod
// is Ready ("no endpoints available for service"), when the caBundle is not
// the certificate's CA, or when the certificate does not name the
// Service. On Fargate the controller needs --aws-region and --aws-vpc-id
// (no instance metadata) and its pod needs the TLS Secret. Chart
// helm/aws-load-balancer-controller (templates/webhook.yaml, deployment.yaml);
// EKS user guide, "Install AWS Load Balancer Controller with Helm"
// (https://docs.aws.amazon.com/eks/latest/userguide/lbc-helm.html: on
// Fargate, the region and VPC ID flags).
func TestStrictLBCWebhooks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	name := "lbc-webhooks"
	cl, k := lbcCluster(t, ctx, name)
	arn := lbcRole(t, ctx, cl, true)
	caPEM := installLBC(t, ctx, k, arn)
	n := 0
	newIngress := func(class string) error {
		n++
		ing := albIngress("web", fmt.Sprintf("web-%d", n), "web", nil)
		ing.Spec.IngressClassName = aws.String(class)
		_, err := k.NetworkingV1().Ingresses("web").Create(ctx, ing, metav1.CreateOptions{})
		return err
	}
	ingress := func() error { return newIngress(placement.LBCIngressClass) }
	refusedCall := `failed calling webhook "vingress.elbv2.k8s.aws"`

	t.Run("no controller: no endpoints", func(t *testing.T) {
		createRefused(t, "an Ingress", ingress, refusedCall, `no endpoints available for service "aws-load-balancer-webhook-service"`)
		_, err := k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "gated",
			Labels: map[string]string{"elbv2.k8s.aws/pod-readiness-gate-inject": "enabled"}}}, metav1.CreateOptions{})
		must(t, err)
		createRefused(t, "a pod in a readiness-gated namespace", func() error {
			_, err := k.CoreV1().Pods("gated").Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{GenerateName: "p-"},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx:1.27"}}}}, metav1.CreateOptions{})
			return err
		}, `failed calling webhook "mpod.elbv2.k8s.aws"`, "no endpoints available")
	})

	t.Run("on Fargate without --aws-vpc-id: CrashLoopBackOff", func(t *testing.T) {
		_, err := k.AppsV1().Deployments(placement.LBCNamespace).Create(ctx, lbcDeployment(name, "", "--cluster-name="+name, "--aws-region=eu-west-1"), metav1.CreateOptions{})
		must(t, err)
		crashLoop(t, ctx, k, "failed to fetch VPC ID from instance metadata")
		createRefused(t, "an Ingress", ingress, refusedCall, "no endpoints available")
	})

	t.Run("without its TLS Secret: the pod does not start", func(t *testing.T) {
		sec, err := k.CoreV1().Secrets(placement.LBCNamespace).Get(ctx, placement.LBCTLSSecret, metav1.GetOptions{})
		must(t, err)
		must(t, k.CoreV1().Secrets(placement.LBCNamespace).Delete(ctx, placement.LBCTLSSecret, metav1.DeleteOptions{}))
		updateLBC(t, ctx, k, lbcDeployment(name, "vpc-localeks"))
		event(t, ctx, k, placement.LBCNamespace, placement.LBCName, "FailedMount", `secret "aws-load-balancer-tls" not found`)
		createRefused(t, "an Ingress", ingress, refusedCall, "no endpoints available")
		sec.ResourceVersion = ""
		_, err = k.CoreV1().Secrets(placement.LBCNamespace).Create(ctx, sec, metav1.CreateOptions{})
		must(t, err)
	})

	t.Run("Ready: the webhooks answer", func(t *testing.T) {
		lbcReady(t, ctx, k)
		eventually(t, 30*time.Second, "an Ingress admitted", ingress)
		createRefused(t, "an Ingress of a class that does not exist", func() error { return newIngress("nope") },
			`admission webhook "vingress.elbv2.k8s.aws" denied the request: invalid ingress class`, `"nope" not found`)
	})

	t.Run("a caBundle that is not the certificate's CA", func(t *testing.T) {
		other, _ := webhookCert(t, lbcWebhookHosts...)
		setCABundle(t, ctx, k, other)
		createRefused(t, "an Ingress", ingress, refusedCall, "x509: certificate signed by unknown authority")
		setCABundle(t, ctx, k, caPEM)
		eventually(t, 30*time.Second, "an Ingress admitted", ingress)
	})

	t.Run("a certificate that does not name the Service; renewed, reloaded", func(t *testing.T) {
		sec, err := k.CoreV1().Secrets(placement.LBCNamespace).Get(ctx, placement.LBCTLSSecret, metav1.GetOptions{})
		must(t, err)
		good := sec.Data
		ca, data := webhookCert(t, "elsewhere.kube-system.svc")
		setCABundle(t, ctx, k, ca)
		sec.Data = data
		sec, err = k.CoreV1().Secrets(placement.LBCNamespace).Update(ctx, sec, metav1.UpdateOptions{})
		must(t, err)
		createRefused(t, "an Ingress", ingress, refusedCall, "x509: certificate is valid for elsewhere.kube-system.svc, not aws-load-balancer-webhook-service.kube-system.svc")
		sec.Data = good
		_, err = k.CoreV1().Secrets(placement.LBCNamespace).Update(ctx, sec, metav1.UpdateOptions{})
		must(t, err)
		setCABundle(t, ctx, k, caPEM)
		eventually(t, 30*time.Second, "an Ingress admitted", ingress)
	})

	t.Run("its Secret deleted while it runs: it serves the files it has", func(t *testing.T) {
		must(t, k.CoreV1().Secrets(placement.LBCNamespace).Delete(ctx, placement.LBCTLSSecret, metav1.DeleteOptions{}))
		eventually(t, 30*time.Second, "an Ingress admitted", ingress)
	})

	t.Run("scaled to zero: refused again", func(t *testing.T) {
		d, err := k.AppsV1().Deployments(placement.LBCNamespace).Get(ctx, placement.LBCName, metav1.GetOptions{})
		must(t, err)
		d.Spec.Replicas = aws.Int32(0)
		_, err = k.AppsV1().Deployments(placement.LBCNamespace).Update(ctx, d, metav1.UpdateOptions{})
		must(t, err)
		createRefused(t, "an Ingress", ingress, refusedCall, "no endpoints available")
	})
}

// crashLoop waits until a controller pod crash-loops with msg in its
// container's last termination message.
func crashLoop(t *testing.T, ctx context.Context, k kubernetes.Interface, msg string) {
	t.Helper()
	eventually(t, 60*time.Second, "the controller in CrashLoopBackOff", func() error {
		pods, err := k.CoreV1().Pods(placement.LBCNamespace).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=" + placement.LBCName})
		if err != nil {
			return err
		}
		for _, p := range pods.Items {
			for _, c := range p.Status.ContainerStatuses {
				if w, term := c.State.Waiting, c.LastTerminationState.Terminated; w != nil && w.Reason == "CrashLoopBackOff" && term != nil && strings.Contains(term.Message, msg) {
					return nil
				}
			}
		}
		return fmt.Errorf("no pod crash-looping with %q", msg)
	})
}

func updateLBC(t *testing.T, ctx context.Context, k kubernetes.Interface, want *appsv1.Deployment) {
	t.Helper()
	d, err := k.AppsV1().Deployments(placement.LBCNamespace).Get(ctx, placement.LBCName, metav1.GetOptions{})
	must(t, err)
	d.Spec.Template = want.Spec.Template
	d.Spec.Replicas = want.Spec.Replicas
	_, err = k.AppsV1().Deployments(placement.LBCNamespace).Update(ctx, d, metav1.UpdateOptions{})
	must(t, err)
}

func setCABundle(t *testing.T, ctx context.Context, k kubernetes.Interface, ca []byte) {
	t.Helper()
	v, err := k.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, placement.LBCWebhookConfig, metav1.GetOptions{})
	must(t, err)
	for i := range v.Webhooks {
		v.Webhooks[i].ClientConfig.CABundle = ca
	}
	_, err = k.AdmissionregistrationV1().ValidatingWebhookConfigurations().Update(ctx, v, metav1.UpdateOptions{})
	must(t, err)
}
