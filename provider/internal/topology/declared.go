package topology

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// Profiles beyond the cluster's own: those fargate_profile resources plan
// (known before they exist, so the first apply places pods on them), and,
// for a fargate_cluster with exclusive_fargate_profiles = false, those
// others made that exist on the cluster and that it leaves alone.

// AddProfile records a profile a fargate_profile resource plans for the
// cluster; it counts in the cluster's layout whether or not it exists yet.
func (r *Registry) AddProfile(cluster string, p placement.Profile) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.declared == nil {
		r.declared = map[string]map[string]placement.Profile{}
	}
	if r.declared[cluster] == nil {
		r.declared[cluster] = map[string]placement.Profile{}
	}
	r.declared[cluster][p.Name] = p
}

// SetShared records whether fargate_cluster plans the cluster without
// exclusive Fargate profiles: then the profiles others made stay, and
// Layout adds those EKS has to the planned ones; else they are deleted on
// its apply (see Exclusive).
func (r *Registry) SetShared(cluster string, shared bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shared == nil {
		r.shared = map[string]bool{}
	}
	if r.exclusive == nil {
		r.exclusive = map[string]bool{}
	}
	r.exclusive[cluster] = !shared
	if _, seen := r.shared[cluster]; shared && !seen {
		r.shared[cluster] = false // not read yet
	} else if !shared {
		delete(r.shared, cluster)
	}
}

// Exclusive reports that fargate_cluster plans the cluster, in this run,
// as the owner of every profile on it: a profile others add is deleted by
// its next apply.
func (r *Registry) Exclusive(cluster string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.exclusive[cluster]
}

// addForeign adds, once per run, the profiles EKS has on a shared cluster
// to those planned. A cluster that does not exist yet has none; an error
// leaves the planned layout as it is (the manifest's warning path is for
// clusters read wholly from EKS).
func (r *Registry) addForeign(ctx context.Context, conn *eks.Client, name string) {
	r.mu.Lock()
	read, shared := r.shared[name]
	r.mu.Unlock()
	if !shared || read || conn == nil {
		return
	}
	existing, err := readProfiles(ctx, conn, name)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shared[name] = true
	if err != nil {
		return
	}
	c := r.get(name)
	c.Profiles = mergeProfiles(c.Profiles, existing)
}

// withDeclared adds the profiles fargate_profile resources plan for the
// cluster to its layout. The caller holds r.mu.
func (r *Registry) withDeclared(name string, profiles []placement.Profile) []placement.Profile {
	var declared []placement.Profile
	for _, n := range slices.Sorted(maps.Keys(r.declared[name])) {
		declared = append(declared, r.declared[name][n])
	}
	return mergeProfiles(profiles, declared)
}

// mergeProfiles is base plus the profiles of more whose names base lacks.
func mergeProfiles(base, more []placement.Profile) []placement.Profile {
	out := slices.Clone(base)
	for _, p := range more {
		if !slices.ContainsFunc(out, func(q placement.Profile) bool { return q.Name == p.Name }) {
			out = append(out, p)
		}
	}
	return out
}
