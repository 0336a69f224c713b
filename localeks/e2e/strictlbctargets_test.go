package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// TestStrictLBCTargets: what the AWS Load Balancer Controller makes, seen
// through the AWS APIs, and only while it runs for this cluster. A Service
// of type external gets an NLB (scheme internal by default) with its own
// security group and a target group per port: target type ip holds the
// Ready pods' IPs and follows them as pods come and go; type instance
// (the default) in front of Fargate pods has no instance to register (the
// controller's docs: ip targets for Fargate). An Ingress of class alb gets
// an ALB (internet-facing by its scheme annotation) with a target group
// per backend and a listener on 80, its host name in the Ingress status.
// Both carry the controller's finalizer; deleted while the controller does
// not run they stay Terminating with their load balancers, and the
// controller finishes the job when it is back. A controller whose
// --cluster-name is another cluster's manages nothing. Controller docs:
// guide/service/nlb.md, guide/service/annotations.md,
// guide/ingress/annotations.md; EKS user guide, "Route TCP and UDP
// traffic with Network Load Balancers"
// (https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html)
// and "Route application and HTTP traffic with Application Load Balancers"
// (https://docs.aws.amazon.com/eks/latest/userguide/alb-ingress.html).
func TestStrictLBCTargets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := eksClient("AKIDCREATOR")
	opts := e.Options()
	ec := ec2.New(ec2.Options{Region: "eu-west-1", BaseEndpoint: aws.String(env.URL), Credentials: opts.Credentials})
	v2 := elb.New(elb.Options{Region: "eu-west-1", BaseEndpoint: aws.String(env.URL), Credentials: opts.Credentials})
	name := "lbc-targets"
	v := vpcCluster(t, ctx, name)
	vpc, privA, privB, cl := v.vpc, v.privA, v.privB, v.cluster
	_, err := e.CreateFargateProfile(ctx, profile(name, "all", eksRole, []string{privA, privB}, []ekstypes.FargateProfileSelector{{Namespace: aws.String("web")},
		{Namespace: aws.String(placement.LBCNamespace), Labels: map[string]string{"app.kubernetes.io/name": placement.LBCName}}}))
	must(t, err)
	t.Cleanup(func() {
		_, _ = e.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String("all")})
	})
	profileActive(t, ctx, e, name, "all")
	k := adminKube(t, ctx, cl)
	ns := "web"
	_, err = k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(t, err)
	_, err = k.AppsV1().Deployments(ns).Create(ctx, deployment(ns, "web", map[string]string{"app": "web"}, 2, ""), metav1.CreateOptions{})
	must(t, err)
	webService := func(svcName string, typ corev1.ServiceType, annotations map[string]string) {
		_, err := k.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: svcName, Namespace: ns, Annotations: annotations},
			Spec: corev1.ServiceSpec{Type: typ, Selector: map[string]string{"app": "web"},
				Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}}}}, metav1.CreateOptions{})
		must(t, err)
	}
	external := map[string]string{placement.LoadBalancerTypeAnnotation: "external"}
	webService("nlb-ip", corev1.ServiceTypeLoadBalancer, map[string]string{placement.LoadBalancerTypeAnnotation: "external", placement.NLBTargetTypeAnnotation: "ip"})
	webService("nlb-instance", corev1.ServiceTypeLoadBalancer, external)
	webService("web", corev1.ServiceTypeClusterIP, nil)
	_, err = k.NetworkingV1().Ingresses(ns).Create(ctx, albIngress(ns, "web", "web", map[string]string{
		placement.ALBTargetTypeAnnotation: "ip", "alb.ingress.kubernetes.io/scheme": "internet-facing"}), metav1.CreateOptions{})
	must(t, err)

	arn := lbcRole(t, ctx, cl, true)
	installLBC(t, ctx, k, arn)
	t.Run("a controller of another cluster: nothing", func(t *testing.T) {
		_, err := k.AppsV1().Deployments(placement.LBCNamespace).Create(ctx, lbcDeployment("another", vpc), metav1.CreateOptions{})
		must(t, err)
		lbcReady(t, ctx, k)
		event(t, ctx, k, ns, "nlb-ip", "NoLoadBalancerController", "--cluster-name=another", "manages nothing")
		event(t, ctx, k, ns, "web", "NoLoadBalancerController", "--cluster-name=another")
		noAddress(t, ctx, k, ns, "nlb-ip", "nlb-instance")
	})

	updateLBC(t, ctx, k, lbcDeployment(name, vpc))
	podIPs := func() []string {
		pods, err := k.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		must(t, err)
		var ips []string
		for _, p := range pods.Items {
			if p.Status.PodIP != "" && p.DeletionTimestamp == nil && podIsReady(&p) {
				ips = append(ips, p.Status.PodIP)
			}
		}
		slices.Sort(ips)
		return ips
	}
	lbOf := func(t *testing.T, owner string, typ elbtypes.LoadBalancerTypeEnum, scheme elbtypes.LoadBalancerSchemeEnum, stackTag string) (elbtypes.LoadBalancer, []elbtypes.TargetGroup) {
		t.Helper()
		lbs, err := v2.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
		must(t, err)
		for _, lb := range lbs.LoadBalancers {
			tags := elbTags(t, ctx, v2, aws.ToString(lb.LoadBalancerArn))
			if tags[stackTag] != ns+"/"+owner || tags["elbv2.k8s.aws/cluster"] != name {
				continue
			}
			if lb.Type != typ || lb.Scheme != scheme || aws.ToString(lb.VpcId) != vpc || len(lb.SecurityGroups) != 1 {
				t.Errorf("load balancer of %s: %s %s in %s, security groups %v; want %s %s in %s with its own", owner, lb.Type, lb.Scheme,
					aws.ToString(lb.VpcId), lb.SecurityGroups, typ, scheme, vpc)
			}
			tgs, err := v2.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{LoadBalancerArn: lb.LoadBalancerArn})
			must(t, err)
			return lb, tgs.TargetGroups
		}
		t.Fatalf("no load balancer tagged %s=%s/%s, elbv2.k8s.aws/cluster=%s", stackTag, ns, owner, name)
		return elbtypes.LoadBalancer{}, nil
	}
	targetsOf := func(tg elbtypes.TargetGroup) []string {
		h, err := v2.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn})
		must(t, err)
		var ids []string
		for _, d := range h.TargetHealthDescriptions {
			ids = append(ids, aws.ToString(d.Target.Id))
		}
		slices.Sort(ids)
		return ids
	}

	t.Run("ip targets: an internal NLB, the Ready pods' IPs, in step", func(t *testing.T) {
		hasAddress(t, ctx, k, ns, "nlb-ip")
		svc, err := k.CoreV1().Services(ns).Get(ctx, "nlb-ip", metav1.GetOptions{})
		must(t, err)
		if !slices.Contains(svc.Finalizers, placement.LBCServiceFinalizer) {
			t.Errorf("finalizers %v, want %s", svc.Finalizers, placement.LBCServiceFinalizer)
		}
		lb, tgs := lbOf(t, "nlb-ip", elbtypes.LoadBalancerTypeEnumNetwork, elbtypes.LoadBalancerSchemeEnumInternal, "service.k8s.aws/stack")
		if got, want := subnetsOf(lb), sorted(privA, privB); !slices.Equal(got, want) {
			t.Errorf("internal NLB in subnets %v, want the private ones %v (no role tags: by reachability)", got, want)
		}
		if host := svc.Status.LoadBalancer.Ingress[0].Hostname; host != aws.ToString(lb.DNSName) {
			t.Errorf("the Service's host name %s, the NLB's %s", host, aws.ToString(lb.DNSName))
		}
		if len(tgs) != 1 || tgs[0].TargetType != elbtypes.TargetTypeEnumIp || aws.ToInt32(tgs[0].Port) != 8080 {
			t.Fatalf("target groups %+v, want one of type ip on 8080", tgs)
		}
		eventually(t, 30*time.Second, "the two pods registered", func() error {
			if got, want := targetsOf(tgs[0]), podIPs(); len(want) != 2 || !slices.Equal(got, want) {
				return fmt.Errorf("targets %v, Ready pods %v", got, want)
			}
			return nil
		})
		scale(t, ctx, k, ns, "web", 3)
		eventually(t, 30*time.Second, "the third pod registered", func() error {
			if got, want := targetsOf(tgs[0]), podIPs(); len(want) != 3 || !slices.Equal(got, want) {
				return fmt.Errorf("targets %v, Ready pods %v", got, want)
			}
			return nil
		})
		scale(t, ctx, k, ns, "web", 1)
		eventually(t, 30*time.Second, "two pods deregistered", func() error {
			if got, want := targetsOf(tgs[0]), podIPs(); len(want) != 1 || !slices.Equal(got, want) {
				return fmt.Errorf("targets %v, Ready pods %v", got, want)
			}
			return nil
		})
	})

	t.Run("instance targets in front of Fargate pods: a warning", func(t *testing.T) {
		hasAddress(t, ctx, k, ns, "nlb-instance")
		event(t, ctx, k, ns, "nlb-instance", "NoInstanceTargets", "Fargate", placement.NLBTargetTypeAnnotation+": ip")
		_, tgs := lbOf(t, "nlb-instance", elbtypes.LoadBalancerTypeEnumNetwork, elbtypes.LoadBalancerSchemeEnumInternal, "service.k8s.aws/stack")
		if len(tgs) != 1 || tgs[0].TargetType != elbtypes.TargetTypeEnumInstance || len(targetsOf(tgs[0])) != 0 {
			t.Errorf("target groups %+v, want one of type instance without targets", tgs)
		}
	})

	var albDNS string
	t.Run("an Ingress of class alb: an ALB, once the VPC has public subnets in two zones", func(t *testing.T) {
		event(t, ctx, k, ns, "web", "FailedBuildModel", "couldn't auto-discover subnets: subnets count less than minimal required count: 1 < 2")
		publicB, err := ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("10.20.3.0/24"), AvailabilityZone: aws.String("eu-west-1b")})
		must(t, err)
		rts, err := ec.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{{Name: aws.String("association.subnet-id"), Values: []string{v.public}}}})
		must(t, err)
		_, err = ec.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: rts.RouteTables[0].RouteTableId, SubnetId: publicB.Subnet.SubnetId})
		must(t, err)
		eventually(t, 30*time.Second, "the Ingress's host name", func() error {
			ing, err := k.NetworkingV1().Ingresses(ns).Get(ctx, "web", metav1.GetOptions{})
			if err != nil || len(ing.Status.LoadBalancer.Ingress) == 0 {
				return fmt.Errorf("%v %v", err, ing.Status)
			}
			albDNS = ing.Status.LoadBalancer.Ingress[0].Hostname
			if !slices.Contains(ing.Finalizers, placement.LBCIngressFinalizer) {
				return fmt.Errorf("finalizers %v", ing.Finalizers)
			}
			return nil
		})
		lb, tgs := lbOf(t, "web", elbtypes.LoadBalancerTypeEnumApplication, elbtypes.LoadBalancerSchemeEnumInternetFacing, "ingress.k8s.aws/stack")
		if got, want := subnetsOf(lb), sorted(v.public, aws.ToString(publicB.Subnet.SubnetId)); !slices.Equal(got, want) {
			t.Errorf("internet-facing ALB in subnets %v, want the public ones %v", got, want)
		}
		if aws.ToString(lb.DNSName) != albDNS {
			t.Errorf("the Ingress's host name %s, the ALB's %s", albDNS, aws.ToString(lb.DNSName))
		}
		if len(tgs) != 1 || tgs[0].TargetType != elbtypes.TargetTypeEnumIp || tgs[0].Protocol != elbtypes.ProtocolEnumHttp {
			t.Fatalf("target groups %+v, want one HTTP of type ip", tgs)
		}
		eventually(t, 30*time.Second, "the pod registered", func() error {
			if got, want := targetsOf(tgs[0]), podIPs(); len(want) != 1 || !slices.Equal(got, want) {
				return fmt.Errorf("targets %v, Ready pods %v", got, want)
			}
			return nil
		})
		ls, err := v2.DescribeListeners(ctx, &elb.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
		must(t, err)
		if len(ls.Listeners) != 1 || aws.ToInt32(ls.Listeners[0].Port) != 80 || ls.Listeners[0].Protocol != elbtypes.ProtocolEnumHttp ||
			len(ls.Listeners[0].DefaultActions) != 1 || ls.Listeners[0].DefaultActions[0].Type != elbtypes.ActionTypeEnumFixedResponse {
			t.Fatalf("listeners %+v, want HTTP 80 answering 404 by default (no default backend)", ls.Listeners)
		}
		rules, err := v2.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: ls.Listeners[0].ListenerArn})
		must(t, err)
		var forwards []string
		for _, r := range rules.Rules {
			for _, c := range r.Conditions {
				if aws.ToString(c.Field) == "path-pattern" && len(r.Actions) == 1 && aws.ToString(r.Actions[0].TargetGroupArn) == aws.ToString(tgs[0].TargetGroupArn) {
					forwards = append(forwards, pathPatterns(c)...)
				}
			}
		}
		if !slices.Equal(forwards, []string{"/*"}) {
			t.Errorf("rules %+v: path patterns forwarding to the backend %v, want [/*] (path / of type Prefix)", rules.Rules, forwards)
		}
	})

	t.Run("an Ingress changed: the ALB's rules, default action and target groups follow", func(t *testing.T) {
		webService("web2", corev1.ServiceTypeClusterIP, nil)
		exact, prefix := networkingv1.PathTypeExact, networkingv1.PathTypePrefix
		backend := func(svc string) networkingv1.IngressBackend {
			return networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: svc, Port: networkingv1.ServiceBackendPort{Number: 80}}}
		}
		change := func(paths []networkingv1.HTTPIngressPath, dflt *networkingv1.IngressBackend) {
			ing, err := k.NetworkingV1().Ingresses(ns).Get(ctx, "web", metav1.GetOptions{})
			must(t, err)
			ing.Spec.Rules[0].HTTP.Paths, ing.Spec.DefaultBackend = paths, dflt
			_, err = k.NetworkingV1().Ingresses(ns).Update(ctx, ing, metav1.UpdateOptions{})
			must(t, err)
		}
		// forwards: the ALB's path patterns by target group name, and the
		// target group its listener forwards the rest to ("" for a 404).
		forwards := func() (map[string][]string, string, error) {
			lb, _ := lbOf(t, "web", elbtypes.LoadBalancerTypeEnumApplication, elbtypes.LoadBalancerSchemeEnumInternetFacing, "ingress.k8s.aws/stack")
			all, err := v2.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{})
			if err != nil {
				return nil, "", err
			}
			names := map[string]string{}
			for _, tg := range all.TargetGroups {
				if elbTags(t, ctx, v2, aws.ToString(tg.TargetGroupArn))["ingress.k8s.aws/stack"] == ns+"/web" {
					names[aws.ToString(tg.TargetGroupArn)] = aws.ToString(tg.TargetGroupName)
				}
			}
			ls, err := v2.DescribeListeners(ctx, &elb.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
			if err != nil || len(ls.Listeners) != 1 {
				return nil, "", fmt.Errorf("listeners %v: %v", ls, err)
			}
			dflt := ""
			if a := ls.Listeners[0].DefaultActions; len(a) == 1 && a[0].Type == elbtypes.ActionTypeEnumForward {
				dflt = names[aws.ToString(a[0].TargetGroupArn)]
			}
			rules, err := v2.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: ls.Listeners[0].ListenerArn})
			if err != nil {
				return nil, "", err
			}
			out := map[string][]string{}
			for name := range maps.Values(names) {
				out[name] = nil
			}
			for _, r := range rules.Rules {
				for _, c := range r.Conditions {
					if aws.ToString(c.Field) == "path-pattern" && len(r.Actions) == 1 {
						name := names[aws.ToString(r.Actions[0].TargetGroupArn)]
						out[name] = append(out[name], pathPatterns(c)...)
					}
				}
			}
			return out, dflt, nil
		}
		expect := func(what string, want map[string][]string, wantDefault string) {
			eventually(t, 30*time.Second, what, func() error {
				got, dflt, err := forwards()
				if err != nil {
					return err
				}
				for n := range got {
					slices.Sort(got[n])
				}
				if fmt.Sprint(got) != fmt.Sprint(want) || dflt != wantDefault {
					return fmt.Errorf("target groups and their path patterns %v, default %q; want %v, default %q", got, dflt, want, wantDefault)
				}
				return nil
			})
		}
		before, _, err := forwards()
		must(t, err)
		if len(before) != 1 {
			t.Fatalf("target groups of the Ingress %v, want web's only", before)
		}
		var web string
		for n := range before {
			web = n
		}
		change([]networkingv1.HTTPIngressPath{
			{Path: "/api", PathType: &prefix, Backend: backend("web")},
			{Path: "/v2", PathType: &exact, Backend: backend("web2")},
		}, &networkingv1.IngressBackend{Service: backend("web").Service})
		var web2 string
		eventually(t, 30*time.Second, "a target group for web2", func() error {
			got, _, err := forwards()
			for n := range got {
				if n != web {
					web2 = n
				}
			}
			if err == nil && web2 == "" {
				err = fmt.Errorf("target groups %v", got)
			}
			return err
		})
		expect("the rules of two backends, the default to web", map[string][]string{web: {"/api", "/api/*"}, web2: {"/v2"}}, web)
		change([]networkingv1.HTTPIngressPath{{Path: "/api", PathType: &prefix, Backend: backend("web")}}, nil)
		expect("web2's rule and target group gone, no default", map[string][]string{web: {"/api", "/api/*"}}, "")
	})

	t.Run("deleted while the controller is down: Terminating, then cleaned up when it is back", func(t *testing.T) {
		nlb, nlbTGs := lbOf(t, "nlb-ip", elbtypes.LoadBalancerTypeEnumNetwork, elbtypes.LoadBalancerSchemeEnumInternal, "service.k8s.aws/stack")
		alb, albTGs := lbOf(t, "web", elbtypes.LoadBalancerTypeEnumApplication, elbtypes.LoadBalancerSchemeEnumInternetFacing, "ingress.k8s.aws/stack")
		scale(t, ctx, k, placement.LBCNamespace, placement.LBCName, 0)
		eventually(t, 30*time.Second, "the controller gone", func() error {
			d, err := k.AppsV1().Deployments(placement.LBCNamespace).Get(ctx, placement.LBCName, metav1.GetOptions{})
			if err != nil || d.Status.ReadyReplicas != 0 {
				return fmt.Errorf("%v %d", err, d.Status.ReadyReplicas)
			}
			return nil
		})
		must(t, k.CoreV1().Services(ns).Delete(ctx, "nlb-ip", metav1.DeleteOptions{}))
		must(t, k.NetworkingV1().Ingresses(ns).Delete(ctx, "web", metav1.DeleteOptions{}))
		time.Sleep(3 * time.Second)
		svc, err := k.CoreV1().Services(ns).Get(ctx, "nlb-ip", metav1.GetOptions{})
		must(t, err)
		ing, err := k.NetworkingV1().Ingresses(ns).Get(ctx, "web", metav1.GetOptions{})
		must(t, err)
		if svc.DeletionTimestamp == nil || ing.DeletionTimestamp == nil {
			t.Errorf("not Terminating: %v %v", svc.DeletionTimestamp, ing.DeletionTimestamp)
		}
		for _, lb := range []elbtypes.LoadBalancer{nlb, alb} {
			if _, err := v2.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{aws.ToString(lb.LoadBalancerArn)}}); err != nil {
				t.Errorf("load balancer %s gone while the controller is down: %v", aws.ToString(lb.LoadBalancerName), err)
			}
		}

		scale(t, ctx, k, placement.LBCNamespace, placement.LBCName, 1)
		eventually(t, 60*time.Second, "the Service and the Ingress gone", func() error {
			_, e1 := k.CoreV1().Services(ns).Get(ctx, "nlb-ip", metav1.GetOptions{})
			_, e2 := k.NetworkingV1().Ingresses(ns).Get(ctx, "web", metav1.GetOptions{})
			if !apierrors.IsNotFound(e1) || !apierrors.IsNotFound(e2) {
				return fmt.Errorf("%v %v", e1, e2)
			}
			return nil
		})
		for _, lb := range []elbtypes.LoadBalancer{nlb, alb} {
			out, err := v2.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{aws.ToString(lb.LoadBalancerName)}})
			if err == nil && len(out.LoadBalancers) > 0 {
				t.Errorf("load balancer %s left", aws.ToString(lb.LoadBalancerName))
			}
		}
		for _, tg := range append(nlbTGs, albTGs...) {
			out, err := v2.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{aws.ToString(tg.TargetGroupArn)}})
			if err == nil && len(out.TargetGroups) > 0 {
				t.Errorf("target group %s left", aws.ToString(tg.TargetGroupName))
			}
		}
		eventually(t, 60*time.Second, "their security groups gone", func() error {
			for _, sg := range append(nlb.SecurityGroups, alb.SecurityGroups...) {
				out, err := ec.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{sg}}}})
				if err != nil || len(out.SecurityGroups) > 0 {
					return fmt.Errorf("security group %s: %v", sg, err)
				}
			}
			return nil
		})
	})

	t.Run("deleted while the controller's role no longer allows it: Terminating, then cleaned up", func(t *testing.T) {
		nlb, _ := lbOf(t, "nlb-instance", elbtypes.LoadBalancerTypeEnumNetwork, elbtypes.LoadBalancerSchemeEnumInternal, "service.k8s.aws/stack")
		roleName := name + "-lbc"
		_, err := iamClient().DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("lbc")})
		must(t, err)
		must(t, k.CoreV1().Services(ns).Delete(ctx, "nlb-instance", metav1.DeleteOptions{}))
		time.Sleep(3 * time.Second)
		svc, err := k.CoreV1().Services(ns).Get(ctx, "nlb-instance", metav1.GetOptions{})
		must(t, err)
		if svc.DeletionTimestamp == nil {
			t.Errorf("not Terminating")
		}
		if _, err := v2.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{aws.ToString(nlb.LoadBalancerArn)}}); err != nil {
			t.Errorf("load balancer gone while the controller may not delete it: %v", err)
		}
		_, err = iamClient().PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("lbc"), PolicyDocument: aws.String(lbcPolicy)})
		must(t, err)
		eventually(t, 60*time.Second, "the Service gone", func() error {
			if _, err := k.CoreV1().Services(ns).Get(ctx, "nlb-instance", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return fmt.Errorf("%v", err)
			}
			return nil
		})
		out, err := v2.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{aws.ToString(nlb.LoadBalancerName)}})
		if err == nil && len(out.LoadBalancers) > 0 {
			t.Errorf("load balancer %s left", aws.ToString(nlb.LoadBalancerName))
		}
	})
}

// aVPCCluster is an ACTIVE cluster in a VPC of EC2 (fidelityVPC): the
// load balancers Kubernetes asks for are made there.
type aVPCCluster struct {
	cluster                   *ekstypes.Cluster
	vpc, public, privA, privB string
}

func vpcCluster(t *testing.T, ctx context.Context, name string) aVPCCluster {
	t.Helper()
	e := eksClient("AKIDCREATOR")
	ec := ec2.New(ec2.Options{Region: "eu-west-1", BaseEndpoint: aws.String(env.URL), Credentials: e.Options().Credentials})
	v := aVPCCluster{}
	v.public, v.privA, v.privB = fidelityVPC(t, ctx)
	sn, err := ec.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{v.public}})
	must(t, err)
	v.vpc = aws.ToString(sn.Subnets[0].VpcId)
	_, err = e.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String(eksRole), Version: aws.String("1.35"),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{v.public, v.privA, v.privB}}})
	must(t, err)
	t.Cleanup(func() { _, _ = e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)}) })
	out, err := eks.NewClusterActiveWaiter(e, func(o *eks.ClusterActiveWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).
		WaitForOutput(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, time.Minute)
	must(t, err)
	v.cluster = out.Cluster
	return v
}

// pathPatterns are a path-pattern condition's patterns, in either form.
func pathPatterns(c elbtypes.RuleCondition) []string {
	if c.PathPatternConfig != nil {
		return c.PathPatternConfig.Values
	}
	return c.Values
}
