package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"github.com/terrax/terraform-provider-fargate/localeks/pki"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// The AWS Load Balancer Controller installed by hand, as its Helm chart
// (helm/aws-load-balancer-controller) and the EKS user guide ("Install AWS
// Load Balancer Controller with manifests",
// https://docs.aws.amazon.com/eks/latest/userguide/lbc-manifest.html) make
// it: an IRSA service account, the webhook certificate in a TLS Secret, the
// webhook Service, the Deployment (on Fargate: --aws-region and
// --aws-vpc-id), IngressClass alb and the webhook configurations.

const lbcPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["elasticloadbalancing:*","ec2:Describe*","ec2:CreateSecurityGroup","ec2:DeleteSecurityGroup","ec2:CreateTags","ec2:AuthorizeSecurityGroupIngress","ec2:RevokeSecurityGroupIngress"],"Resource":"*"}]}`

// lbcCluster is a cluster without node groups whose Fargate profile
// selects the namespace web and the controller's pods.
func lbcCluster(t *testing.T, ctx context.Context, name string) (*ekstypes.Cluster, kubernetes.Interface) {
	t.Helper()
	cl := newCluster(t, ctx, name, 0)
	k := adminKube(t, ctx, cl)
	_, err := eksClient("AKIDCREATOR").CreateFargateProfile(ctx, &eks.CreateFargateProfileInput{ClusterName: aws.String(name),
		FargateProfileName: aws.String("all"), PodExecutionRoleArn: aws.String("arn:aws:iam::123456789012:role/eks"), Subnets: []string{"subnet-a"},
		Selectors: []ekstypes.FargateProfileSelector{{Namespace: aws.String("web")}, {Namespace: aws.String(placement.LBCNamespace),
			Labels: map[string]string{"app.kubernetes.io/name": placement.LBCName}}}})
	must(t, err)
	profileActive(t, ctx, eksClient("AKIDCREATOR"), name, "all")
	_, err = k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "web"}}, metav1.CreateOptions{})
	must(t, err)
	return cl, k
}

// lbcRole makes the controller's IRSA role (allowed to create load
// balancers unless allowed is false) and the cluster's OIDC provider.
func lbcRole(t *testing.T, ctx context.Context, cl *ekstypes.Cluster, allowed bool) string {
	t.Helper()
	name := aws.ToString(cl.Name) + "-lbc"
	arn := role(t, ctx, name, irsaTrust(cl, placement.LBCNamespace, placement.LBCName))
	oidcProvider(t, ctx, cl)
	if allowed {
		_, err := iamClient().PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("lbc"), PolicyDocument: aws.String(lbcPolicy)})
		must(t, err)
	}
	return arn
}

// webhookCert issues a serving certificate for hosts from a new CA: the
// CA's PEM and a kubernetes.io/tls Secret's data.
func webhookCert(t *testing.T, hosts ...string) (caPEM []byte, data map[string][]byte) {
	t.Helper()
	ca, err := pki.NewCA("aws-load-balancer-controller-ca")
	must(t, err)
	p, err := ca.Issue(hosts[0], nil, hosts...)
	must(t, err)
	return ca.CertPEM, map[string][]byte{corev1.TLSCertKey: p.CertPEM, corev1.TLSPrivateKeyKey: p.KeyPEM, "ca.crt": ca.CertPEM}
}

var lbcWebhookHosts = []string{placement.LBCWebhookService + "." + placement.LBCNamespace + ".svc",
	placement.LBCWebhookService + "." + placement.LBCNamespace + ".svc.cluster.local"}

// lbcDeployment is the controller's Deployment; args replace the
// provider's defaults (--cluster-name, --ingress-class, --aws-region,
// --aws-vpc-id) when given.
func lbcDeployment(cluster, vpc string, args ...string) *appsv1.Deployment {
	if args == nil {
		args = []string{"--cluster-name=" + cluster, "--ingress-class=alb", "--aws-region=eu-west-1", "--aws-vpc-id=" + vpc,
			"--enable-service-mutator-webhook=false"}
	}
	l := map[string]string{"app.kubernetes.io/name": placement.LBCName, "app.kubernetes.io/instance": placement.LBCName}
	d := deployment(placement.LBCNamespace, placement.LBCName, l, 1, "")
	d.Spec.Selector.MatchLabels = l
	spec := &d.Spec.Template.Spec
	spec.ServiceAccountName = placement.LBCName
	spec.Volumes = []corev1.Volume{{Name: "cert", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: placement.LBCTLSSecret}}}}
	c := &spec.Containers[0]
	c.Name, c.Image, c.Args = "aws-load-balancer-controller", "public.ecr.aws/eks/aws-load-balancer-controller:v2.13.3", args
	c.Ports = []corev1.ContainerPort{{Name: "webhook-server", ContainerPort: placement.LBCWebhookPort}}
	c.VolumeMounts = []corev1.VolumeMount{{Name: "cert", MountPath: "/tmp/k8s-webhook-server/serving-certs", ReadOnly: true}}
	return d
}

// installLBC installs the controller's objects but its Deployment: the
// service account (IRSA role arn), the TLS Secret, the webhook Service,
// IngressClass alb and the webhook configurations (caBundle caPEM). It
// returns the CA.
func installLBC(t *testing.T, ctx context.Context, k kubernetes.Interface, arn string) []byte {
	t.Helper()
	ns := placement.LBCNamespace
	_, err := k.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: placement.LBCName,
		Annotations: map[string]string{"eks.amazonaws.com/role-arn": arn}}}, metav1.CreateOptions{})
	must(t, err)
	caPEM, data := webhookCert(t, lbcWebhookHosts...)
	_, err = k.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: placement.LBCTLSSecret},
		Type: corev1.SecretTypeTLS, Data: data}, metav1.CreateOptions{})
	must(t, err)
	_, err = k.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: placement.LBCWebhookService},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app.kubernetes.io/name": placement.LBCName},
			Ports: []corev1.ServicePort{{Name: "webhook-server", Port: 443, TargetPort: intstr.FromString("webhook-server")}}}}, metav1.CreateOptions{})
	must(t, err)
	_, err = k.NetworkingV1().IngressClasses().Create(ctx, &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: placement.LBCIngressClass},
		Spec: networkingv1.IngressClassSpec{Controller: placement.LBCIngressController}}, metav1.CreateOptions{})
	must(t, err)
	fail, none := admissionregistrationv1.Fail, admissionregistrationv1.SideEffectClassNone
	client := func(path string) admissionregistrationv1.WebhookClientConfig {
		return admissionregistrationv1.WebhookClientConfig{CABundle: caPEM, Service: &admissionregistrationv1.ServiceReference{
			Namespace: ns, Name: placement.LBCWebhookService, Path: aws.String(path)}}
	}
	rule := func(group, version, resource string, ops ...admissionregistrationv1.OperationType) []admissionregistrationv1.RuleWithOperations {
		return []admissionregistrationv1.RuleWithOperations{{Operations: ops, Rule: admissionregistrationv1.Rule{
			APIGroups: []string{group}, APIVersions: []string{version}, Resources: []string{resource}}}}
	}
	create, update := admissionregistrationv1.Create, admissionregistrationv1.Update
	_, err = k.AdmissionregistrationV1().MutatingWebhookConfigurations().Create(ctx, &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: placement.LBCWebhookConfig},
		Webhooks: []admissionregistrationv1.MutatingWebhook{{
			Name: "mpod.elbv2.k8s.aws", ClientConfig: client("/mutate-v1-pod"), Rules: rule("", "v1", "pods", create),
			NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "elbv2.k8s.aws/pod-readiness-gate-inject",
				Operator: metav1.LabelSelectorOpIn, Values: []string{"enabled"}}}},
			ObjectSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app.kubernetes.io/name",
				Operator: metav1.LabelSelectorOpNotIn, Values: []string{placement.LBCName}}}},
			FailurePolicy: &fail, SideEffects: &none, AdmissionReviewVersions: []string{"v1beta1"},
		}},
	}, metav1.CreateOptions{})
	must(t, err)
	_, err = k.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctx, &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: placement.LBCWebhookConfig},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name: "vingress.elbv2.k8s.aws", ClientConfig: client("/validate-networking-v1-ingress"),
			Rules:         rule("networking.k8s.io", "v1", "ingresses", create, update),
			FailurePolicy: &fail, SideEffects: &none, AdmissionReviewVersions: []string{"v1beta1"},
		}},
	}, metav1.CreateOptions{})
	must(t, err)
	return caPEM
}

// lbcReady waits until the controller's Deployment has a Ready replica.
func lbcReady(t *testing.T, ctx context.Context, k kubernetes.Interface) {
	t.Helper()
	eventually(t, 60*time.Second, "the controller Ready", func() error {
		d, err := k.AppsV1().Deployments(placement.LBCNamespace).Get(ctx, placement.LBCName, metav1.GetOptions{})
		if err != nil || d.Status.ReadyReplicas == 0 {
			return fmt.Errorf("%v %v", err, d)
		}
		return nil
	})
}

func albIngress(ns, name, backend string, annotations map[string]string) *networkingv1.Ingress {
	class := placement.LBCIngressClass
	pt := networkingv1.PathTypePrefix
	return &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Annotations: annotations},
		Spec: networkingv1.IngressSpec{IngressClassName: &class, Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{
			HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: &pt,
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: backend,
					Port: networkingv1.ServiceBackendPort{Number: 80}}}}}}}}}}}
}

// createRefused: kube-apiserver refuses the create, its message containing
// every one of parts.
func createRefused(t *testing.T, what string, create func() error, parts ...string) {
	t.Helper()
	eventually(t, 30*time.Second, what+" refused", func() error {
		err := create()
		if err == nil {
			return fmt.Errorf("created")
		}
		for _, p := range parts {
			if !strings.Contains(err.Error(), p) {
				return fmt.Errorf("refused, but with %v", err)
			}
		}
		return nil
	})
}

func subnetsOf(lb elbtypes.LoadBalancer) []string {
	var ids []string
	for _, az := range lb.AvailabilityZones {
		ids = append(ids, aws.ToString(az.SubnetId))
	}
	slices.Sort(ids)
	return ids
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

func elbTags(t *testing.T, ctx context.Context, v2 *elb.Client, arn string) map[string]string {
	t.Helper()
	out, err := v2.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: []string{arn}})
	must(t, err)
	tags := map[string]string{}
	for _, d := range out.TagDescriptions {
		for _, tg := range d.Tags {
			tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
	}
	return tags
}

func scale(t *testing.T, ctx context.Context, k kubernetes.Interface, ns, name string, n int32) {
	t.Helper()
	d, err := k.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	must(t, err)
	d.Spec.Replicas = aws.Int32(n)
	_, err = k.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{})
	must(t, err)
}

func podIsReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
