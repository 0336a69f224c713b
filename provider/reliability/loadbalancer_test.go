package reliability_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// Scenario 6: destroy with what Kubernetes made in the VPC. Besides the
// blog's own LoadBalancer Service (deleted with its manifest, so its
// controller removes the load balancer), two more are created with
// kubectl behind Terraform's back, one of each kind EKS's legacy cloud
// controller makes: a plain one (a Classic ELB, with its security group)
// and an `nlb` one (an NLB and its instance target group). Their load
// balancers, security group, target group and network interfaces are still
// in the VPC when the cluster is gone, and AWS refuses to delete subnets,
// security groups and the VPC while they are (localeks enforces it as EC2
// does). A load balancer someone made by
// hand in the VPC is not the cluster's to delete: destroy stops with a
// message naming it and keeps the state, and once it is gone the next
// destroy finishes.
func TestDestroy_kubernetesLeftoversInTheVPC(t *testing.T) {
	c := acctest.Client(t)
	const name = "leftovers"
	w := blogWorkdir(t, name, "10.62.0.0/16")
	acctest.Shape(t, map[string]any{"lb_eni_release": "3s"})
	w.Apply()

	kube := acctest.Kube(t, name).Kube
	for svc, annotations := range map[string]map[string]string{"by-hand": nil, "by-hand-nlb": {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}} {
		_, err := kube.CoreV1().Services("default").Create(bg, &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: svc, Annotations: annotations},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "x"},
				Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !acctest.WaitFor(30*time.Second, func() bool { inv := acctest.Take(t, c, name); return inv.LBs == 3 && inv.TargetGroups == 1 }) {
		t.Fatalf("the kubectl Services got no load balancers: %s", acctest.Take(t, c, name))
	}
	inv := acctest.Take(t, c, name)
	if inv.ClassicLBs != 2 || inv.TargetGroups != 1 || inv.SecurityGroups < 2 || inv.ENIs < 6 {
		t.Fatalf("want the blog's and the plain Service's Classic ELBs, the nlb Service's NLB and target group, their security groups and interfaces in the VPC: %s", inv)
	}

	// Someone's own load balancer in the cluster's VPC.
	cl, err := c.EKS.DescribeCluster(bg, &eks.DescribeClusterInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := c.ELB.CreateLoadBalancer(bg, &elb.CreateLoadBalancerInput{
		Name: aws.String("someones-own"), Type: elbtypes.LoadBalancerTypeEnumApplication, Subnets: cl.Cluster.ResourcesVpcConfig.SubnetIds[:2],
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := w.Run("destroy", "-auto-approve", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("destroy deleted a VPC holding a load balancer that is not the cluster's:\n%s", out)
	}
	if !regexp.MustCompile(`(?s)VPC vpc-\w+ holds load balancers that cluster leftovers's\s+Kubernetes did not make \(someones-own\).*run\s+.terraform destroy. again`).MatchString(out) {
		t.Fatalf("destroy failed without naming the load balancer in the way:\n%s", out)
	}
	if st := w.Must("state", "list"); !strings.Contains(st, "fargate_cluster.terrax") {
		t.Fatalf("the half-destroyed cluster left the state, so the next destroy cannot finish:\n%s", st)
	}
	if inv := acctest.Take(t, c, name); inv.Clusters != 0 || inv.LBs != 0 || inv.TargetGroups != 0 || inv.VPCs != 1 {
		t.Fatalf("after the refused destroy: %s; want the cluster and Kubernetes' load balancers and target groups gone, the VPC kept", inv)
	}
	if _, err := c.ELB.DeleteLoadBalancer(bg, &elb.DeleteLoadBalancerInput{LoadBalancerArn: mine.LoadBalancers[0].LoadBalancerArn}); err != nil {
		t.Fatal(err)
	}
	w.Destroy()
	wantGone(t, c, name)
}
