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
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	clb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TestStrictLBLegacy: what EKS's legacy (in-tree) cloud controller makes
// for a LoadBalancer Service, seen through the AWS APIs. A plain Service
// gets a Classic ELB named "a" + its UID without dashes (32 characters),
// DNS <name>-<digits>.<region>.elb.amazonaws.com, a TCP listener from each
// port to its node port, the node group's instances registered, the tags
// kubernetes.io/cluster/<cluster>=owned and kubernetes.io/service-name, and
// its security group k8s-elb-<name>; a Service annotated
// service.beta.kubernetes.io/aws-load-balancer-type: nlb gets an NLB with
// an instance target group per port. Deleting the Service deletes them;
// their network interfaces linger a while. EKS user guide, "Route TCP and
// UDP traffic with Network Load Balancers"
// (https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html:
// the legacy controller makes Classic ELBs, and NLBs with instance targets
// for the nlb annotation).
func TestStrictLBLegacy(t *testing.T) {
	ctx := context.Background()
	e := eksClient("AKIDCREATOR")
	opts := e.Options()
	ec := ec2.New(ec2.Options{Region: "eu-west-1", BaseEndpoint: aws.String(env.URL), Credentials: opts.Credentials})
	cl := clb.New(clb.Options{Region: "eu-west-1", BaseEndpoint: aws.String(env.URL), Credentials: opts.Credentials})
	v2 := elb.New(elb.Options{Region: "eu-west-1", BaseEndpoint: aws.String(env.URL), Credentials: opts.Credentials})
	name := "legacy-lb"
	v := vpcCluster(t, ctx, name)
	vpc, privA := v.vpc, v.privA
	_, err := e.CreateNodegroup(ctx, nodegroup(name, "node-group", privA))
	must(t, err)
	t.Cleanup(func() {
		_, _ = e.DeleteNodegroup(ctx, &eks.DeleteNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String("node-group")})
	})
	k := adminKube(t, ctx, v.cluster)
	var instance string
	eventually(t, 60*time.Second, "the node group's node", func() error {
		nodes, err := k.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "eks.amazonaws.com/nodegroup=node-group"})
		if err != nil || len(nodes.Items) == 0 {
			return fmt.Errorf("%v %v", nodes, err)
		}
		p := nodes.Items[0].Spec.ProviderID
		instance = p[strings.LastIndex(p, "/")+1:]
		return nil
	})

	ns := "web"
	_, err = k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(t, err)
	service := func(svcName string, annotations map[string]string) *corev1.Service {
		_, err := k.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: svcName, Namespace: ns, Annotations: annotations},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "web"},
				Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}}, metav1.CreateOptions{})
		must(t, err)
		hasAddress(t, ctx, k, ns, svcName)
		svc, err := k.CoreV1().Services(ns).Get(ctx, svcName, metav1.GetOptions{})
		must(t, err)
		return svc
	}
	lbNameOf := func(svc *corev1.Service) string { return ("a" + strings.ReplaceAll(string(svc.UID), "-", ""))[:32] }
	wantTags := func(svc *corev1.Service) map[string]string {
		return map[string]string{"kubernetes.io/cluster/" + name: "owned", "kubernetes.io/service-name": ns + "/" + svc.Name}
	}

	plain := service("plain", nil)
	classic := lbNameOf(plain)
	t.Run("a plain Service: a Classic ELB", func(t *testing.T) {
		host := plain.Status.LoadBalancer.Ingress[0].Hostname
		if !regexp.MustCompile(`^` + classic + `-\d+\.eu-west-1\.elb\.amazonaws\.com$`).MatchString(host) {
			t.Fatalf("the Service's host name is %q, want %s-<digits>.eu-west-1.elb.amazonaws.com", host, classic)
		}
		lbs, err := cl.DescribeLoadBalancers(ctx, &clb.DescribeLoadBalancersInput{LoadBalancerNames: []string{classic}})
		must(t, err)
		d := lbs.LoadBalancerDescriptions[0]
		if aws.ToString(d.DNSName) != host || aws.ToString(d.VPCId) != vpc {
			t.Errorf("Classic ELB %s: DNS %s in %s, want %s in %s", classic, aws.ToString(d.DNSName), aws.ToString(d.VPCId), host, vpc)
		}
		if len(d.ListenerDescriptions) != 1 || d.ListenerDescriptions[0].Listener.LoadBalancerPort != 80 ||
			aws.ToInt32(d.ListenerDescriptions[0].Listener.InstancePort) != plain.Spec.Ports[0].NodePort {
			t.Errorf("listeners %+v, want 80 -> node port %d", d.ListenerDescriptions, plain.Spec.Ports[0].NodePort)
		}
		if len(d.Instances) != 1 || aws.ToString(d.Instances[0].InstanceId) != instance {
			t.Errorf("instances %+v, want the node group's %s", d.Instances, instance)
		}
		tags, err := cl.DescribeTags(ctx, &clb.DescribeTagsInput{LoadBalancerNames: []string{classic}})
		must(t, err)
		got := map[string]string{}
		for _, tg := range tags.TagDescriptions[0].Tags {
			got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		for k, v := range wantTags(plain) {
			if got[k] != v {
				t.Errorf("tag %s = %q, want %q (all: %v)", k, got[k], v, got)
			}
		}
		sgs, err := ec.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
			{Name: aws.String("group-name"), Values: []string{"k8s-elb-" + classic}}, {Name: aws.String("vpc-id"), Values: []string{vpc}}}})
		must(t, err)
		if len(sgs.SecurityGroups) != 1 || !slices.Contains(d.SecurityGroups, aws.ToString(sgs.SecurityGroups[0].GroupId)) {
			t.Errorf("security group k8s-elb-%s: %+v, the ELB's %v", classic, sgs.SecurityGroups, d.SecurityGroups)
		}
		if n := enis(t, ctx, ec, vpc, "ELB "+classic); n != 2 {
			t.Errorf("%d network interfaces \"ELB %s\" in the VPC, want one per zone (2)", n, classic)
		}
	})

	annotated := service("nlb", map[string]string{"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"})
	nlb := lbNameOf(annotated)
	var nlbARN string
	t.Run("an nlb Service: an NLB with instance targets", func(t *testing.T) {
		lbs, err := v2.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{nlb}})
		must(t, err)
		lb := lbs.LoadBalancers[0]
		nlbARN = aws.ToString(lb.LoadBalancerArn)
		if lb.Type != elbtypes.LoadBalancerTypeEnumNetwork || aws.ToString(lb.DNSName) != annotated.Status.LoadBalancer.Ingress[0].Hostname {
			t.Errorf("load balancer %s: type %s, DNS %s; want an NLB at the Service's host name", nlb, lb.Type, aws.ToString(lb.DNSName))
		}
		tgs, err := v2.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{LoadBalancerArn: lb.LoadBalancerArn})
		must(t, err)
		if len(tgs.TargetGroups) != 1 || tgs.TargetGroups[0].TargetType != elbtypes.TargetTypeEnumInstance ||
			!strings.HasPrefix(aws.ToString(tgs.TargetGroups[0].TargetGroupName), "k8s-web-nlb-") ||
			aws.ToInt32(tgs.TargetGroups[0].Port) != annotated.Spec.Ports[0].NodePort {
			t.Fatalf("target groups %+v, want one instance group k8s-web-nlb-<hash> on node port %d", tgs.TargetGroups, annotated.Spec.Ports[0].NodePort)
		}
		health, err := v2.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: tgs.TargetGroups[0].TargetGroupArn})
		must(t, err)
		if len(health.TargetHealthDescriptions) != 1 || aws.ToString(health.TargetHealthDescriptions[0].Target.Id) != instance {
			t.Errorf("targets %+v, want the node group's instance %s", health.TargetHealthDescriptions, instance)
		}
		tags, err := v2.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: []string{nlbARN, aws.ToString(tgs.TargetGroups[0].TargetGroupArn)}})
		must(t, err)
		for _, d := range tags.TagDescriptions {
			got := map[string]string{}
			for _, tg := range d.Tags {
				got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			for k, v := range wantTags(annotated) {
				if got[k] != v {
					t.Errorf("%s: tag %s = %q, want %q", aws.ToString(d.ResourceArn), k, got[k], v)
				}
			}
		}
	})

	t.Run("deleting the Services deletes their load balancers; their interfaces go later", func(t *testing.T) {
		for _, s := range []string{"plain", "nlb"} {
			must(t, k.CoreV1().Services(ns).Delete(ctx, s, metav1.DeleteOptions{}))
		}
		eventually(t, 30*time.Second, "the Services gone", func() error {
			for _, s := range []string{"plain", "nlb"} {
				if _, err := k.CoreV1().Services(ns).Get(ctx, s, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
					return fmt.Errorf("service %s: %v", s, err)
				}
			}
			return nil
		})
		if _, err := cl.DescribeLoadBalancers(ctx, &clb.DescribeLoadBalancersInput{LoadBalancerNames: []string{classic}}); code(err) != "LoadBalancerNotFound" {
			t.Errorf("Classic ELB %s after its Service went: %v, want LoadBalancerNotFound", classic, err)
		}
		if _, err := v2.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{nlbARN}}); code(err) != "LoadBalancerNotFound" {
			t.Errorf("NLB %s after its Service went: %v, want LoadBalancerNotFound", nlb, err)
		}
		tgs, err := v2.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{})
		must(t, err)
		for _, tg := range tgs.TargetGroups {
			if strings.HasPrefix(aws.ToString(tg.TargetGroupName), "k8s-web-nlb-") {
				t.Errorf("target group %s left after its Service went", aws.ToString(tg.TargetGroupName))
			}
		}
		eventually(t, 30*time.Second, "the load balancers' network interfaces released", func() error {
			if n := enis(t, ctx, ec, vpc, "ELB "); n > 0 {
				return fmt.Errorf("%d left", n)
			}
			return nil
		})
	})
}

// enis counts the network interfaces in the VPC whose description starts with prefix.
func enis(t *testing.T, ctx context.Context, ec *ec2.Client, vpc, prefix string) int {
	t.Helper()
	out, err := ec.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
	must(t, err)
	n := 0
	for _, i := range out.NetworkInterfaces {
		if strings.HasPrefix(aws.ToString(i.Description), prefix) {
			n++
		}
	}
	return n
}
