package server

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	clb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	clbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// Who makes a LoadBalancer Service's load balancer, and so what it is.
// EKS's legacy (in-tree) cloud controller makes a Classic ELB, or an NLB
// with instance targets when the Service's type annotation is `nlb`
// ("Route TCP and UDP traffic with Network Load Balancers",
// https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html);
// the AWS Load Balancer Controller makes the others.
const (
	lbController = "controller"
	lbClassic    = "classic"
	lbLegacyNLB  = "nlb"
)

func lbKindOf(svc *corev1.Service) string {
	switch {
	case placement.ServiceNeedsLoadBalancerController(svc) != "":
		return lbController
	case svc.Annotations[placement.LoadBalancerTypeAnnotation] == "nlb":
		return lbLegacyNLB
	}
	return lbClassic
}

// lbNameOf: the legacy controller names a load balancer "a" and the
// Service's UID without dashes, 32 characters at most (ELB's limit).
func (c *Cluster) lbNameOf(kind string, svc *corev1.Service) string {
	if kind == lbController {
		return lbName(c.Name, svc.Namespace, svc.Name)
	}
	n := "a" + strings.ReplaceAll(string(svc.UID), "-", "")
	return n[:min(len(n), 32)]
}

// legacyTags are what the legacy controller tags its load balancers, target
// groups and security groups with: the destroy cleanup finds them by the
// cluster tag.
func legacyTags(cluster string, svc *corev1.Service) map[string]string {
	return map[string]string{"kubernetes.io/cluster/" + cluster: "owned", "kubernetes.io/service-name": svc.Namespace + "/" + svc.Name}
}

func (lb *loadBalancer) key() string {
	if lb.ARN != "" {
		return lb.ARN
	}
	return lb.Name
}

// classicDNS is a Classic ELB's DNS name as AWS gives it:
// <name>-<digits>.<region>.elb.amazonaws.com (moto gives
// <name>.us-east-1.elb.amazonaws.com in every region).
func classicDNS(name, region string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("%s-%d.%s.elb.amazonaws.com", name, h.Sum32(), region)
}

var motoClassicDNS = regexp.MustCompile(`([A-Za-z0-9-]+)\.us-east-1\.elb\.amazonaws\.com`)

// elbAfter rewrites moto's Classic ELB DNS names into AWS's and starts the
// release of a deleted load balancer's interfaces.
func (s *Server) elbAfter(c awsproxy.Call, status int, body []byte) []byte {
	classic := formValue(c.Body, "Version") == "2012-06-01"
	if c.Op == "DeleteLoadBalancer" && status/100 == 2 {
		if classic {
			s.lbDeleted(formValue(c.Body, "LoadBalancerName"))
		} else {
			s.lbDeleted(formValue(c.Body, "LoadBalancerArn"))
		}
	}
	if !classic {
		return body
	}
	return motoClassicDNS.ReplaceAllFunc(body, func(m []byte) []byte {
		return []byte(classicDNS(string(motoClassicDNS.FindSubmatch(m)[1]), s.opt.Region))
	})
}

// existingLB is the DNS name of the load balancer if it exists.
func (s *Server) existingLB(ctx context.Context, kind, name string) string {
	if kind == lbClassic {
		if out, err := s.clb.DescribeLoadBalancers(ctx, &clb.DescribeLoadBalancersInput{LoadBalancerNames: []string{name}}); err == nil && len(out.LoadBalancerDescriptions) > 0 {
			return classicDNS(name, s.opt.Region)
		}
		return ""
	}
	if out, err := s.elb.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{name}}); err == nil && len(out.LoadBalancers) > 0 {
		return aws.ToString(out.LoadBalancers[0].DNSName)
	}
	return ""
}

// createClassic makes what the legacy controller makes for a plain
// Service: a security group k8s-elb-<name>, a Classic ELB with a TCP
// listener from each Service port to its node port, and the node group's
// instances registered with it.
func (s *Server) createClassic(ctx context.Context, lb *loadBalancer, svc *corev1.Service, tags map[string]string) (string, error) {
	sg, err := s.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String("k8s-elb-" + lb.Name), VpcId: aws.String(lb.VPC),
		Description:       aws.String(fmt.Sprintf("Security group for Kubernetes ELB %s (%s/%s)", lb.Name, svc.Namespace, svc.Name)),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: ec2Tags(tags)}},
	})
	if err != nil {
		return "", fmt.Errorf("creating the security group of %s: %w", lb.Name, err)
	}
	lb.SG = aws.ToString(sg.GroupId)
	var listeners []clbtypes.Listener
	for _, p := range svc.Spec.Ports {
		listeners = append(listeners, clbtypes.Listener{Protocol: aws.String("TCP"), LoadBalancerPort: p.Port, InstanceProtocol: aws.String("TCP"), InstancePort: aws.Int32(p.NodePort)})
	}
	var ct []clbtypes.Tag
	for k, v := range tags {
		ct = append(ct, clbtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := s.clb.CreateLoadBalancer(ctx, &clb.CreateLoadBalancerInput{
		LoadBalancerName: aws.String(lb.Name), Listeners: listeners, Subnets: lb.Subnets, SecurityGroups: []string{lb.SG}, Tags: ct,
	}); err != nil {
		return "", fmt.Errorf("creating Classic ELB %s: %w", lb.Name, err)
	}
	if len(lb.Targets) > 0 {
		var ins []clbtypes.Instance
		for _, id := range lb.Targets {
			ins = append(ins, clbtypes.Instance{InstanceId: aws.String(id)})
		}
		if _, err := s.clb.RegisterInstancesWithLoadBalancer(ctx, &clb.RegisterInstancesWithLoadBalancerInput{LoadBalancerName: aws.String(lb.Name), Instances: ins}); err != nil {
			return "", fmt.Errorf("registering the instances of %s: %w", lb.Name, err)
		}
	}
	return classicDNS(lb.Name, s.opt.Region), nil
}

// createLegacyNLB makes what the legacy controller makes for an `nlb`
// Service: an NLB without a security group, and per Service port an
// instance target group k8s-<ns>-<name>-<hash> (namespace and name
// without dashes, 8 characters each) on its node port, holding
// the node group's instances, behind a TCP listener.
func (s *Server) createLegacyNLB(ctx context.Context, lb *loadBalancer, svc *corev1.Service, tags map[string]string) (string, error) {
	out, err := s.elb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
		Name: aws.String(lb.Name), Type: elbtypes.LoadBalancerTypeEnumNetwork, Scheme: elbtypes.LoadBalancerSchemeEnumInternetFacing,
		Subnets: lb.Subnets, Tags: elbv2Tags(tags),
	})
	if err != nil {
		return "", fmt.Errorf("creating load balancer %s: %w", lb.Name, err)
	}
	lb.ARN = aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	for _, p := range svc.Spec.Ports {
		sum := sha1.Sum([]byte(fmt.Sprintf("%s/%s/%d/%s/%d", svc.Namespace, svc.Name, p.Port, p.Protocol, p.NodePort)))
		name := fmt.Sprintf("k8s-%s-%s-%s", short(alnum(svc.Namespace), 8), short(alnum(svc.Name), 8), hex.EncodeToString(sum[:])[:10])
		tg, err := s.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{
			Name: aws.String(name), Protocol: elbtypes.ProtocolEnumTcp, Port: aws.Int32(p.NodePort), VpcId: aws.String(lb.VPC),
			TargetType: elbtypes.TargetTypeEnumInstance, Tags: elbv2Tags(tags),
		})
		if err != nil {
			return "", fmt.Errorf("creating target group %s of %s: %w", name, lb.Name, err)
		}
		arn := tg.TargetGroups[0].TargetGroupArn
		lb.TargetGroups = append(lb.TargetGroups, aws.ToString(arn))
		if len(lb.Targets) > 0 {
			var ts []elbtypes.TargetDescription
			for _, id := range lb.Targets {
				ts = append(ts, elbtypes.TargetDescription{Id: aws.String(id), Port: aws.Int32(p.NodePort)})
			}
			if _, err := s.elb.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: arn, Targets: ts}); err != nil {
				return "", fmt.Errorf("registering the instances of %s: %w", name, err)
			}
		}
		if _, err := s.elb.CreateListener(ctx, &elb.CreateListenerInput{
			LoadBalancerArn: aws.String(lb.ARN), Port: aws.Int32(p.Port), Protocol: elbtypes.ProtocolEnumTcp,
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: arn}},
		}); err != nil {
			return "", fmt.Errorf("creating the listener of %s on port %d: %w", lb.Name, p.Port, err)
		}
	}
	return aws.ToString(out.LoadBalancers[0].DNSName), nil
}

func short(s string, n int) string { return s[:min(len(s), n)] }

// alnum drops what a target group name may not hold twice in a row (ELBv2
// refuses "--").
func alnum(s string) string { return nonAlnum.ReplaceAllString(s, "") }

var nonAlnum = regexp.MustCompile(`[^A-Za-z0-9]`)

func ec2Tags(tags map[string]string) []ec2types.Tag {
	var out []ec2types.Tag
	for k, v := range tags {
		out = append(out, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out
}

func elbv2Tags(tags map[string]string) []elbtypes.Tag {
	var out []elbtypes.Tag
	for k, v := range tags {
		out = append(out, elbtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out
}
