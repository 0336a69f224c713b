package cluster_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	k8serrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// What the AWS Load Balancer Controller's tests check through the AWS and
// Kubernetes APIs.

var bgLBC = context.Background()

// lbcRunning: the controller's Deployment is available with 2 replicas on
// Fargate, told the cluster, VPC and region; its service account names
// the role, which trusts it through the cluster's OIDC provider and has
// AWS's policy; the webhooks' caBundle is the TLS Secret's CA.
func lbcRunning(c *conns.Client, kc func() *kubeclient.Client, name, vpcFrom string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		attrs := s.RootModule().Resources[vpcFrom].Primary.Attributes
		k := kc().Kube
		d, err := k.AppsV1().Deployments(placement.LBCNamespace).Get(bgLBC, placement.LBCName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if d.Status.AvailableReplicas != 2 {
			return fmt.Errorf("controller Deployment: %d available replicas, want 2", d.Status.AvailableReplicas)
		}
		args := d.Spec.Template.Spec.Containers[0].Args
		for _, want := range []string{"--cluster-name=" + name, "--aws-vpc-id=" + attrs["network.vpc_id"], "--aws-region=" + acctest.Region} {
			if !slices.Contains(args, want) {
				return fmt.Errorf("controller args %v lack %s", args, want)
			}
		}
		pods, err := k.CoreV1().Pods(placement.LBCNamespace).List(bgLBC, metav1.ListOptions{LabelSelector: "app.kubernetes.io/name=" + placement.LBCName})
		if err != nil {
			return err
		}
		for _, p := range pods.Items {
			if !strings.HasPrefix(p.Spec.NodeName, "fargate-") {
				return fmt.Errorf("controller pod %s runs on %q, not on Fargate", p.Name, p.Spec.NodeName)
			}
		}
		sa, err := k.CoreV1().ServiceAccounts(placement.LBCNamespace).Get(bgLBC, placement.LBCName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		role := attrs["load_balancer_controller.role_arn"]
		if got := sa.Annotations["eks.amazonaws.com/role-arn"]; got == "" || got != role {
			return fmt.Errorf("service account role %q, state %q", got, role)
		}
		if err := lbcRoleTrusted(c, role, attrs["oidc_provider_arn"]); err != nil {
			return err
		}
		return caBundleMatches(k)
	}
}

func lbcRoleTrusted(c *conns.Client, arn, oidcARN string) error {
	roleName := arn[strings.LastIndex(arn, "/")+1:]
	r, err := c.IAM.GetRole(bgLBC, &iam.GetRoleInput{RoleName: aws.String(roleName)})
	if err != nil {
		return err
	}
	trust, _ := url.QueryUnescape(aws.ToString(r.Role.AssumeRolePolicyDocument))
	for _, want := range []string{oidcARN, "sts:AssumeRoleWithWebIdentity", ":sub\":\"system:serviceaccount:kube-system:aws-load-balancer-controller\""} {
		if !strings.Contains(trust, want) {
			return fmt.Errorf("role %s trust %s lacks %s", roleName, trust, want)
		}
	}
	p, err := c.IAM.GetRolePolicy(bgLBC, &iam.GetRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("AWSLoadBalancerControllerIAMPolicy")})
	if err != nil {
		return err
	}
	if doc, _ := url.QueryUnescape(aws.ToString(p.PolicyDocument)); !strings.Contains(doc, "elasticloadbalancing:CreateLoadBalancer") {
		return fmt.Errorf("role %s policy %s", roleName, doc)
	}
	return nil
}

// caBundleMatches: both webhook configurations trust the CA of the
// Secret the controller serves from.
func caBundleMatches(k kubernetes.Interface) error {
	sec, err := k.CoreV1().Secrets(placement.LBCNamespace).Get(bgLBC, placement.LBCTLSSecret, metav1.GetOptions{})
	if err != nil {
		return err
	}
	m, err := k.AdmissionregistrationV1().MutatingWebhookConfigurations().Get(bgLBC, placement.LBCWebhookConfig, metav1.GetOptions{})
	if err != nil {
		return err
	}
	v, err := k.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(bgLBC, placement.LBCWebhookConfig, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if len(m.Webhooks) != 2 || len(v.Webhooks) != 2 {
		return fmt.Errorf("webhooks: %d mutating, %d validating, want 2 and 2", len(m.Webhooks), len(v.Webhooks))
	}
	for _, b := range [][]byte{m.Webhooks[0].ClientConfig.CABundle, m.Webhooks[1].ClientConfig.CABundle, v.Webhooks[0].ClientConfig.CABundle, v.Webhooks[1].ClientConfig.CABundle} {
		if len(b) == 0 || !bytes.Equal(b, sec.Data["ca.crt"]) {
			return fmt.Errorf("a webhook's caBundle is not the CA of Secret %s", placement.LBCTLSSecret)
		}
	}
	return nil
}

// lbcGone: the controller's Deployment, webhook configurations and role
// are gone.
func lbcGone(c *conns.Client, kc func() *kubeclient.Client, name string) func(*terraform.State) error {
	return func(*terraform.State) error {
		k := kc().Kube
		_, err := k.AppsV1().Deployments(placement.LBCNamespace).Get(bgLBC, placement.LBCName, metav1.GetOptions{})
		if !k8serrors.IsNotFound(err) {
			return fmt.Errorf("the controller's Deployment is still there (%v)", err)
		}
		_, err = k.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(bgLBC, placement.LBCWebhookConfig, metav1.GetOptions{})
		if !k8serrors.IsNotFound(err) {
			return fmt.Errorf("the controller's webhook configuration is still there (%v)", err)
		}
		_, err = k.AdmissionregistrationV1().MutatingWebhookConfigurations().Get(bgLBC, placement.LBCWebhookConfig, metav1.GetOptions{})
		if !k8serrors.IsNotFound(err) {
			return fmt.Errorf("the controller's mutating webhook configuration is still there (%v)", err)
		}
		inv, err := acctest.TakeE(c, name)
		if err != nil || slices.ContainsFunc(inv.Roles, func(r string) bool { return strings.Contains(r, "lb-controller") }) {
			return fmt.Errorf("the controller's role is still there: %v (%v)", inv.Roles, err)
		}
		return nil
	}
}

// nlbsIn counts the load balancers in vpc.
func nlbsIn(c *conns.Client, vpc string) (int, error) {
	out, err := c.ELB.DescribeLoadBalancers(bgLBC, &elb.DescribeLoadBalancersInput{})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, lb := range out.LoadBalancers {
		if aws.ToString(lb.VpcId) == vpc {
			n++
		}
	}
	return n, nil
}

// externalService makes, behind Terraform's back, a Service for the
// controller with ip targets, and waits for its address.
func externalService(k kubernetes.Interface, ns, name string) error {
	_, err := k.CoreV1().Services(ns).Create(bgLBC, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{
			placement.LoadBalancerTypeAnnotation: "external", placement.NLBTargetTypeAnnotation: "ip"}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": name},
			Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}},
	}, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	if !acctest.WaitFor(30*time.Second, func() bool {
		s, err := k.CoreV1().Services(ns).Get(bgLBC, name, metav1.GetOptions{})
		return err == nil && len(s.Status.LoadBalancer.Ingress) > 0
	}) {
		return fmt.Errorf("Service %s/%s got no address from the controller", ns, name)
	}
	return nil
}

// ingressAdmitted: an alb Ingress passes the controller's validating
// webhook (a dry run: admitted, not stored), which the API server reaches
// only with the certificate the caBundle trusts.
func ingressAdmitted(kc func() *kubeclient.Client) func(*terraform.State) error {
	return func(*terraform.State) error {
		class := placement.LBCIngressClass
		ing := &networkingv1.Ingress{
			ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: "default",
				Annotations: map[string]string{placement.ALBTargetTypeAnnotation: "ip"}},
			Spec: networkingv1.IngressSpec{IngressClassName: &class, DefaultBackend: &networkingv1.IngressBackend{
				Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}}},
		}
		_, err := kc().Kube.NetworkingV1().Ingresses("default").Create(bgLBC, ing, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			return fmt.Errorf("an alb Ingress was not admitted through the controller's webhook: %w", err)
		}
		return nil
	}
}
