package server

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

// accessStore holds what moto does not have: each cluster's accessConfig and
// access entries with their policy associations
// (https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html).
// Its own lock: the token webhook reads it on every authentication.
type accessStore struct {
	mu       sync.Mutex
	clusters map[string]*clusterAccess
	pending  map[string]*clusterAccess // CreateCluster requests moto has not answered yet
	secrets  map[string]string         // access key ID -> secret, as STS knows them
}

func newAccessStore() *accessStore {
	return &accessStore{clusters: map[string]*clusterAccess{}, pending: map[string]*clusterAccess{}, secrets: map[string]string{}}
}

// clusterAccess is one cluster's accessConfig and entries.
type clusterAccess struct {
	mode      string
	bootstrap bool
	creator   string // canonical principal of the caller that made the cluster
	entries   map[string]*accessEntry
}

// accessEntry is an EKS access entry.
type accessEntry struct {
	principal, typ, username, arn string
	groups                        []string
	tags                          map[string]string
	created, modified             time.Time
	policies                      map[string]*association // policy ARN ->
}

// association is an access policy associated with an entry.
type association struct {
	policy, scope      string // scope: cluster or namespace
	namespaces         []string
	associated, modify time.Time
}

func (a *association) view() map[string]any {
	ns := a.namespaces
	if ns == nil {
		ns = []string{}
	}
	return map[string]any{"policyArn": a.policy, "accessScope": map[string]any{"type": a.scope, "namespaces": ns},
		"associatedAt": float64(a.associated.Unix()), "modifiedAt": float64(a.modify.Unix())}
}

// defaultUsername is EKS's username for a principal: a user's ARN, or the
// session ARN of a role's sessions.
func defaultUsername(principal string) string {
	if i := strings.Index(principal, ":role/"); i >= 0 {
		account := strings.Split(principal, ":")[4]
		role := principal[strings.LastIndex(principal, "/")+1:]
		return fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/{{SessionName}}", account, role)
	}
	return principal
}

// newEntry makes an entry as CreateAccessEntry does.
func newEntry(region, cluster, principal, typ string, now time.Time) *accessEntry {
	kind := "user"
	if strings.Contains(principal, ":role/") {
		kind = "role"
	}
	parts := strings.Split(principal, ":")
	account, name := "123456789012", principal[strings.LastIndex(principal, "/")+1:]
	if len(parts) > 4 {
		account = parts[4]
	}
	return &accessEntry{principal: principal, typ: typ, username: defaultUsername(principal), groups: []string{},
		arn:  fmt.Sprintf("arn:aws:eks:%s:%s:access-entry/%s/%s/%s/%s/%s", region, account, cluster, kind, account, name, newUUID()[:8]),
		tags: map[string]string{}, created: now, modified: now, policies: map[string]*association{}}
}

func (e *accessEntry) view(cluster string) map[string]any {
	return map[string]any{"accessEntry": map[string]any{"clusterName": cluster, "principalArn": e.principal,
		"kubernetesGroups": e.groups, "accessEntryArn": e.arn, "createdAt": float64(e.created.Unix()),
		"modifiedAt": float64(e.modified.Unix()), "tags": e.tags, "username": e.username, "type": e.typ}}
}

// created records a cluster moto has made, with its creator's admin entry
// when bootstrapped (as EKS: an entry with AmazonEKSClusterAdminPolicy).
func (a *accessStore) created(region, cluster string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ca := a.pending[cluster]
	delete(a.pending, cluster)
	if ca == nil {
		ca = &clusterAccess{mode: eksauth.AuthModeConfigMap, bootstrap: true}
	}
	ca.entries = map[string]*accessEntry{}
	if ca.mode != eksauth.AuthModeConfigMap {
		ca.bootstrapEntry(region, cluster, now)
	}
	a.clusters[cluster] = ca
}

// bootstrapEntry gives the creator its admin access entry when bootstrapped
// (also when the cluster moves from CONFIG_MAP to access entries, so that
// the creator keeps the rights it had).
func (ca *clusterAccess) bootstrapEntry(region, cluster string, now time.Time) {
	if !ca.bootstrap || ca.creator == "" || ca.entries[ca.creator] != nil {
		return
	}
	e := newEntry(region, cluster, ca.creator, "STANDARD", now)
	policy := eksauth.AccessPolicyARN("AmazonEKSClusterAdminPolicy")
	e.policies[policy] = &association{policy: policy, scope: "cluster", associated: now, modify: now}
	ca.entries[ca.creator] = e
}

func (a *accessStore) forget(cluster string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.clusters, cluster)
}

// view puts accessConfig in a cluster answer.
func (a *accessStore) view(cluster string, o map[string]any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if ca := a.clusters[cluster]; ca != nil {
		o["accessConfig"] = map[string]any{"authenticationMode": ca.mode, "bootstrapClusterCreatorAdminPermissions": ca.bootstrap}
	}
}

// grant is what an authenticated principal gets: its username and groups.
type grant struct {
	username string
	groups   []string
	// namespaces: policy -> namespaces (patterns) of its namespace-scoped associations.
	namespaces map[string][]string
}

// grantFor is the grant of a principal's access entry; nil when it has none
// or the cluster's mode does not use access entries.
func (a *accessStore) grantFor(cluster, principal, session string) *grant {
	a.mu.Lock()
	defer a.mu.Unlock()
	ca := a.clusters[cluster]
	switch {
	case ca == nil:
		return nil
	case ca.mode == eksauth.AuthModeConfigMap:
		// Without access entries only the creator is admin: localeks does
		// not read the aws-auth ConfigMap (stricter than EKS, never kinder).
		if principal != ca.creator {
			return nil
		}
		return &grant{username: principal, groups: []string{"system:masters"}}
	}
	e := ca.entries[principal]
	if e == nil || e.typ != "STANDARD" {
		return nil
	}
	g := &grant{username: strings.ReplaceAll(e.username, "{{SessionName}}", session), groups: slices.Clone(e.groups), namespaces: map[string][]string{}}
	for _, p := range slices.Sorted(maps.Keys(e.policies)) {
		as := e.policies[p]
		name := eksauth.AccessPolicyName(p)
		switch {
		case as.scope == "namespace":
			g.namespaces[name] = as.namespaces
		case name == "AmazonEKSClusterAdminPolicy":
			g.groups = append(g.groups, "system:masters")
		default:
			g.groups = append(g.groups, policyGroup(name, ""))
		}
	}
	return g
}

// policyGroup is the group localeks gives the holders of a policy, at
// cluster scope (ns "") or in one namespace; RBAC bindings that localeks
// keeps in every cluster (accessRBAC) give these groups the policy's ClusterRole.
func policyGroup(policy, ns string) string {
	if ns == "" {
		return "eks:access-policy:" + policy
	}
	return "eks:access-policy:" + policy + ":" + ns
}

// planAccessConfig is UpdateClusterConfig's AccessConfigUpdate: only the
// authentication mode changes, only towards access entries
// (https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateAccessConfigRequest.html).
func (s *Server) planAccessConfig(u *eksUpdate, cur *state, other bool, access map[string]any) *updateError {
	if other {
		return invalid("Only one type of update can be allowed.")
	}
	if _, ok := access["bootstrapClusterCreatorAdminPermissions"]; ok {
		return invalid("bootstrapClusterCreatorAdminPermissions can only be set when the cluster is created")
	}
	cluster := aws.ToString(cur.cluster.Name)
	mode, _ := access["authenticationMode"].(string)
	s.acc.mu.Lock()
	ca := s.acc.clusters[cluster]
	from := ""
	if ca != nil {
		from = ca.mode
	}
	s.acc.mu.Unlock()
	to, known := eksauth.AuthModeRank[mode]
	switch {
	case ca == nil:
		return &updateError{http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No cluster found for name: %s.", cluster)}
	case !known:
		return invalid("Unsupported authentication mode: %s", mode)
	case mode == from:
		return invalid("Cluster is already at the desired configuration with authenticationMode: %s", mode)
	case to < eksauth.AuthModeRank[from] || to > eksauth.AuthModeRank[from]+1: // one step at a time, never back
		return invalid("Unsupported authentication mode update from %s to %s", from, mode)
	}
	u.typ = "AccessConfigUpdate"
	u.params = []map[string]string{{"type": "AuthenticationMode", "value": mode}}
	u.apply = func(context.Context) error {
		s.acc.mu.Lock()
		defer s.acc.mu.Unlock()
		if ca := s.acc.clusters[cluster]; ca != nil {
			ca.mode = mode
			ca.bootstrapEntry(s.opt.Region, cluster, time.Now())
		}
		return nil
	}
	return nil
}
