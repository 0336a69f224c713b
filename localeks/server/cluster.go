package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/terrax/terraform-provider-fargate/localeks/controlplane"
	"github.com/terrax/terraform-provider-fargate/localeks/sim"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// Cluster is one EKS cluster's local Kubernetes.
type Cluster struct {
	Name string
	// Issuer is the cluster's OIDC issuer, kept for its life: its service
	// account tokens carry it, as on EKS.
	Issuer string
	s      *Server
	cancel context.CancelFunc

	mu       sync.Mutex
	cp       *controlplane.ControlPlane
	ready    time.Time
	err      error
	client   kubernetes.Interface
	profiles []placement.Profile
	started  time.Time
	zones    map[string][]string  // subnet IDs, joined -> their zones
	joined   map[string]time.Time // node group -> when its nodes joined
}

// startCluster starts the control plane and simulator in the background.
// The caller holds s.mu.
func (s *Server) startCluster(name string) *Cluster {
	ctx, cancel := context.WithCancel(context.Background())
	c := &Cluster{Name: name, Issuer: oidcIssuer(s.opt.Region), s: s, cancel: cancel, started: time.Now()}
	s.clusters[name] = c
	go c.run(ctx)
	return c
}

func (c *Cluster) run(ctx context.Context) {
	s := c.s
	// The cluster's network, as its apiserver reaches it (webhook Services'
	// endpoints): a proxy on a Unix socket (a short path: sockets allow 108
	// bytes), served by the simulator below.
	sockDir, err := os.MkdirTemp("", "localeks-net-")
	var network net.Listener
	if err == nil {
		network, err = net.Listen("unix", filepath.Join(sockDir, "proxy.sock"))
	}
	if err != nil {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		return
	}
	defer func() {
		if ctx.Err() != nil || c.failed() != nil {
			_ = network.Close()
		}
	}()
	go func() {
		<-ctx.Done()
		_ = os.RemoveAll(sockDir)
	}()
	cp, err := controlplane.Start(ctx, controlplane.Config{
		// A directory per incarnation: a cluster deleted and made again under
		// the same name must not meet its predecessor's files being removed.
		Name: c.Name, Binary: s.opt.Binary, DataDir: filepath.Join(s.opt.DataDir, "clusters", fmt.Sprintf("%s-%d", c.Name, c.started.UnixNano())),
		AuthWebhookURL: s.hooks + "/authenticate/" + c.Name, AuthWebhookCA: s.hookCA.CertPEM,
		ServiceCIDR: "10.100.0.0/16", ServiceAccountIssuer: c.Issuer, ClusterNetwork: network.Addr().String(), Log: s.opt.Log,
	})
	if err != nil {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		s.logf("cluster %s: control plane failed: %v", c.Name, err)
		return
	}
	if ctx.Err() != nil { // deleted while starting
		_ = cp.Stop()
		return
	}
	cert, _ := cp.Admin.TLS()
	cfg := &rest.Config{Host: cp.Endpoint, QPS: 100, Burst: 200, TLSClientConfig: rest.TLSClientConfig{
		CAData: cp.CA.CertPEM, CertData: cp.Admin.CertPEM, KeyData: cp.Admin.KeyPEM,
	}}
	_ = cert
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		return
	}
	c.mu.Lock()
	c.cp, c.client = cp, client
	c.mu.Unlock()
	var version string // what EKS puts in the cluster depends on it
	if out, err := s.eks.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(c.Name)}); err == nil {
		version = aws.ToString(out.Cluster.Version)
	}
	sm := sim.New(sim.Config{Cluster: c.Name, Region: s.opt.Region, Version: version, Client: client, Source: c, LoadBalancers: c, PodIdentity: c, AWS: c, Log: s.opt.Log,
		FargateStart: s.Shaper.FargateStart,
		WebhookURL:   s.hooks + "/mutate/" + c.Name, WebhookCA: s.hookCA.CertPEM})
	go sm.ServeClusterNetwork(ctx, network)
	go s.accessRBAC(ctx, c.Name, client)
	go func() {
		if err := sm.Run(ctx); err != nil && ctx.Err() == nil {
			s.logf("cluster %s: simulator: %v", c.Name, err)
		}
	}()
	// Ready once the bootstrap objects exist (EKS makes them before ACTIVE).
	for ctx.Err() == nil {
		if _, err := client.AppsV1().Deployments("kube-system").Get(ctx, "coredns", metaGet); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.mu.Lock()
	c.ready = time.Now()
	c.mu.Unlock()
	s.logf("cluster %s: control plane ready at %s after %s", c.Name, cp.Endpoint, time.Since(c.started).Round(time.Millisecond))
}

// oidcIssuer is a new cluster's issuer, shaped as EKS's: 32 uppercase hex digits.
func oidcIssuer(region string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("https://oidc.eks.%s.amazonaws.com/id/%X", region, b)
}

func (c *Cluster) stop() {
	c.cancel()
	c.mu.Lock()
	cp := c.cp
	c.mu.Unlock()
	if cp != nil {
		_ = cp.Stop()
	}
}

func (c *Cluster) readyAt() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ready, !c.ready.IsZero()
}

func (c *Cluster) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *Cluster) endpoint() (string, []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cp == nil {
		return "", nil
	}
	return c.cp.Endpoint, c.cp.CA.CertPEM
}

// Kube is an admin client of the cluster (nil until its control plane runs).
func (c *Cluster) Kube() kubernetes.Interface {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.client
}

func (c *Cluster) info() map[string]any {
	ep, _ := c.endpoint()
	at, ok := c.readyAt()
	i := map[string]any{"endpoint": ep, "ready": ok}
	if ok {
		i["ready_after"] = at.Sub(c.started).String()
	}
	if c.cp != nil {
		i["kubeconfig"] = c.cp.Kubeconfig
	}
	return i
}

// Nodegroups is the simulator's view of the node groups: the ACTIVE ones
// moto knows. It also refreshes the ACTIVE Fargate profiles.
func (c *Cluster) Nodegroups(ctx context.Context) ([]sim.Nodegroup, error) {
	s := c.s
	names, err := s.eks.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String(c.Name)})
	if err != nil {
		return nil, fmt.Errorf("listing node groups of %s: %w", c.Name, err)
	}
	var out []sim.Nodegroup
	for _, n := range names.Nodegroups {
		if c.nodegroupSkipped(n) {
			continue
		}
		d, err := s.eks.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(c.Name), NodegroupName: aws.String(n)})
		if err != nil {
			continue
		}
		ng := d.Nodegroup
		it := "t3.medium"
		if len(ng.InstanceTypes) > 0 {
			it = ng.InstanceTypes[0]
		}
		desired := 0
		if ng.ScalingConfig != nil {
			desired = int(aws.ToInt32(ng.ScalingConfig.DesiredSize))
		}
		var taints []struct{ Key, Value, Effect string }
		for _, t := range ng.Taints {
			taints = append(taints, struct{ Key, Value, Effect string }{aws.ToString(t.Key), aws.ToString(t.Value), string(t.Effect)})
		}
		out = append(out, sim.Nodegroup{Name: n, DesiredSize: desired, InstanceType: it, CapacityType: string(ng.CapacityType),
			Labels: ng.Labels, Zones: c.subnetZones(ctx, ng.Subnets), Taints: sim.Taints(taints)})
	}
	return out, c.refreshProfiles(ctx)
}

func (c *Cluster) refreshProfiles(ctx context.Context) error {
	s := c.s
	now := time.Now()
	fps, err := s.eks.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: aws.String(c.Name)})
	if err != nil {
		return fmt.Errorf("listing Fargate profiles of %s: %w", c.Name, err)
	}
	var profiles []placement.Profile
	for _, n := range fps.FargateProfileNames {
		if c.transitioning("fargateprofile", n, now) {
			continue // EKS uses a profile once it is ACTIVE
		}
		d, err := s.eks.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(c.Name), FargateProfileName: aws.String(n)})
		if err != nil {
			continue
		}
		p := placement.Profile{Name: n}
		for _, sel := range d.FargateProfile.Selectors {
			p.Selectors = append(p.Selectors, placement.Selector{Namespace: aws.ToString(sel.Namespace), Labels: sel.Labels})
		}
		profiles = append(profiles, p)
	}
	sort.Slice(profiles, func(i, j int) bool { return profiles[i].Name < profiles[j].Name })
	c.mu.Lock()
	c.profiles = profiles
	c.mu.Unlock()
	return nil
}

// Profiles are the cluster's ACTIVE Fargate profiles, as last refreshed.
func (c *Cluster) Profiles() []placement.Profile {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.profiles
}

// FreshProfiles reads the ACTIVE profiles now: EKS's webhook knows a
// profile the moment it is ACTIVE, so admission must not use a stale list.
func (c *Cluster) FreshProfiles(ctx context.Context) []placement.Profile {
	if err := c.refreshProfiles(ctx); err != nil {
		c.s.logf("cluster %s: reading Fargate profiles: %v", c.Name, err)
	}
	return c.Profiles()
}

func (c *Cluster) transitioning(kind, name string, now time.Time) bool {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	l := c.s.objects[objKey(kind, c.Name, name)]
	return l != nil && (l.creating(now) || l.deleting(now))
}

// withDefaultVersion gives a CreateCluster body without a version EKS's
// default one, before moto sees it.
func withDefaultVersion(body []byte) []byte {
	m := decode(body)
	if m == nil {
		return body
	}
	if v, _ := m["version"].(string); v != "" {
		return body
	}
	m["version"] = defaultKubernetesVersion
	b, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return b
}
