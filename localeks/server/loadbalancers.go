package server

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	clb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	corev1 "k8s.io/api/core/v1"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
)

// loadBalancer is an AWS load balancer localeks made for a LoadBalancer
// Service, as EKS's legacy cloud controller or the AWS Load Balancer
// Controller does: the load balancer, its security group (a legacy NLB has
// none) and one network interface per subnet, all in the cluster's VPC. AWS keeps such interfaces (and so the subnets, the
// security group and the VPC) until the load balancer is deleted and its
// interfaces are released; localeks enforces the same dependencies, which
// moto does not.
type loadBalancer struct {
	// Kind: lbController, lbClassic or lbLegacyNLB; a Classic ELB has no ARN.
	Kind                        string
	ARN, Name, Cluster, VPC, SG string
	Subnets, ENIs               []string
	// Targets: the instances of a legacy load balancer (EKS's cloud
	// controller registers the EC2 nodes; Fargate pods sit behind them).
	Targets []string
	// TargetGroups: a legacy NLB's, one per Service port; a controller
	// load balancer's, by name in tgByName, with their registered targets.
	TargetGroups []string
	tgByName     map[string]string
	registered   map[string][]string
	// listener, rules (ARNs by host, paths and target group), priority (the
	// last one given) and defaultTG (where the listener forwards what no
	// rule matches; "" for a fixed 404): a controller ALB's HTTP listener.
	listener, defaultTG string
	rules               map[string]string
	priority            int32
	DNS                 string
	deleted             time.Time
}

// Tags the AWS Load Balancer Controller puts on what it makes.
const lbClusterTag = "elbv2.k8s.aws/cluster"

func lbName(cluster, ns, name string) string {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%s/%s", cluster, ns, name)
	return fmt.Sprintf("k8s-%s-%s-%08x", short(ns, 7), short(name, 7), h.Sum32())
}

// EnsureLoadBalancer makes (or finds) the load balancer EKS's legacy cloud
// controller makes for a Service and returns its DNS name; "" when the
// cluster's subnets are not in EC2: a Classic ELB, or an NLB with instance
// targets for `aws-load-balancer-type: nlb` (the AWS Load Balancer
// Controller's: EnsureControllerLB).
func (c *Cluster) EnsureLoadBalancer(ctx context.Context, svc *corev1.Service, targets []string) (string, error) {
	kind := lbKindOf(svc)
	name := c.lbNameOf(kind, svc)
	if dns := c.s.existingLB(ctx, kind, name); dns != "" {
		return dns, nil
	}
	lb, err := c.lbPlace(ctx, name, targets)
	if lb == nil || err != nil {
		return "", err
	}
	lb.Kind = kind
	tags := legacyTags(c.Name, svc)
	var dns string
	switch kind {
	case lbClassic:
		dns, err = c.s.createClassic(ctx, lb, svc, tags)
	case lbLegacyNLB:
		dns, err = c.s.createLegacyNLB(ctx, lb, svc, tags)
	default:
		return "", fmt.Errorf("service %s/%s is the AWS Load Balancer Controller's (EnsureControllerLB)", svc.Namespace, svc.Name)
	}
	if err != nil {
		return "", err
	}
	eniName := "ELB net/" + name
	if kind == lbClassic {
		eniName = "ELB " + name // as EC2 describes a Classic ELB's interfaces
	}
	for _, sn := range lb.Subnets {
		in := &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(sn), Description: aws.String(eniName)}
		if lb.SG != "" {
			in.Groups = []string{lb.SG}
		}
		eni, err := c.s.ec2.CreateNetworkInterface(ctx, in)
		if err != nil {
			return "", fmt.Errorf("creating a network interface of %s: %w", name, err)
		}
		lb.ENIs = append(lb.ENIs, aws.ToString(eni.NetworkInterface.NetworkInterfaceId))
	}
	c.s.mu.Lock()
	c.s.lbs[lb.key()] = lb
	c.s.mu.Unlock()
	c.s.logf("cluster %s: %s load balancer %s for service %s/%s in %s, instance targets %v", c.Name, kind, name, svc.Namespace, svc.Name, lb.VPC, targets)
	return dns, nil
}

// lbPlace picks the load balancer's VPC and subnets (one per zone, public
// ones, tagged kubernetes.io/role/elb, first); nil when the cluster's
// subnets are not in EC2.
func (c *Cluster) lbPlace(ctx context.Context, name string, targets []string) (*loadBalancer, error) {
	s := c.s
	cl, err := s.eks.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(c.Name)})
	if err != nil {
		return nil, fmt.Errorf("describing cluster %s: %w", c.Name, err)
	}
	sns, err := s.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: cl.Cluster.ResourcesVpcConfig.SubnetIds})
	if (err != nil && strings.Contains(err.Error(), "InvalidSubnetID.NotFound")) || (err == nil && len(sns.Subnets) == 0) {
		return nil, nil // a cluster made without a VPC in EC2: a host name only
	}
	if err != nil {
		return nil, fmt.Errorf("reading the subnets of cluster %s: %w", c.Name, err)
	}
	sort.SliceStable(sns.Subnets, func(i, j int) bool {
		return hasTag(sns.Subnets[i].Tags, "kubernetes.io/role/elb") && !hasTag(sns.Subnets[j].Tags, "kubernetes.io/role/elb")
	})
	lb := &loadBalancer{Name: name, Cluster: c.Name, VPC: aws.ToString(sns.Subnets[0].VpcId), Targets: targets}
	zones := map[string]bool{}
	for _, sn := range sns.Subnets {
		if az := aws.ToString(sn.AvailabilityZone); !zones[az] && aws.ToString(sn.VpcId) == lb.VPC {
			zones[az] = true
			lb.Subnets = append(lb.Subnets, aws.ToString(sn.SubnetId))
		}
	}
	return lb, nil
}

// DeleteLoadBalancer removes a Service's load balancer (a legacy NLB's
// target groups with it) and, once AWS has released its interfaces, its
// security group.
func (c *Cluster) DeleteLoadBalancer(ctx context.Context, svc *corev1.Service) error {
	s := c.s
	kind := lbKindOf(svc)
	name := c.lbNameOf(kind, svc)
	if kind == lbClassic {
		if _, err := s.clb.DescribeLoadBalancers(ctx, &clb.DescribeLoadBalancersInput{LoadBalancerNames: []string{name}}); err != nil {
			return nil // already gone
		}
		if _, err := s.clb.DeleteLoadBalancer(ctx, &clb.DeleteLoadBalancerInput{LoadBalancerName: aws.String(name)}); err != nil {
			return err
		}
		s.lbDeleted(name)
		return nil
	}
	out, err := s.elb.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{name}})
	if err != nil || len(out.LoadBalancers) == 0 {
		return nil // already gone
	}
	arn := aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	var tgs []string
	if kind == lbLegacyNLB {
		if out, err := s.elb.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{LoadBalancerArn: aws.String(arn)}); err == nil {
			for _, tg := range out.TargetGroups {
				tgs = append(tgs, aws.ToString(tg.TargetGroupArn))
			}
		}
	}
	return s.deleteELBv2(ctx, name, arn, tgs)
}

// deleteELBv2 deletes the ELBv2 load balancer arn (name) and then its
// target groups tgs, which ELBv2 refuses to delete while a listener uses
// them, and starts the release of its interfaces.
func (s *Server) deleteELBv2(ctx context.Context, name, arn string, tgs []string) error {
	if _, err := s.elb.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(arn)}); err != nil {
		return err
	}
	for _, tg := range tgs {
		if _, err := s.elb.DeleteTargetGroup(ctx, &elb.DeleteTargetGroupInput{TargetGroupArn: aws.String(tg)}); err != nil {
			return fmt.Errorf("deleting target group %s of %s: %w", tg, name, err)
		}
	}
	s.lbDeleted(arn)
	return nil
}

// lbDeleted starts the release of a deleted load balancer's interfaces
// (whoever deleted it); the controller's security group goes after them.
// arn is a Classic ELB's name.
func (s *Server) lbDeleted(arn string) {
	s.mu.Lock()
	lb := s.lbs[arn]
	if lb == nil || !lb.deleted.IsZero() {
		s.mu.Unlock()
		return
	}
	lb.deleted = time.Now()
	s.mu.Unlock()
	go func() {
		time.Sleep(s.Shaper.ENIRelease())
		ctx := context.Background()
		for _, id := range lb.ENIs {
			_, _ = s.ec2.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(id)})
		}
		s.mu.Lock()
		delete(s.lbs, arn)
		s.mu.Unlock()
		// The controller removes its security group too, when it still runs.
		s.mu.Lock()
		_, running := s.clusters[lb.Cluster]
		s.mu.Unlock()
		if running && lb.SG != "" {
			_, _ = s.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(lb.SG)})
		}
	}()
}

// ec2Before refuses, as EC2 does, to delete what a load balancer's network
// interfaces still use. It reports whether it answered.
func (s *Server) ec2Before(w http.ResponseWriter, c awsproxy.Call) bool {
	var param string
	switch c.Op {
	case "DeleteSubnet":
		param = "SubnetId"
	case "DeleteSecurityGroup":
		param = "GroupId"
	case "DeleteVpc":
		param = "VpcId"
	case "DeleteNetworkInterface":
		param = "NetworkInterfaceId"
	default:
		return false
	}
	id := formValue(c.Body, param)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, lb := range s.lbs {
		var uses bool
		switch c.Op {
		case "DeleteSubnet":
			uses = contains(lb.Subnets, id)
		case "DeleteSecurityGroup":
			uses = lb.SG == id
		case "DeleteVpc":
			uses = lb.VPC == id
		case "DeleteNetworkInterface":
			uses = contains(lb.ENIs, id)
		}
		if !uses {
			continue
		}
		code, msg := "DependencyViolation", fmt.Sprintf("The %s '%s' has dependencies and cannot be deleted.", map[string]string{"DeleteSubnet": "subnet", "DeleteSecurityGroup": "security group", "DeleteVpc": "vpc"}[c.Op], id)
		if c.Op == "DeleteNetworkInterface" {
			code, msg = "InvalidNetworkInterface.InUse", fmt.Sprintf("Network interface '%s' is currently in use by load balancer %s.", id, lb.Name)
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>localeks</RequestID></Response>`, code, msg)
		return true
	}
	return false
}

func formValue(body []byte, key string) string {
	v, _ := url.ParseQuery(string(body))
	return v.Get(key)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hasTag(tags []ec2types.Tag, key string) bool {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return true
		}
	}
	return false
}
