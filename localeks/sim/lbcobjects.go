package sim

import (
	"context"
	"errors"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"
)

// lbcObject is a Service or an Ingress the AWS Load Balancer Controller
// makes a load balancer for, seen the same way for both.
type lbcObject struct {
	ref        corev1.ObjectReference
	why        string // how it asks for the controller
	finalizer  string
	finalizers []string
	deleting   bool
	hasAddress bool
	// want is the load balancer the controller would make; problems are
	// Warning events (reason -> message); an error stops the build, as the
	// controller's "Failed build model".
	want          func(ctx context.Context) (ControllerLB, map[string]string, error)
	setFinalizers func(ctx context.Context, finalizers []string) error
	setAddress    func(ctx context.Context, host string) error
}

// ReasonFailedBuildModel is the controller's event reason when it cannot
// work out what to make.
const ReasonFailedBuildModel = "FailedBuildModel"

// reconcileLBC plays the controller for one object, only while the
// controller would really work: it puts its finalizer on, makes the load
// balancer and its target groups, keeps their targets in step, publishes
// the address; on deletion it deletes them, then lets the object go.
// While the controller does not run, nothing happens: no address, and a
// deleted object stays Terminating with its load balancer.
func (s *Simulator) reconcileLBC(ctx context.Context, o lbcObject) error {
	clbs, _ := s.cfg.LoadBalancers.(ControllerLoadBalancers)
	has := slices.Contains(o.finalizers, o.finalizer)
	if o.deleting {
		if !has {
			return nil
		}
		if err := s.loadBalancerController(ctx, ELBDeleteLoadBalancer); err != nil {
			s.logf("%s %s/%s is Terminating: its load balancer waits for the AWS Load Balancer Controller: %v", o.ref.Kind, o.ref.Namespace, o.ref.Name, err)
			return nil
		}
		if clbs != nil {
			if err := clbs.DeleteControllerLB(ctx, o.ref); err != nil {
				return fmt.Errorf("deleting the load balancer of %s %s/%s: %w", o.ref.Kind, o.ref.Namespace, o.ref.Name, err)
			}
		}
		return ignoreGoneOrStale(o.setFinalizers(ctx, slices.DeleteFunc(slices.Clone(o.finalizers), func(f string) bool { return f == o.finalizer })))
	}
	if err := s.loadBalancerController(ctx, ELBCreateLoadBalancer); err != nil {
		if !o.hasAddress {
			s.recordEvent(ctx, o.ref, ReasonNoLoadBalancerController, "localeks", fmt.Sprintf(
				"this %s asks for the AWS Load Balancer Controller (%s), which EKS does not install, and it gets no address until that controller runs: %v",
				o.ref.Kind, o.why, err))
		}
		return nil // resync retries
	}
	if !has {
		return ignoreGoneOrStale(o.setFinalizers(ctx, append(slices.Clone(o.finalizers), o.finalizer))) // brings it back here
	}
	want, problems, err := o.want(ctx)
	for reason, msg := range problems {
		s.recordEvent(ctx, o.ref, reason, "localeks", msg)
	}
	if err != nil {
		s.recordEvent(ctx, o.ref, ReasonFailedBuildModel, "localeks", "Failed build model due to "+err.Error())
		return nil
	}
	host := fmt.Sprintf("k8s-%s-%08x.%s.elb.amazonaws.com", o.ref.Namespace, hash(string(o.ref.UID)), s.cfg.Region)
	if clbs != nil {
		dns, err := clbs.EnsureControllerLB(ctx, want)
		var bm BuildModelError
		if errors.As(err, &bm) {
			s.recordEvent(ctx, o.ref, ReasonFailedBuildModel, "localeks", "Failed build model due to "+bm.Error())
			return nil // resync retries
		}
		if err != nil {
			return fmt.Errorf("making the load balancer of %s %s/%s: %w", o.ref.Kind, o.ref.Namespace, o.ref.Name, err)
		}
		if dns != "" {
			host = dns
		}
	}
	if o.hasAddress {
		return nil
	}
	if err := o.setAddress(ctx, host); err != nil {
		return ignoreGoneOrStale(err)
	}
	s.logf("load balancer %s for %s %s/%s", host, o.ref.Kind, o.ref.Namespace, o.ref.Name)
	return nil
}

// endpoints are the Ready addresses behind a Service port (by its name),
// the port they serve on, and the nodes they run on.
func (s *Simulator) endpoints(ns, svc, portName string) (ips []string, port int32, nodes []string) {
	slices_, _ := s.factory.Discovery().V1().EndpointSlices().Lister().EndpointSlices(ns).List(
		labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: svc}))
	for _, sl := range slices_ {
		for _, p := range sl.Ports {
			if p.Port != nil && (p.Name == nil && portName == "" || p.Name != nil && *p.Name == portName) {
				port = *p.Port
			}
		}
		for _, e := range sl.Endpoints {
			if e.Conditions.Ready != nil && !*e.Conditions.Ready || len(e.Addresses) == 0 {
				continue
			}
			ips = append(ips, e.Addresses[0])
			if e.NodeName != nil {
				nodes = append(nodes, *e.NodeName)
			}
		}
	}
	slices.Sort(ips)
	return ips, port, nodes
}

// ec2Instances are the EC2 instances a target group of type instance
// registers: the node group nodes (Fargate nodes are not instances).
func (s *Simulator) ec2Instances() []string {
	nodes, _ := s.factory.Core().V1().Nodes().Lister().List(labels.Everything())
	var ids []string
	for _, n := range nodes {
		if n.Labels[LabelComputeType] != "fargate" && len(n.Spec.ProviderID) > 7 {
			ids = append(ids, n.Spec.ProviderID[lastSlash(n.Spec.ProviderID)+1:])
		}
	}
	slices.Sort(ids)
	return ids
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// onFargateOnly: every node the pods run on is a Fargate node.
func (s *Simulator) onFargateOnly(nodes []string) bool {
	if len(nodes) == 0 {
		return false
	}
	for _, name := range nodes {
		n, err := s.factory.Core().V1().Nodes().Lister().Get(name)
		if err != nil || n.Labels[LabelComputeType] != "fargate" {
			return false
		}
	}
	return true
}

// instanceOnFargate is the Warning for instance targets in front of
// Fargate pods on a cluster without EC2 nodes (with nodes, their kube-proxy
// forwards to the pods): the controller's docs require target type ip on
// Fargate.
func instanceOnFargate(kind, annotation string) string {
	return fmt.Sprintf("this %s's target type is instance, but its pods run on Fargate, which has no EC2 instance to register: "+
		"with no EC2 node in the cluster its target groups have no healthy target; set %s: ip (the AWS Load Balancer Controller requires ip targets for Fargate pods)", kind, annotation)
}

// endpointsChanged passes a change of an EndpointSlice to its Service and
// to the Ingresses of its namespace.
func (s *Simulator) endpointsChanged() cache.ResourceEventHandler {
	f := func(obj any) {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		sl, ok := obj.(*discoveryv1.EndpointSlice)
		if !ok {
			return
		}
		if svc := sl.Labels[discoveryv1.LabelServiceName]; svc != "" {
			s.svcs.Add(sl.Namespace + "/" + svc)
		}
		ings, _ := s.factory.Networking().V1().Ingresses().Lister().Ingresses(sl.Namespace).List(labels.Everything())
		for _, i := range ings {
			s.ings.Add(i.Namespace + "/" + i.Name)
		}
	}
	return cache.ResourceEventHandlerFuncs{AddFunc: f, UpdateFunc: func(_, n any) { f(n) }, DeleteFunc: f}
}
