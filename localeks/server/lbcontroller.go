package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/terrax/terraform-provider-fargate/localeks/sim"
)

// What the AWS Load Balancer Controller makes (its docs, "How it works",
// and "Service annotations" / "Ingress annotations"): for a Service an
// NLB, for an Ingress an ALB, each with its own security group, a target
// group per Service port (NLB) or per backend Service port (ALB), of target
// type ip (pod IPs) or instance (EC2 nodes, their node port), and
// listeners; all tagged elbv2.k8s.aws/cluster, <kind>.k8s.aws/stack
// <ns>/<name> and <kind>.k8s.aws/resource.

// controllerTagPrefix is service.k8s.aws or ingress.k8s.aws.
func controllerTagPrefix(owner corev1.ObjectReference) string {
	if owner.Kind == "Ingress" {
		return "ingress.k8s.aws"
	}
	return "service.k8s.aws"
}

func (c *Cluster) controllerLBName(owner corev1.ObjectReference) string {
	if owner.Kind == "Ingress" {
		return lbName(c.Name, owner.Namespace, "ingress/"+owner.Name)
	}
	return lbName(c.Name, owner.Namespace, owner.Name)
}

func (c *Cluster) controllerTags(owner corev1.ObjectReference, resource string) map[string]string {
	p := controllerTagPrefix(owner)
	return map[string]string{lbClusterTag: c.Name, p + "/stack": owner.Namespace + "/" + owner.Name, p + "/resource": resource}
}

// tgName is the controller's target group name: k8s-<ns>-<name>-<hash>.
func tgName(lb string, owner corev1.ObjectReference, tg sim.TargetGroup) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%t", lb, tg.Resource, tg.IP)))
	return fmt.Sprintf("k8s-%s-%s-%s", short(alnum(owner.Namespace), 8), short(alnum(owner.Name), 8), hex.EncodeToString(sum[:])[:10])
}

// EnsureControllerLB implements sim.ControllerLoadBalancers.
func (c *Cluster) EnsureControllerLB(ctx context.Context, want sim.ControllerLB) (string, error) {
	name := c.controllerLBName(want.Owner)
	lb, dns, err := c.controllerLB(ctx, name, want)
	if lb == nil || err != nil {
		return "", err
	}
	arns := map[int]string{}
	for i, tg := range want.TargetGroups {
		arn, err := c.ensureTargetGroup(ctx, lb, want.Owner, tg)
		if err != nil {
			return "", err
		}
		arns[i] = arn
	}
	if want.Owner.Kind == "Ingress" {
		if err := c.albListener(ctx, lb, want, arns); err != nil {
			return "", err
		}
	}
	return dns, nil
}

// controllerLB finds or makes the load balancer and its security group.
func (c *Cluster) controllerLB(ctx context.Context, name string, want sim.ControllerLB) (*loadBalancer, string, error) {
	s := c.s
	s.mu.Lock()
	for _, lb := range s.lbs {
		if lb.Name == name && lb.Kind == lbController && lb.deleted.IsZero() {
			s.mu.Unlock()
			return lb, lb.DNS, nil
		}
	}
	s.mu.Unlock()
	lb, err := c.controllerPlace(ctx, name, want.Internal, want.Owner.Kind == "Ingress")
	if lb == nil || err != nil {
		return nil, "", err
	}
	lb.Kind = lbController
	sg, err := s.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String(name), Description: aws.String("[k8s] Managed SecurityGroup for LoadBalancer"), VpcId: aws.String(lb.VPC),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup,
			Tags: ec2Tags(c.controllerTags(want.Owner, "ManagedLBSecurityGroup"))}},
	})
	if err != nil {
		return nil, "", fmt.Errorf("creating the security group of %s: %w", name, err)
	}
	lb.SG = aws.ToString(sg.GroupId)
	typ, scheme := elbtypes.LoadBalancerTypeEnumNetwork, elbtypes.LoadBalancerSchemeEnumInternetFacing
	if want.Owner.Kind == "Ingress" {
		typ = elbtypes.LoadBalancerTypeEnumApplication
	}
	if want.Internal {
		scheme = elbtypes.LoadBalancerSchemeEnumInternal
	}
	out, err := s.elb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
		Name: aws.String(name), Type: typ, Scheme: scheme, Subnets: lb.Subnets, SecurityGroups: []string{lb.SG},
		Tags: elbv2Tags(c.controllerTags(want.Owner, "LoadBalancer")),
	})
	if err != nil {
		// The security group is the controller's; it goes with the attempt.
		_, _ = s.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(lb.SG)})
		return nil, "", fmt.Errorf("creating load balancer %s: %w", name, err)
	}
	lb.ARN, lb.DNS = aws.ToString(out.LoadBalancers[0].LoadBalancerArn), aws.ToString(out.LoadBalancers[0].DNSName)
	lb.registered = map[string][]string{}
	for _, sn := range lb.Subnets {
		eni, err := s.ec2.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(sn), Groups: []string{lb.SG},
			Description: aws.String(map[bool]string{true: "ELB app/", false: "ELB net/"}[typ == elbtypes.LoadBalancerTypeEnumApplication] + name)})
		if err != nil {
			return nil, "", fmt.Errorf("creating a network interface of %s: %w", name, err)
		}
		lb.ENIs = append(lb.ENIs, aws.ToString(eni.NetworkInterface.NetworkInterfaceId))
	}
	s.mu.Lock()
	s.lbs[lb.key()] = lb
	s.mu.Unlock()
	s.logf("cluster %s: %s %s (%s) for %s %s/%s in %s", c.Name, typ, name, scheme, want.Owner.Kind, want.Owner.Namespace, want.Owner.Name, lb.VPC)
	return lb, lb.DNS, nil
}

// ensureTargetGroup makes the target group and its listener once, then
// registers the wanted targets and deregisters the others.
func (c *Cluster) ensureTargetGroup(ctx context.Context, lb *loadBalancer, owner corev1.ObjectReference, tg sim.TargetGroup) (string, error) {
	s := c.s
	name := tgName(lb.Name, owner, tg)
	s.mu.Lock()
	arn := lb.tgByName[name]
	s.mu.Unlock()
	if arn == "" {
		typ := elbtypes.TargetTypeEnumInstance
		if tg.IP {
			typ = elbtypes.TargetTypeEnumIp
		}
		out, err := s.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{
			Name: aws.String(name), Protocol: elbtypes.ProtocolEnum(tg.Protocol), Port: aws.Int32(tg.Port), VpcId: aws.String(lb.VPC),
			TargetType: typ, Tags: elbv2Tags(c.controllerTags(owner, tg.Resource)),
		})
		if err != nil {
			return "", fmt.Errorf("creating target group %s of %s: %w", name, lb.Name, err)
		}
		arn = aws.ToString(out.TargetGroups[0].TargetGroupArn)
		if owner.Kind != "Ingress" {
			if err := c.listen(ctx, lb, tg, arn); err != nil {
				return "", err
			}
		}
		s.mu.Lock()
		if lb.tgByName == nil {
			lb.tgByName = map[string]string{}
		}
		lb.tgByName[name] = arn
		lb.TargetGroups = append(lb.TargetGroups, arn)
		s.mu.Unlock()
	}
	s.mu.Lock()
	have := lb.registered[arn]
	s.mu.Unlock()
	var add, drop []elbtypes.TargetDescription
	for _, t := range tg.Targets {
		if !slices.Contains(have, t) {
			add = append(add, elbtypes.TargetDescription{Id: aws.String(t), Port: aws.Int32(tg.Port)})
		}
	}
	for _, t := range have {
		if !slices.Contains(tg.Targets, t) {
			drop = append(drop, elbtypes.TargetDescription{Id: aws.String(t), Port: aws.Int32(tg.Port)})
		}
	}
	if len(add) > 0 {
		if _, err := s.elb.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(arn), Targets: add}); err != nil {
			return "", fmt.Errorf("registering targets with %s: %w", name, err)
		}
	}
	if len(drop) > 0 {
		if _, err := s.elb.DeregisterTargets(ctx, &elb.DeregisterTargetsInput{TargetGroupArn: aws.String(arn), Targets: drop}); err != nil {
			return "", fmt.Errorf("deregistering targets from %s: %w", name, err)
		}
	}
	if len(add)+len(drop) > 0 {
		s.logf("cluster %s: target group %s (%s): targets %v", c.Name, name, tg.Resource, tg.Targets)
	}
	s.mu.Lock()
	lb.registered[arn] = slices.Clone(tg.Targets)
	s.mu.Unlock()
	return arn, nil
}

// listen: an NLB listens on each Service port, forwarding to its target group.
func (c *Cluster) listen(ctx context.Context, lb *loadBalancer, tg sim.TargetGroup, arn string) error {
	_, err := c.s.elb.CreateListener(ctx, &elb.CreateListenerInput{
		LoadBalancerArn: aws.String(lb.ARN), Port: aws.Int32(tg.Listener), Protocol: elbtypes.ProtocolEnum(tg.Protocol),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(arn)}},
	})
	if err != nil {
		return fmt.Errorf("creating the listener of %s on port %d: %w", lb.Name, tg.Listener, err)
	}
	return nil
}

// albListener: an ALB listens on HTTP 80; what no rule matches goes to the
// default backend, else gets a fixed 404; a rule per host and path forwards
// to its backend's target group. As the controller reconciles, a changed
// Ingress changes the default action, adds the rules it now has and
// removes those it no longer has, then deletes the target groups no
// backend uses any more.
func (c *Cluster) albListener(ctx context.Context, lb *loadBalancer, want sim.ControllerLB, arns map[int]string) error {
	s := c.s
	dflt, dfltTG := elbtypes.Action{Type: elbtypes.ActionTypeEnumFixedResponse, FixedResponseConfig: &elbtypes.FixedResponseActionConfig{
		StatusCode: aws.String("404"), ContentType: aws.String("text/plain")}}, ""
	for i, tg := range want.TargetGroups {
		if tg.Default {
			dflt, dfltTG = elbtypes.Action{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(arns[i])}, arns[i]
		}
	}
	s.mu.Lock()
	listener, hadDefault := lb.listener, lb.defaultTG
	s.mu.Unlock()
	switch {
	case listener == "":
		out, err := s.elb.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(lb.ARN), Port: aws.Int32(80),
			Protocol: elbtypes.ProtocolEnumHttp, DefaultActions: []elbtypes.Action{dflt}})
		if err != nil {
			return fmt.Errorf("creating the listener of %s on port 80: %w", lb.Name, err)
		}
		listener = aws.ToString(out.Listeners[0].ListenerArn)
		s.mu.Lock()
		lb.listener, lb.rules = listener, map[string]string{}
		s.mu.Unlock()
	case hadDefault != dfltTG:
		if _, err := s.elb.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: aws.String(listener), DefaultActions: []elbtypes.Action{dflt}}); err != nil {
			return fmt.Errorf("changing the default action of %s: %w", lb.Name, err)
		}
	}
	s.mu.Lock()
	lb.defaultTG = dfltTG
	s.mu.Unlock()
	wanted := map[string]bool{}
	for i, tg := range want.TargetGroups {
		for _, r := range tg.Rules {
			key := fmt.Sprintf("%s|%v|%s", r.Host, r.Paths, arns[i])
			wanted[key] = true
			s.mu.Lock()
			done := lb.rules[key] != ""
			if !done {
				lb.priority++ // new rules after the others; never one taken
			}
			priority := lb.priority
			s.mu.Unlock()
			if done {
				continue
			}
			// The Config forms, as the controller writes them: the legacy
			// Values take one pattern only, and a Prefix path has two.
			conds := []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), PathPatternConfig: &elbtypes.PathPatternConditionConfig{Values: r.Paths}}}
			if r.Host != "" {
				conds = append([]elbtypes.RuleCondition{{Field: aws.String("host-header"),
					HostHeaderConfig: &elbtypes.HostHeaderConditionConfig{Values: []string{r.Host}}}}, conds...)
			}
			out, err := s.elb.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: aws.String(listener), Priority: aws.Int32(priority), Conditions: conds,
				Actions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(arns[i])}}})
			if err != nil {
				return fmt.Errorf("creating a rule of %s: %w", lb.Name, err)
			}
			s.mu.Lock()
			lb.rules[key] = aws.ToString(out.Rules[0].RuleArn)
			s.mu.Unlock()
		}
	}
	for key, arn := range s.unwanted(lb.rules, wanted) {
		if _, err := s.elb.DeleteRule(ctx, &elb.DeleteRuleInput{RuleArn: aws.String(arn)}); err != nil {
			return fmt.Errorf("deleting a rule of %s: %w", lb.Name, err)
		}
		s.mu.Lock()
		delete(lb.rules, key)
		s.mu.Unlock()
	}
	return c.dropTargetGroups(ctx, lb, want.Owner, want.TargetGroups)
}

// unwanted copies, under s.mu, the entries of m whose key keep lacks.
func (s *Server) unwanted(m map[string]string, keep map[string]bool) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for k, v := range m {
		if !keep[k] {
			out[k] = v
		}
	}
	return out
}

// dropTargetGroups deletes the load balancer's target groups that none of
// want is (once no rule or action forwards to them).
func (c *Cluster) dropTargetGroups(ctx context.Context, lb *loadBalancer, owner corev1.ObjectReference, want []sim.TargetGroup) error {
	s := c.s
	keep := map[string]bool{}
	for _, tg := range want {
		keep[tgName(lb.Name, owner, tg)] = true
	}
	for name, arn := range s.unwanted(lb.tgByName, keep) {
		if _, err := s.elb.DeleteTargetGroup(ctx, &elb.DeleteTargetGroupInput{TargetGroupArn: aws.String(arn)}); err != nil {
			return fmt.Errorf("deleting target group %s of %s: %w", name, lb.Name, err)
		}
		s.mu.Lock()
		delete(lb.tgByName, name)
		delete(lb.registered, arn)
		lb.TargetGroups = slices.DeleteFunc(lb.TargetGroups, func(a string) bool { return a == arn })
		s.mu.Unlock()
		s.logf("cluster %s: target group %s of %s deleted: no backend uses it", c.Name, name, lb.Name)
	}
	return nil
}

// DeleteControllerLB implements sim.ControllerLoadBalancers.
func (c *Cluster) DeleteControllerLB(ctx context.Context, owner corev1.ObjectReference) error {
	s := c.s
	name := c.controllerLBName(owner)
	out, err := s.elb.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{name}})
	if err != nil || len(out.LoadBalancers) == 0 {
		return nil // already gone
	}
	arn := aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	s.mu.Lock()
	var tgs []string
	if lb := s.lbs[arn]; lb != nil {
		tgs = slices.Clone(lb.TargetGroups)
	}
	s.mu.Unlock()
	return s.deleteELBv2(ctx, name, arn, tgs)
}
