// Package observed is the one record of what exists in AWS, as far as the
// current operation has seen or made it. Every step records into it as
// soon as a part exists, so that the state written after a failure or an
// interruption holds every part. Steps run in parallel, so the record is
// used only through its methods, which lock; readers get copies.
package observed

import (
	"maps"
	"slices"
	"sync"

	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/network"
)

// Roles are the ARNs of the cluster's IAM roles ("" when none): its three,
// and the one made for the EBS CSI driver.
type Roles struct{ Cluster, Node, PodExecution, EBSCSI string }

// Record is what exists; its zero value is not ready: use New.
type Record struct {
	mu      sync.Mutex
	network network.State
	roles   Roles
	// goneRoles are the kinds of roles this resource made that no longer exist.
	goneRoles  []string
	cluster    *ekstypes.Cluster
	nodeGroups map[string]*ekstypes.Nodegroup
	profiles   map[string]*ekstypes.FargateProfile
	addons     map[string]*ekstypes.Addon
	// oidcProvider is the ARN of the cluster's IAM OIDC provider.
	oidcProvider string
	// accessEntries are the access entries of the configuration, by its names.
	accessEntries map[string]AccessEntry
	security      Security
	lbc           LoadBalancerController
	warnings      []Warning
}

// Snapshot is a copy of a Record at one moment.
type Snapshot struct {
	Network    network.State
	Roles      Roles
	GoneRoles  []string
	Cluster    *ekstypes.Cluster
	NodeGroups map[string]*ekstypes.Nodegroup
	Profiles   map[string]*ekstypes.FargateProfile
	Addons     map[string]*ekstypes.Addon
	// OIDCProvider is the ARN of the cluster's IAM OIDC provider ("" when none).
	OIDCProvider string
	// AccessEntries are the access entries of the configuration, by its names.
	AccessEntries map[string]AccessEntry
	Security      Security
	// LoadBalancerController is the AWS Load Balancer Controller (lbc.go).
	LoadBalancerController LoadBalancerController
}

// New returns an empty record.
func New() *Record {
	return &Record{nodeGroups: map[string]*ekstypes.Nodegroup{}, profiles: map[string]*ekstypes.FargateProfile{},
		addons: map[string]*ekstypes.Addon{}}
}

// Snapshot copies the record. The EKS objects it points to are shared:
// they are never changed once recorded (a new reading replaces them).
func (r *Record) Snapshot() Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Snapshot{
		Network: r.network.Clone(), Roles: r.roles, GoneRoles: slices.Clone(r.goneRoles), Cluster: r.cluster,
		NodeGroups: maps.Clone(r.nodeGroups), Profiles: maps.Clone(r.profiles),
		Addons: maps.Clone(r.addons), OIDCProvider: r.oidcProvider, AccessEntries: maps.Clone(r.accessEntries), Security: r.security.clone(),
		LoadBalancerController: r.lbc,
	}
}

// SetCluster records the cluster; nil records nothing.
func (r *Record) SetCluster(c *ekstypes.Cluster) {
	if c == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cluster = c
}

// Cluster is the cluster last recorded, or nil.
func (r *Record) Cluster() *ekstypes.Cluster {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cluster
}

// SetNodegroup records a node group; nil records that it is gone.
func (r *Record) SetNodegroup(name string, ng *ekstypes.Nodegroup) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ng == nil {
		delete(r.nodeGroups, name)
		return
	}
	r.nodeGroups[name] = ng
}

// SetProfile records a Fargate profile; nil records that it is gone.
func (r *Record) SetProfile(name string, fp *ekstypes.FargateProfile) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fp == nil {
		delete(r.profiles, name)
		return
	}
	r.profiles[name] = fp
}

// Nodegroups are the node groups recorded, by name.
func (r *Record) Nodegroups() map[string]*ekstypes.Nodegroup {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.nodeGroups)
}

// Profiles are the Fargate profiles recorded, by name.
func (r *Record) Profiles() map[string]*ekstypes.FargateProfile {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.profiles)
}

// SetNetwork records the network.
func (r *Record) SetNetwork(n network.State) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.network = n.Clone()
}

// Network is the network recorded.
func (r *Record) Network() network.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.network.Clone()
}

// UpdateRoles changes the recorded roles under the lock.
func (r *Record) UpdateRoles(f func(*Roles)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(&r.roles)
}

// Roles are the roles recorded.
func (r *Record) Roles() Roles {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.roles
}

// AddGoneRole records that the role of kind, made by this resource, no
// longer exists.
func (r *Record) AddGoneRole(kind string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.goneRoles = append(r.goneRoles, kind)
}

// SetAddon records an add-on; nil records that it is gone.
func (r *Record) SetAddon(name string, a *ekstypes.Addon) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if a == nil {
		delete(r.addons, name)
		return
	}
	r.addons[name] = a
}

// SetOIDCProvider records the ARN of the cluster's IAM OIDC provider ("":
// none).
func (r *Record) SetOIDCProvider(arn string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.oidcProvider = arn
}
