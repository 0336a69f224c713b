// Package sim plays the parts of EKS a control plane does not have: the
// kubelets of node groups (nodes, leases, pods Running), EKS's Fargate
// admission webhook and fargate-scheduler (one node per pod, pods Fargate
// cannot run left Pending with Fargate's own message), the EBS CSI
// provisioner and the load balancer controller.
package sim

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// Nodegroup is what the simulator needs of an EKS managed node group.
type Nodegroup struct {
	Name         string
	DesiredSize  int
	InstanceType string
	CapacityType string
	Labels       map[string]string
	Zones        []string
	// Taints are the node group's taints, given to its nodes as EKS does.
	Taints []corev1.Taint
}

// Source tells the simulator the cluster's node groups and ACTIVE Fargate
// profiles, as EKS knows them.
type Source interface {
	Nodegroups(ctx context.Context) ([]Nodegroup, error)
	Profiles() []placement.Profile
}

// LoadBalancers makes and removes the AWS side of LoadBalancer Services,
// as the AWS Load Balancer Controller does.
type LoadBalancers interface {
	// EnsureLoadBalancer returns the load balancer's host name, or "" when
	// there is no AWS network to put one in.
	// targets are the EC2 instances of a legacy load balancer (nil for
	// the AWS Load Balancer Controller's, which targets pod IPs).
	EnsureLoadBalancer(ctx context.Context, svc *corev1.Service, targets []string) (hostname string, err error)
	DeleteLoadBalancer(ctx context.Context, svc *corev1.Service) error
}

// ControllerLoadBalancers is what LoadBalancers may also do: make and
// remove the load balancers of the AWS Load Balancer Controller, with their
// target groups.
type ControllerLoadBalancers interface {
	// EnsureControllerLB makes the load balancer (or finds it) and its
	// security group, target groups and listeners, and registers exactly
	// the wanted targets; it returns the DNS name, "" when there is no AWS
	// network to put it in.
	EnsureControllerLB(ctx context.Context, want ControllerLB) (hostname string, err error)
	// DeleteControllerLB deletes the load balancer of owner and its target
	// groups (its security group once its interfaces are released).
	DeleteControllerLB(ctx context.Context, owner corev1.ObjectReference) error
}

// BuildModelError is what keeps the controller from making a load balancer
// (no subnet fits, ...): a FailedBuildModel event, retried later.
type BuildModelError struct{ Err error }

func (e BuildModelError) Error() string { return e.Err.Error() }

// ControllerLB is a load balancer as the AWS Load Balancer Controller
// wants it: an NLB for a Service, an ALB for an Ingress.
type ControllerLB struct {
	Owner        corev1.ObjectReference // the Service or Ingress (Kind says which)
	Internal     bool
	TargetGroups []TargetGroup
}

// TargetGroup is one target group of a controller's load balancer.
type TargetGroup struct {
	// Resource names it in its tag (<ns>/<service>:<port>).
	Resource string
	Protocol string // TCP, UDP (NLB) or HTTP (ALB)
	// Listener is the load balancer port forwarding to it (NLB).
	Listener int32
	// IP: targets are pod IPs (target type ip), else EC2 instance IDs.
	IP      bool
	Port    int32
	Targets []string
	// Default: an ALB's listener forwards what no rule matches here (the
	// Ingress's default backend); Rules: the ALB's rules forwarding here.
	Default bool
	Rules   []Rule
}

// Rule is an ALB listener rule's conditions: a host (may be empty) and
// path patterns.
type Rule struct {
	Host  string
	Paths []string
}

// ServiceAccount is who a controller's pods run as, and what their AWS SDK
// can find: its IRSA role annotation, and whether Pod Identity can serve
// them (not on Fargate).
type ServiceAccount struct {
	Namespace, Name, RoleARN string
	PodIdentityUsable        bool
}

// AWS tells the simulator what EKS and IAM know about the cluster.
type AWS interface {
	// AddonActive reports whether the EKS add-on is installed and ACTIVE.
	AddonActive(name string) bool
	// CredentialsAllow is nil when pods of the service account get AWS
	// credentials allowing action; otherwise it says what is missing.
	CredentialsAllow(ctx context.Context, sa ServiceAccount, action string) error
	// Zones are the zones of the cluster's subnets, sorted.
	Zones(ctx context.Context) []string
}

// Config is one cluster's simulator.
type Config struct {
	Cluster string
	Region  string
	// Version is the cluster's Kubernetes version as EKS reports it at
	// creation ("1.35"); it decides what EKS puts in the new cluster.
	Version string
	Client  kubernetes.Interface
	Source  Source
	// LoadBalancers, when set, makes the AWS load balancers of
	// LoadBalancer Services; otherwise they only get a host name.
	LoadBalancers LoadBalancers
	// PodIdentity, when set, says which service accounts have an EKS Pod
	// Identity association: pods of theirs placed on Fargate get an event.
	PodIdentity PodIdentities
	// AWS, when set, answers what EKS and IAM decide for in-cluster
	// controllers (add-ons, credentials); without it, no EBS volume and no
	// controller-made load balancer is ever made, as on EKS without them.
	AWS AWS
	Log io.Writer
	// Tick is how often node groups are reconciled (default 1 s).
	Tick time.Duration
	// FargateStart, when set, draws how long a pod stays Pending with the
	// fargate-scheduler before its Fargate node exists (EKS: 30-60 s).
	FargateStart func() time.Duration
	// WebhookURL and WebhookCA: where the apiserver sends pod admissions
	// for the Fargate webhook.
	WebhookURL string
	WebhookCA  []byte
}

// Simulator runs the simulation for one cluster.
type Simulator struct {
	cfg     Config
	pods    workqueue.TypedRateLimitingInterface[string]
	claims  workqueue.TypedRateLimitingInterface[string]
	svcs    workqueue.TypedRateLimitingInterface[string]
	ings    workqueue.TypedRateLimitingInterface[string]
	factory informers.SharedInformerFactory

	mu       sync.Mutex
	reported map[string]bool // pod UIDs whose Fargate refusal was reported
	// fargateDue is when each pod waiting for Fargate gets its node, by UID.
	fargateDue map[string]time.Time
	// lbcCerts: the key pair each controller pod last served, by pod UID.
	lbcCerts sync.Map
}

// New makes a simulator; Run starts it.
func New(cfg Config) *Simulator {
	if cfg.Tick == 0 {
		cfg.Tick = time.Second
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	rl := func() workqueue.TypedRateLimiter[string] {
		return workqueue.NewTypedItemExponentialFailureRateLimiter[string](100*time.Millisecond, 5*time.Second)
	}
	return &Simulator{
		cfg:      cfg,
		pods:     workqueue.NewTypedRateLimitingQueue(rl()),
		claims:   workqueue.NewTypedRateLimitingQueue(rl()),
		svcs:     workqueue.NewTypedRateLimitingQueue(rl()),
		ings:     workqueue.NewTypedRateLimitingQueue(rl()),
		factory:  informers.NewSharedInformerFactory(cfg.Client, 0),
		reported: map[string]bool{}, fargateDue: map[string]time.Time{},
	}
}

func (s *Simulator) logf(format string, args ...any) {
	fmt.Fprintf(s.cfg.Log, "[%s/sim] "+format+"\n", append([]any{s.cfg.Cluster}, args...)...)
}

func enqueue(q workqueue.TypedRateLimitingInterface[string]) cache.ResourceEventHandler {
	add := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			q.Add(key)
		}
	}
	return cache.ResourceEventHandlerFuncs{AddFunc: add, UpdateFunc: func(_, n any) { add(n) }, DeleteFunc: add}
}

// Run simulates until ctx ends.
func (s *Simulator) Run(ctx context.Context) error {
	if err := s.bootstrap(ctx); err != nil {
		return err
	}
	podInf := s.factory.Core().V1().Pods().Informer()
	// Handler registrations fail only on a stopped informer, which these are not.
	_, _ = podInf.AddEventHandler(enqueue(s.pods))
	_, _ = podInf.AddEventHandler(cache.ResourceEventHandlerFuncs{DeleteFunc: s.podGone})
	_, _ = s.factory.Core().V1().PersistentVolumeClaims().Informer().AddEventHandler(enqueue(s.claims))
	s.factory.Core().V1().PersistentVolumes().Informer()
	s.factory.Core().V1().Nodes().Informer()
	s.factory.Storage().V1().StorageClasses().Informer()
	s.factory.Apps().V1().Deployments().Informer()
	_, _ = s.factory.Core().V1().Services().Informer().AddEventHandler(enqueue(s.svcs))
	_, _ = s.factory.Networking().V1().Ingresses().Informer().AddEventHandler(enqueue(s.ings))
	// Targets follow the Ready endpoints of the Services behind them.
	_, _ = s.factory.Discovery().V1().EndpointSlices().Informer().AddEventHandler(s.endpointsChanged())
	s.factory.Start(ctx.Done())
	s.factory.WaitForCacheSync(ctx.Done())

	go s.work(ctx, s.pods, s.syncPod)
	go s.work(ctx, s.claims, s.syncClaim)
	go s.work(ctx, s.svcs, s.syncService)
	go s.work(ctx, s.ings, s.syncIngress)
	go s.leases(ctx)
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		if err := s.syncNodegroups(ctx); err != nil && ctx.Err() == nil {
			s.logf("node groups: %v", err)
		}
		s.releaseVolumes(ctx)
		s.resync()
		select {
		case <-ctx.Done():
			s.pods.ShutDown()
			s.claims.ShutDown()
			s.svcs.ShutDown()
			s.ings.ShutDown()
			return nil
		case <-t.C:
		}
	}
}

func (s *Simulator) work(ctx context.Context, q workqueue.TypedRateLimitingInterface[string], sync func(context.Context, string) error) {
	for {
		key, quit := q.Get()
		if quit {
			return
		}
		if err := sync(ctx, key); err != nil && ctx.Err() == nil {
			s.logf("%s: %v (retrying)", key, err)
			q.AddRateLimited(key)
		} else {
			q.Forget(key)
		}
		q.Done(key)
	}
}

// resync retries what waits on AWS rather than on Kubernetes objects (an
// add-on, a role, a policy): pending claims, Services without an address
// or waiting for their load balancer's deletion, and whatever the AWS Load
// Balancer Controller reconciles.
func (s *Simulator) resync() {
	claims, _ := s.factory.Core().V1().PersistentVolumeClaims().Lister().List(labels.Everything())
	for _, c := range claims {
		if c.Status.Phase == corev1.ClaimPending && c.Spec.VolumeName == "" {
			s.claims.Add(c.Namespace + "/" + c.Name)
		}
	}
	svcs, _ := s.factory.Core().V1().Services().Lister().List(labels.Everything())
	for _, v := range svcs {
		if v.Spec.Type == corev1.ServiceTypeLoadBalancer && (len(v.Status.LoadBalancer.Ingress) == 0 || v.DeletionTimestamp != nil ||
			placement.ServiceNeedsLoadBalancerController(v) != "") || slices.Contains(v.Finalizers, lbFinalizer) {
			s.svcs.Add(v.Namespace + "/" + v.Name)
		}
	}
	// The controller's objects always: it reconciles them when it starts
	// again, and its role may change.
	ings, _ := s.factory.Networking().V1().Ingresses().Lister().List(labels.Everything())
	for _, i := range ings {
		s.ings.Add(i.Namespace + "/" + i.Name)
	}
}

func (s *Simulator) podLister() func(ns, name string) (*corev1.Pod, error) {
	l := s.factory.Core().V1().Pods().Lister()
	return func(ns, name string) (*corev1.Pod, error) { return l.Pods(ns).Get(name) }
}
