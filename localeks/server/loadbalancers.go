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
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
)

// loadBalancer is an AWS network load balancer localeks made for a
// LoadBalancer Service, as the AWS Load Balancer Controller does: the load
// balancer, a security group and one network interface per subnet, all in
// the cluster's VPC. AWS keeps such interfaces (and so the subnets, the
// security group and the VPC) until the load balancer is deleted and its
// interfaces are released; localeks enforces the same dependencies, which
// moto does not.
type loadBalancer struct {
	ARN, Name, Cluster, VPC, SG string
	Subnets, ENIs               []string
	// Targets: the instances of a legacy load balancer (EKS's cloud
	// controller registers the EC2 nodes; Fargate pods sit behind them).
	Targets []string
	deleted time.Time
}

// Tags the AWS Load Balancer Controller puts on what it makes.
const (
	lbClusterTag = "elbv2.k8s.aws/cluster"
	lbStackTag   = "service.k8s.aws/stack"
)

func lbName(cluster, ns, name string) string {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%s/%s", cluster, ns, name)
	short := func(s string, n int) string {
		if len(s) > n {
			return s[:n]
		}
		return s
	}
	return fmt.Sprintf("k8s-%s-%s-%08x", short(ns, 7), short(name, 7), h.Sum32())
}

// EnsureLoadBalancer makes (or finds) the load balancer of a Service and
// returns its DNS name; "" when the cluster's subnets are not in EC2.
func (c *Cluster) EnsureLoadBalancer(ctx context.Context, svc *corev1.Service, targets []string) (string, error) {
	s := c.s
	name := lbName(c.Name, svc.Namespace, svc.Name)
	if out, err := s.elb.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{name}}); err == nil && len(out.LoadBalancers) > 0 {
		return aws.ToString(out.LoadBalancers[0].DNSName), nil
	}
	cl, err := s.eks.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(c.Name)})
	if err != nil {
		return "", fmt.Errorf("describing cluster %s: %w", c.Name, err)
	}
	sns, err := s.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: cl.Cluster.ResourcesVpcConfig.SubnetIds})
	if (err != nil && strings.Contains(err.Error(), "InvalidSubnetID.NotFound")) || (err == nil && len(sns.Subnets) == 0) {
		return "", nil // a cluster made without a VPC in EC2: a host name only
	}
	if err != nil {
		return "", fmt.Errorf("reading the subnets of cluster %s: %w", c.Name, err)
	}
	// One subnet per zone, public ones (kubernetes.io/role/elb) first.
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
	tags := map[string]string{lbClusterTag: c.Name, lbStackTag: svc.Namespace + "/" + svc.Name, "service.k8s.aws/resource": "LoadBalancer"}
	var ec2Tags []ec2types.Tag
	var elbTags []elbtypes.Tag
	for k, v := range tags {
		ec2Tags = append(ec2Tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
		elbTags = append(elbTags, elbtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	sg, err := s.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String(name), Description: aws.String("[k8s] load balancer of " + svc.Namespace + "/" + svc.Name), VpcId: aws.String(lb.VPC),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: ec2Tags}},
	})
	if err != nil {
		return "", fmt.Errorf("creating the security group of %s: %w", name, err)
	}
	lb.SG = aws.ToString(sg.GroupId)
	out, err := s.elb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
		Name: aws.String(name), Type: elbtypes.LoadBalancerTypeEnumNetwork, Scheme: elbtypes.LoadBalancerSchemeEnumInternetFacing,
		Subnets: lb.Subnets, SecurityGroups: []string{lb.SG}, Tags: elbTags,
	})
	if err != nil {
		return "", fmt.Errorf("creating load balancer %s: %w", name, err)
	}
	lb.ARN = aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	for _, sn := range lb.Subnets {
		eni, err := s.ec2.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{
			SubnetId: aws.String(sn), Groups: []string{lb.SG}, Description: aws.String("ELB net/" + name),
		})
		if err != nil {
			return "", fmt.Errorf("creating a network interface of %s: %w", name, err)
		}
		lb.ENIs = append(lb.ENIs, aws.ToString(eni.NetworkInterface.NetworkInterfaceId))
	}
	s.mu.Lock()
	s.lbs[lb.ARN] = lb
	s.mu.Unlock()
	s.logf("cluster %s: load balancer %s for service %s/%s in %s, instance targets %v", c.Name, name, svc.Namespace, svc.Name, lb.VPC, targets)
	return aws.ToString(out.LoadBalancers[0].DNSName), nil
}

// DeleteLoadBalancer removes a Service's load balancer and, once AWS has
// released its interfaces, its security group.
func (c *Cluster) DeleteLoadBalancer(ctx context.Context, svc *corev1.Service) error {
	s := c.s
	out, err := s.elb.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{lbName(c.Name, svc.Namespace, svc.Name)}})
	if err != nil || len(out.LoadBalancers) == 0 {
		return nil // already gone
	}
	arn := aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	if _, err := s.elb.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(arn)}); err != nil {
		return err
	}
	s.lbDeleted(arn)
	return nil
}

// lbDeleted starts the release of a deleted load balancer's interfaces
// (whoever deleted it); the controller's security group goes after them.
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
		if running {
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
