package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// TestStrictLoadBalancers: a legacy LoadBalancer Service gets its load
// balancer from EKS's cloud controller, with the EC2 nodes as instance
// targets; a Service for the AWS Load Balancer Controller (type external,
// class service.k8s.aws/nlb) gets one only from that controller, which EKS
// does not install and which needs a role allowing
// elasticloadbalancing:CreateLoadBalancer. EKS user guide: "Route TCP and
// UDP traffic with Network Load Balancers"
// (https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html),
// "Route internet traffic with AWS Load Balancer Controller"
// (https://docs.aws.amazon.com/eks/latest/userguide/aws-load-balancer-controller.html).
// One cluster without node groups.
func TestStrictLoadBalancers(t *testing.T) {
	ctx := context.Background()
	name := "strict-lb"
	cl := newCluster(t, ctx, name, 0)
	k := adminKube(t, ctx, cl)
	_, err := eksClient("AKIDCREATOR").CreateFargateProfile(ctx, &eks.CreateFargateProfileInput{ClusterName: aws.String(name),
		FargateProfileName: aws.String("all"), PodExecutionRoleArn: aws.String("arn:aws:iam::123456789012:role/eks"), Subnets: []string{"subnet-a"},
		Selectors: []ekstypes.FargateProfileSelector{{Namespace: aws.String("web")}, {Namespace: aws.String("kube-system"),
			Labels: map[string]string{"app.kubernetes.io/name": "aws-load-balancer-controller"}}}})
	must(t, err)
	time.Sleep(3 * time.Second) // the profile becomes ACTIVE
	ns := "web"
	_, err = k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(t, err)
	_, err = k.AppsV1().Deployments(ns).Create(ctx, deployment(ns, "web", map[string]string{"app": "web"}, 1, ""), metav1.CreateOptions{})
	must(t, err)
	eventually(t, 60*time.Second, "the web pod Running on Fargate", func() error {
		on, err := podsOn(ctx, k, ns, "app=web")
		if err != nil || len(on) != 1 {
			return fmt.Errorf("%v %v", on, err)
		}
		return nil
	})
	service := func(name string, annotations map[string]string, class string) {
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Annotations: annotations},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "web"}, Ports: []corev1.ServicePort{{Port: 80}}}}
		if class != "" {
			svc.Spec.LoadBalancerClass = aws.String(class)
		}
		_, err := k.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{})
		must(t, err)
	}

	t.Run("legacy: an address, and a warning when only Fargate pods are behind it", func(t *testing.T) {
		service("legacy", nil, "")
		hasAddress(t, ctx, k, ns, "legacy")
		event(t, ctx, k, ns, "legacy", "NoInstanceTargets", "no EC2 node", "no healthy target")
	})

	controllerServices := []string{"external", "nlb-class"}
	t.Run("for the AWS Load Balancer Controller: no address without it", func(t *testing.T) {
		service("external", map[string]string{"service.beta.kubernetes.io/aws-load-balancer-type": "external"}, "")
		service("nlb-class", nil, "service.k8s.aws/nlb")
		for _, s := range controllerServices {
			event(t, ctx, k, ns, s, "NoLoadBalancerController", "Deployment kube-system/aws-load-balancer-controller")
		}
		noAddress(t, ctx, k, ns, controllerServices...)
	})

	roleName := name + "-lbc"
	arn := role(t, ctx, roleName, irsaTrust(cl, "kube-system", "aws-load-balancer-controller"))
	oidcProvider(t, ctx, cl)
	t.Run("the controller with a role not allowed to create load balancers: no address", func(t *testing.T) {
		installLBC(t, ctx, k, arn)
		_, err := k.AppsV1().Deployments("kube-system").Create(ctx, lbcDeployment(name, "vpc-localeks"), metav1.CreateOptions{})
		must(t, err)
		event(t, ctx, k, ns, "external", "NoLoadBalancerController", "is not allowed elasticloadbalancing:CreateLoadBalancer")
		noAddress(t, ctx, k, ns, controllerServices...)
	})

	t.Run("the controller Ready with its role allowed: addresses", func(t *testing.T) {
		_, err := iamClient().PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("lbc"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["elasticloadbalancing:*","ec2:Describe*"],"Resource":"*"}]}`)})
		must(t, err)
		for _, s := range controllerServices {
			hasAddress(t, ctx, k, ns, s)
		}
	})
}

func hasAddress(t *testing.T, ctx context.Context, k kubernetes.Interface, ns, name string) {
	t.Helper()
	eventually(t, 30*time.Second, "an address on "+name, func() error {
		s, err := k.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil || len(s.Status.LoadBalancer.Ingress) == 0 {
			return fmt.Errorf("%+v %v", s.Status.LoadBalancer, err)
		}
		return nil
	})
}

func noAddress(t *testing.T, ctx context.Context, k kubernetes.Interface, ns string, names ...string) {
	t.Helper()
	time.Sleep(2 * time.Second)
	for _, n := range names {
		s, err := k.CoreV1().Services(ns).Get(ctx, n, metav1.GetOptions{})
		must(t, err)
		if len(s.Status.LoadBalancer.Ingress) != 0 {
			t.Errorf("service %s got an address %+v", n, s.Status.LoadBalancer.Ingress)
		}
	}
}
