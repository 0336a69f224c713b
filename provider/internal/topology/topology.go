// Package topology is what the provider knows, during one plan or apply,
// of each cluster's layout: its Fargate profiles and node groups as
// fargate_cluster plans them, and the StorageClasses and claims that
// fargate_manifest resources declare. Terraform plans a manifest after the
// cluster it names, in the same provider process, so a manifest's plan can
// tell where its pods will run even before the cluster exists.
package topology

import (
	"sync"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// Cluster is one cluster's layout.
type Cluster struct {
	// Known is false until fargate_cluster (or AWS) has said.
	Known bool
	// Pending: fargate_cluster plans the cluster, but its layout is known
	// only at apply; what EKS has now is not what the apply will make.
	Pending    bool
	Profiles   []placement.Profile
	NodeGroups int
	// Provisioners of StorageClasses by name, and the class of each claim
	// ("namespace/name"), from manifests planned so far.
	Provisioners map[string]string
	Claims       map[string]string
}

// Registry holds the clusters by name.
type Registry struct {
	mu       sync.Mutex
	clusters map[string]*Cluster
}

// New returns an empty registry.
func New() *Registry { return &Registry{clusters: map[string]*Cluster{}} }

func (r *Registry) get(name string) *Cluster {
	c := r.clusters[name]
	if c == nil {
		// EKS makes every cluster with the gp2 class, backed by EBS.
		c = &Cluster{Provisioners: map[string]string{"gp2": "kubernetes.io/aws-ebs"}, Claims: map[string]string{}}
		r.clusters[name] = c
	}
	return c
}

// SetLayout records a cluster's profiles and node group count.
func (r *Registry) SetLayout(name string, profiles []placement.Profile, nodeGroups int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.get(name)
	c.Known, c.Pending, c.Profiles, c.NodeGroups = true, false, profiles, nodeGroups
}

// SetPending records that fargate_cluster plans the cluster with a layout
// known only at apply (its profiles depend on values not yet known).
func (r *Registry) SetPending(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.get(name)
	c.Known, c.Pending, c.Profiles, c.NodeGroups = false, true, nil, 0
}

// AddStorage records StorageClasses and claims a manifest declares.
func (r *Registry) AddStorage(name string, provisioners, claims map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.get(name)
	for k, v := range provisioners {
		c.Provisioners[k] = v
	}
	for k, v := range claims {
		c.Claims[k] = v
	}
}

// Get returns a copy of what is known of the cluster.
func (r *Registry) Get(name string) Cluster {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.get(name)
	out := *c
	out.Provisioners, out.Claims = map[string]string{}, map[string]string{}
	for k, v := range c.Provisioners {
		out.Provisioners[k] = v
	}
	for k, v := range c.Claims {
		out.Claims[k] = v
	}
	return out
}

// ClaimProvisioner resolves a claim in a namespace to its class's
// provisioner ("" when unknown). A claim without a class gets gp2, EKS's
// default class.
func (c Cluster) ClaimProvisioner(ns string) func(string) string {
	return func(claim string) string {
		class, ok := c.Claims[ns+"/"+claim]
		if !ok {
			return ""
		}
		if class == "" {
			class = "gp2"
		}
		return c.Provisioners[class]
	}
}
