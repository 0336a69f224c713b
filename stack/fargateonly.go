package stack

import (
	"maps"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Annotations of a Service the AWS Load Balancer Controller serves with an
// internet-facing NLB whose targets are the pods' own addresses.
var ipTargetAnnotations = map[string]string{
	"service.beta.kubernetes.io/aws-load-balancer-type":            "external",
	"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
	"service.beta.kubernetes.io/aws-load-balancer-scheme":          "internet-facing",
}

// TerraxFargateOnlyStack is the blog without EC2: no node group, so every
// pod runs on Fargate (kube-system's CoreDNS and load balancer controller,
// and the app=service pods); no database (Fargate runs no EBS volume: the
// post's advice, a managed database, applies); springboot-service served by
// the AWS Load Balancer Controller through an NLB with IP targets, since
// EKS's legacy load balancers register EC2 instances, which it has none of.
type TerraxFargateOnlyStack struct {
	cdktf.TerraformStack
	Cluster *FargateCluster
	Service *Manifest
}

// NewTerraxFargateOnlyStack builds the Fargate-only variant from a Config
// (its cluster is FargateOnlyClusterName; state apart from TerraxStack's).
func NewTerraxFargateOnlyStack(scope constructs.Construct, id string, c Config) *TerraxFargateOnlyStack {
	s := newStack(scope, id, c, "fargate-only/"+c.StateKey)
	enabled := true
	cluster := NewFargateCluster(s, "cluster", &FargateClusterConfig{
		Name:              c.FargateOnlyClusterName,
		KubernetesVersion: c.KubernetesVersion,
		Network:           Network{VpcCidr: c.VpcCidr},
		FargateProfiles: map[string]FargateProfile{
			"fp-default":      {Selectors: []Selector{{Namespace: "default"}, {Namespace: "kube-system"}}},
			"fp-demo-service": {Selectors: []Selector{{Namespace: c.Namespace, Labels: map[string]string{"app": "service"}}}},
		},
		Addons:                 map[string]Addon{"vpc-cni": {}, "kube-proxy": {}, "coredns": {}},
		LoadBalancerController: &LoadBalancerController{Enabled: &enabled, Version: c.LoadBalancerControllerVersion},
		Tags:                   map[string]string{"team": "brewers"},
	})
	service := NewManifest(s, "service", &ManifestConfig{Cluster: cluster.Name(), Objects: FargateOnlyServiceObjects(c)})
	cdktf.NewTerraformOutput(s, jsii.String("cluster_name"), &cdktf.TerraformOutputConfig{Value: cluster.Name()})
	cdktf.NewTerraformOutput(s, jsii.String("load_balancer_controller_role_arn"),
		&cdktf.TerraformOutputConfig{Value: cluster.LoadBalancerControllerRoleArn()})
	return &TerraxFargateOnlyStack{TerraformStack: s, Cluster: cluster, Service: service}
}

// FargateOnlyServiceObjects is the blog's Spring Boot layer with its own
// namespace (the database's manifest made it in TerraxStack) and
// springboot-service as the controller's, with IP targets.
func FargateOnlyServiceObjects(c Config) []runtime.Object {
	objs := ServiceObjects(c)
	for _, o := range objs {
		if svc, ok := o.(*corev1.Service); ok {
			svc.Annotations = maps.Clone(ipTargetAnnotations)
		}
	}
	return append([]runtime.Object{&corev1.Namespace{ObjectMeta: meta(c.Namespace, "", nil)}}, objs...)
}
