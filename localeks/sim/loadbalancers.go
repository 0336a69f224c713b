package sim

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// What decides who makes a LoadBalancer Service's load balancer.
const (
	// ELBCreateLoadBalancer is the permission its role needs.
	ELBCreateLoadBalancer = "elasticloadbalancing:CreateLoadBalancer"
	ELBDeleteLoadBalancer = "elasticloadbalancing:DeleteLoadBalancer"
	// ReasonNoLoadBalancerController and ReasonNoInstanceTargets are the
	// reasons of localeks' Warning events on Services.
	ReasonNoLoadBalancerController = "NoLoadBalancerController"
	ReasonNoInstanceTargets        = "NoInstanceTargets"
)

func serviceRef(svc *corev1.Service) corev1.ObjectReference {
	return corev1.ObjectReference{Kind: "Service", APIVersion: "v1", Namespace: svc.Namespace, Name: svc.Name, UID: svc.UID}
}

// loadBalancerController is nil when the controller is Ready, manages
// this cluster (its --cluster-name) and its service account's role allows
// action.
func (s *Simulator) loadBalancerController(ctx context.Context, action string) error {
	d, err := s.cfg.Client.AppsV1().Deployments(placement.LBCNamespace).Get(ctx, placement.LBCName, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("Deployment %s/%s: %w", placement.LBCNamespace, placement.LBCName, err)
	}
	if d.Status.ReadyReplicas == 0 {
		return fmt.Errorf("Deployment %s/%s has no Ready replica", placement.LBCNamespace, placement.LBCName)
	}
	// What runs is what its Ready pods were started with (a rollout may
	// be under way).
	mine, other := false, ""
	for _, p := range s.lbcPods() {
		if podReady(p) && p.DeletionTimestamp == nil {
			flags, _ := lbcFlags(p)
			mine, other = mine || flags["cluster-name"] == s.cfg.Cluster, flags["cluster-name"]
		}
	}
	switch {
	case !mine && other != "":
		return fmt.Errorf("Deployment %s/%s runs with --cluster-name=%s, not this cluster's name %s: it manages nothing of this cluster",
			placement.LBCNamespace, placement.LBCName, other, s.cfg.Cluster)
	case !mine:
		return fmt.Errorf("Deployment %s/%s has no Ready replica", placement.LBCNamespace, placement.LBCName)
	}
	if s.cfg.AWS == nil {
		return fmt.Errorf("no AWS account behind this cluster")
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return err
	}
	name := d.Spec.Template.Spec.ServiceAccountName
	if name == "" {
		name = "default"
	}
	sa, err := s.serviceAccount(ctx, placement.LBCNamespace, name, s.runningOnEC2(placement.LBCNamespace, sel))
	if err != nil {
		return err
	}
	return s.cfg.AWS.CredentialsAllow(ctx, sa, action)
}

// instanceTargets are the EC2 instances behind a legacy load balancer: every
// node group node, as EKS's cloud controller registers them.
func (s *Simulator) instanceTargets(svc *corev1.Service) []string {
	if placement.ServiceNeedsLoadBalancerController(svc) != "" {
		return nil
	}
	nodes, _ := s.factory.Core().V1().Nodes().Lister().List(labels.Everything())
	var ids []string
	for _, n := range nodes {
		if n.Labels[LabelComputeType] != "fargate" && strings.HasPrefix(n.Spec.ProviderID, "aws:///") {
			ids = append(ids, n.Spec.ProviderID[strings.LastIndex(n.Spec.ProviderID, "/")+1:])
		}
	}
	sort.Strings(ids)
	return ids
}

// warnNoInstanceTargets: a legacy load balancer reaches pods through the
// kube-proxy of EC2 nodes; with Fargate pods only and no EC2 node it has
// no healthy target.
func (s *Simulator) warnNoInstanceTargets(ctx context.Context, svc *corev1.Service) {
	if len(svc.Spec.Selector) == 0 || len(s.instanceTargets(svc)) > 0 {
		return
	}
	pods, _ := s.factory.Core().V1().Pods().Lister().Pods(svc.Namespace).List(labels.SelectorFromSet(svc.Spec.Selector))
	fargate := 0
	for _, p := range pods {
		if n, err := s.factory.Core().V1().Nodes().Lister().Get(p.Spec.NodeName); err == nil && n.Labels[LabelComputeType] == "fargate" {
			fargate++
		}
	}
	if fargate == 0 || fargate < len(pods) {
		return
	}
	s.recordEvent(ctx, serviceRef(svc), ReasonNoInstanceTargets, "localeks",
		"this Service's load balancer targets EC2 instances and reaches pods through their kube-proxy, but the cluster has no EC2 node "+
			"and its pods run on Fargate only: the load balancer has no healthy target; add a node group, "+
			"or use the AWS Load Balancer Controller with IP targets")
}
