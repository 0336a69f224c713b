// Package topology is what the provider knows, during one plan or apply,
// of each cluster's layout: its Fargate profiles, node groups and add-ons
// as fargate_cluster plans them, and the StorageClasses, claims and pod
// templates that fargate_manifest resources declare. Terraform plans a
// manifest after the cluster it names, in the same provider process, so a
// manifest's plan can tell where its pods will run even before the cluster
// exists.
package topology

import (
	"maps"
	"slices"
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
	// Addons are the names of the cluster's EKS add-ons, as planned or as
	// EKS has them; nil when unknown, and then nothing is concluded from
	// them (an empty, non-nil list means none).
	Addons []string
	// LoadBalancerController: whether the AWS Load Balancer Controller is
	// (or is planned to be) installed in the cluster; nil when unknown.
	LoadBalancerController *bool
	// NodeGroupZones is how many availability zones the node groups'
	// subnets span together; 0 when unknown.
	NodeGroupZones int
	// Provisioners and volume binding modes ("" is Immediate) of
	// StorageClasses by name, the class of each claim ("namespace/name"),
	// and the pod templates, from manifests planned so far.
	Provisioners map[string]string
	BindingModes map[string]string
	Claims       map[string]string
	Workloads    map[string]Workload
	// Services are the Services manifests planned so far declare, by
	// "namespace/name", so that an Ingress in another manifest knows its
	// backends (see services.go).
	Services map[string]Service
}

// Workload is a pod template a manifest declares, and where it runs
// (fargate_manifest's placement value).
type Workload struct {
	Namespace string
	Labels    map[string]string
	Placement string
}

// HasAddon reports whether the add-on is known to be there; false also
// when the add-ons are unknown (see AddonsKnown).
func (c Cluster) HasAddon(name string) bool { return slices.Contains(c.Addons, name) }

// AddonsKnown reports whether Addons says what the cluster has.
func (c Cluster) AddonsKnown() bool { return c.Addons != nil }

// Registry holds the clusters by name.
type Registry struct {
	// ReadAddons: Layout reads a cluster's add-ons from EKS when it was
	// not planned in this run. Off until fargate_cluster reports its
	// planned add-ons (SetAddons): until then the plan knows none, and the
	// apply, which reads EKS for a cluster it does not plan again, would
	// find what the plan did not; a plan and its apply must agree.
	ReadAddons bool

	mu       sync.Mutex
	clusters map[string]*Cluster
	// declared: profiles fargate_profile plans, by cluster and name;
	// shared: clusters whose profiles others add too, read from EKS yet;
	// exclusive: clusters planned as the owners of all their profiles
	// (see declared.go).
	declared          map[string]map[string]placement.Profile
	shared, exclusive map[string]bool
	// lbc: the AWS Load Balancer Controller of clusters read from EKS
	// (see controller.go).
	lbc controllers
}

// readAddonsFromEKS is New's ReadAddons: fargate_cluster calls SetAddons
// in its plan.
const readAddonsFromEKS = true

// New returns an empty registry.
func New() *Registry {
	return &Registry{clusters: map[string]*Cluster{}, ReadAddons: readAddonsFromEKS}
}

func (r *Registry) get(name string) *Cluster {
	c := r.clusters[name]
	if c == nil {
		// EKS makes every cluster with the gp2 class, backed by EBS and
		// binding a volume where its first pod is scheduled.
		c = &Cluster{
			Provisioners: map[string]string{DefaultClass: "kubernetes.io/aws-ebs"},
			BindingModes: map[string]string{DefaultClass: WaitForFirstConsumer},
			Claims:       map[string]string{}, Workloads: map[string]Workload{},
		}
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

// SetAddons records the names of the add-ons fargate_cluster plans for
// the cluster (nil: unknown).
func (r *Registry) SetAddons(name string, addons []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.get(name).Addons = slices.Clone(addons)
}

// SetNodeGroupZones records how many availability zones the cluster's
// node groups span as fargate_cluster plans them (0: unknown).
func (r *Registry) SetNodeGroupZones(name string, zones int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.get(name).NodeGroupZones = zones
}

// SetPending records that fargate_cluster plans the cluster with a layout
// known only at apply (its profiles depend on values not yet known).
func (r *Registry) SetPending(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.get(name)
	c.Known, c.Pending, c.Profiles, c.NodeGroups = false, true, nil, 0
}

// Storage is what a manifest declares of storage: its StorageClasses'
// provisioners and binding modes by name, and its claims' classes by
// "namespace/name".
type Storage struct {
	Provisioners, BindingModes, Claims map[string]string
}

// AddStorage records StorageClasses and claims a manifest declares.
func (r *Registry) AddStorage(name string, s Storage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.get(name)
	maps.Copy(c.Provisioners, s.Provisioners)
	maps.Copy(c.BindingModes, s.BindingModes)
	maps.Copy(c.Claims, s.Claims)
}

// AddWorkloads records the pod templates of a manifest by object ID, so
// that a Service in another manifest knows where the pods it selects run.
func (r *Registry) AddWorkloads(name string, w map[string]Workload) {
	r.mu.Lock()
	defer r.mu.Unlock()
	maps.Copy(r.get(name).Workloads, w)
}

// Get returns a copy of what is known of the cluster.
func (r *Registry) Get(name string) Cluster {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.get(name)
	out := *c
	out.Profiles = r.withDeclared(name, c.Profiles)
	out.Addons = slices.Clone(c.Addons)
	out.LoadBalancerController = clone(c.LoadBalancerController)
	out.Provisioners, out.BindingModes, out.Claims = maps.Clone(c.Provisioners), maps.Clone(c.BindingModes), maps.Clone(c.Claims)
	out.Workloads = maps.Clone(c.Workloads)
	out.Services = maps.Clone(c.Services)
	return out
}

// DefaultClass is the StorageClass EKS makes in every cluster. It is not
// the default class (storageclass.kubernetes.io/is-default-class) of a
// cluster made at Kubernetes 1.30 or later, every version EKS offers now
// (EKS user guide, Kubernetes 1.30 release notes), so a claim without a
// class gets none.
const DefaultClass = "gp2"

// WaitForFirstConsumer is the binding mode that makes a volume where its
// first pod is scheduled.
const WaitForFirstConsumer = "WaitForFirstConsumer"

// ClaimClass resolves a claim in a namespace to its StorageClass ("" when
// the claim is unknown or names no class: EKS clusters have no default
// class, see DefaultClass).
func (c Cluster) ClaimClass(ns, claim string) string {
	return c.Claims[ns+"/"+claim]
}

// ClaimProvisioner resolves a claim in a namespace to its class's
// provisioner ("" when unknown).
func (c Cluster) ClaimProvisioner(ns string) func(string) string {
	return func(claim string) string { return c.Provisioners[c.ClaimClass(ns, claim)] }
}
