package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
)

func sortEvents(ev []Event) {
	sort.SliceStable(ev, func(i, j int) bool { return ev[i].At.Before(ev[j].At) })
}

// eksBefore answers what localeks answers itself; it reports whether it did.
func (s *Server) eksBefore(w http.ResponseWriter, r *http.Request, c awsproxy.Call) bool {
	if no := s.missingCluster(r.Context(), c); no != nil {
		eksError(w, no.status, no.code, no.msg)
		return true
	}
	if no := s.eksValidate(r.Context(), c, decode(c.Body)); no != nil {
		s.logf("refused %s of %s/%s: %s: %s", c.Op, c.Cluster, c.Name, no.code, no.msg)
		eksError(w, no.status, no.code, no.msg)
		return true
	}
	if s.accessBefore(w, r, c) {
		return true
	}
	switch c.Op {
	case "CreateAddon", "DescribeAddon", "DeleteAddon", "UpdateAddon", "ListAddons", "DescribeAddonVersions":
		s.addonAPI(w, r, c)
		return true
	case "CreatePodIdentityAssociation", "DescribePodIdentityAssociation", "ListPodIdentityAssociations",
		"UpdatePodIdentityAssociation", "DeletePodIdentityAssociation":
		s.podIdentityAPI(w, r, c)
		return true
	case "ListUpdates":
		if name := r.URL.Query().Get("addonName"); name != "" {
			s.addonUpdates(w, c.Cluster, name)
		} else {
			s.listUpdates(w, r, c)
		}
		return true
	case "DescribeUpdate":
		id := strings.TrimPrefix(r.URL.Path, "/clusters/"+c.Cluster+"/updates/")
		if s.addonUpdate(w, c.Cluster, id) || s.describeUpdate(w, r, c, id) {
			return true
		}
		eksError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No update found for ID: %s", id))
		return true
	case "UpdateClusterConfig", "UpdateClusterVersion", "UpdateNodegroupConfig", "UpdateNodegroupVersion", "AssociateEncryptionConfig":
		s.updateAPI(w, r, c)
		return true
	}
	body := decode(c.Body)
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch c.Op {
	case "CreateFargateProfile", "DeleteFargateProfile":
		name := c.Name
		if name == "" {
			name, _ = body["fargateProfileName"].(string)
		}
		if u := s.runningUpdate(c.Cluster, ""); u != nil {
			eksError(w, http.StatusConflict, "ResourceInUseException",
				fmt.Sprintf("Cannot %s Fargate Profile %s because cluster %s currently has update %s in progress", strings.ToLower(strings.TrimSuffix(c.Op, "FargateProfile")), name, c.Cluster, u.id))
			return true
		}
		for _, l := range s.objects {
			if l.Kind == "fargateprofile" && l.Cluster == c.Cluster && l.Name != name && (l.creating(now) || l.deleting(now)) {
				state := "CREATING"
				if l.deleting(now) {
					state = "DELETING"
				}
				verb := "create"
				if c.Op == "DeleteFargateProfile" {
					verb = "delete"
				}
				s.calls["localeks:profile-conflicts"]++ // s.mu is held
				eksError(w, http.StatusConflict, "ResourceInUseException",
					fmt.Sprintf("Cannot %s Fargate Profile %s because cluster %s currently has Fargate profile %s in status %s", verb, name, c.Cluster, l.Name, state))
				return true
			}
		}
	case "ListNodegroups", "ListFargateProfiles":
		// A cluster EKS still shows DELETING has no node groups or profiles
		// left (moto has forgotten the cluster already).
		if l := s.objects[objKey("cluster", c.Cluster, "")]; l != nil && l.deleting(now) {
			key := map[string]string{"ListNodegroups": "nodegroups", "ListFargateProfiles": "fargateProfileNames"}[c.Op]
			writeJSON(w, http.StatusOK, map[string]any{key: []string{}})
			return true
		}
	case "DescribeCluster", "DescribeNodegroup", "DescribeFargateProfile":
		kind := describedKind[c.Op]
		name := c.Name
		if kind == "cluster" {
			name = ""
		}
		if l := s.objects[objKey(kind, c.Cluster, name)]; l != nil && l.deleting(now) && l.last != nil {
			writeJSON(w, http.StatusOK, l.last)
			return true
		}
	}
	return false
}

// eksAfter rewrites moto's EKS answers.
func (s *Server) eksAfter(r *http.Request, c awsproxy.Call, status int, body []byte) (outStatus int, outBody []byte) {
	if status == http.StatusNotFound {
		s.noticeGone(c)
	}
	if status/100 != 2 {
		return status, body
	}
	// What the caller is told, after the rewriting below.
	defer func() { s.noticeActive(c, outBody) }()
	m := decode(body)
	if m == nil {
		return status, body
	}
	var clusterCreated string // the version moto knows the cluster by
	if c.Op == "DescribeNodegroup" {
		clusterCreated = s.motoClusterVersion(r.Context(), c.Cluster)
	}
	now := time.Now()
	cfg := s.Shaper.Get()
	s.mu.Lock()
	defer s.mu.Unlock()
	obj := func(key string) map[string]any { o, _ := m[key].(map[string]any); return o }
	track := func(kind, cluster, name string, createFor time.Duration) *lifecycle {
		l := &lifecycle{Kind: kind, Cluster: cluster, Name: name, Key: c.AccessKey, Created: arrivedAt(r, now), CreateFor: createFor}
		s.objects[objKey(kind, cluster, name)] = l
		s.history = append(s.history, l)
		return l
	}
	gone := func(kind, cluster, name string, deleteFor time.Duration, o map[string]any) {
		l := s.objects[objKey(kind, cluster, name)]
		if l == nil {
			l = track(kind, cluster, name, 0)
		}
		l.Deleted, l.DeleteFor = now, deleteFor
		if o != nil {
			o["status"] = "DELETING"
			l.last = map[string]any{map[string]string{"cluster": "cluster", "nodegroup": "nodegroup", "fargateprofile": "fargateProfile"}[kind]: o}
		}
	}
	switch c.Op {
	case "CreateCluster":
		if o := obj("cluster"); o != nil {
			name, _ := o["name"].(string)
			s.acc.created(s.opt.Region, name, now)
			s.acc.view(name, o)
			cl := s.startCluster(name)
			l := track("cluster", name, "", cfg.ClusterCreate.Duration)
			l.extraReady = cl.readyAt
			s.eniSubnets[name] = subnetsOf(c.Body)
			s.clusterView(name, o, now)
		}
	case "DescribeCluster":
		if o := obj("cluster"); o != nil {
			s.clusterView(c.Cluster, o, now)
			s.updatedView(c.Cluster, "", o, "")
			s.acc.view(c.Cluster, o)
		}
	case "DeleteCluster":
		if o := obj("cluster"); o != nil {
			s.clusterIdentity(c.Cluster, o)
			gone("cluster", c.Cluster, "", cfg.ClusterDelete.Duration, o)
			if cl := s.clusters[c.Cluster]; cl != nil {
				delete(s.clusters, c.Cluster)
				delete(s.addons, c.Cluster)
				delete(s.podIdentities, c.Cluster) // EKS deletes them with their cluster
				s.acc.forget(c.Cluster)            // and its access entries
				s.forgetUpdates(c.Cluster)
				go cl.stop()
			}
		}
	case "CreateNodegroup", "CreateFargateProfile":
		kind, key, nameField, window := "nodegroup", "nodegroup", "nodegroupName", cfg.NodegroupCreate.Duration
		if c.Op == "CreateFargateProfile" {
			kind, key, nameField, window = "fargateprofile", "fargateProfile", "fargateProfileName", cfg.ProfileCreate.Duration+s.Shaper.Jitter()
		}
		if o := obj(key); o != nil {
			name, _ := o[nameField].(string)
			l := track(kind, c.Cluster, name, window)
			l.updateConfig = requestedUpdateConfig(c.Body)
			if kind == "nodegroup" {
				l.failCode = s.Shaper.NodegroupIssue(name, true)
				if cl := s.clusters[c.Cluster]; cl != nil && l.failCode == "" {
					l.extraReady = func() (time.Time, bool) { return cl.joinedAt(name, l.Created) }
				}
			}
			// EKS answers a create with CREATING; with no shaped window
			// localeks answers ACTIVE, unless the object is still creating
			// (a node group until its nodes joined), so that the answer never
			// says more than the next Describe.
			o["status"] = "CREATING"
			if window == 0 && !l.creating(now) {
				o["status"] = "ACTIVE"
			}
		}
	case "DescribeNodegroup", "DescribeFargateProfile":
		kind, key := "nodegroup", "nodegroup"
		if c.Op == "DescribeFargateProfile" {
			kind, key = "fargateprofile", "fargateProfile"
		}
		if o := obj(key); o != nil {
			if l := s.objects[objKey(kind, c.Cluster, c.Name)]; l != nil && l.creating(now) {
				o["status"] = "CREATING"
				if kind == "nodegroup" {
					s.launchTemplateView(c.Cluster, c.Name, o) // what it was created with shows at once
				}
			} else if kind == "nodegroup" {
				s.updatedView(c.Cluster, c.Name, o, clusterCreated)
				s.nodegroupHealth(l, c.Name, o)
			}
		}
	case "DeleteNodegroup":
		gone("nodegroup", c.Cluster, c.Name, cfg.NodegroupDelete.Duration, obj("nodegroup"))
	case "DeleteFargateProfile":
		gone("fargateprofile", c.Cluster, c.Name, cfg.ProfileDelete.Duration, obj("fargateProfile"))
		if cl := s.clusters[c.Cluster]; cl != nil {
			go s.evictProfilePods(cl, c.Name)
		}
	case "ListNodegroups", "ListFargateProfiles":
		kind, key := "nodegroup", "nodegroups"
		if c.Op == "ListFargateProfiles" {
			kind, key = "fargateprofile", "fargateProfileNames"
		}
		names, _ := m[key].([]any)
		seen := map[string]bool{}
		for _, n := range names {
			seen[fmt.Sprint(n)] = true
		}
		for _, l := range s.objects {
			if l.Kind == kind && l.Cluster == c.Cluster && l.deleting(now) && !seen[l.Name] {
				names = append(names, l.Name)
			}
		}
		m[key] = names
	default:
		return status, body
	}
	b, err := json.Marshal(m)
	if err != nil {
		return status, body
	}
	return status, b
}

var describedKind = map[string]string{"DescribeCluster": "cluster", "DescribeNodegroup": "nodegroup", "DescribeFargateProfile": "fargateprofile"}

// noticeGone records a caller learning that an object is gone.
func (s *Server) noticeGone(c awsproxy.Call) {
	kind, ok := describedKind[c.Op]
	if !ok {
		return
	}
	name := c.Name
	if kind == "cluster" {
		name = ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.objects[objKey(kind, c.Cluster, name)]; l != nil {
		l.notice(time.Now(), false)
	}
}

// noticeActive records a caller seeing an object ACTIVE, from the answer it got.
func (s *Server) noticeActive(c awsproxy.Call, body []byte) {
	kind, ok := describedKind[c.Op]
	if !ok {
		return
	}
	m := decode(body)
	o, _ := m[map[string]string{"cluster": "cluster", "nodegroup": "nodegroup", "fargateprofile": "fargateProfile"}[kind]].(map[string]any)
	if o == nil || o["status"] != "ACTIVE" {
		return
	}
	name := c.Name
	if kind == "cluster" {
		name = ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.objects[objKey(kind, c.Cluster, name)]; l != nil {
		l.notice(time.Now(), true)
	}
}

// clusterView makes a cluster answer tell the truth about its control
// plane: CREATING (no endpoint yet) until it serves, then its endpoint and CA.
func (s *Server) clusterView(name string, o map[string]any, now time.Time) {
	cl := s.clusters[name]
	l := s.objects[objKey("cluster", name, "")]
	if cl == nil {
		return // not made through localeks
	}
	s.clusterIdentity(name, o)
	switch {
	case cl.failed() != nil:
		o["status"] = "FAILED"
		o["health"] = map[string]any{"issues": []map[string]any{{"code": "ClusterUnreachable", "message": cl.failed().Error()}}}
		delete(o, "endpoint")
		delete(o, "certificateAuthority")
	case l != nil && l.creating(now):
		o["status"] = "CREATING"
		delete(o, "endpoint")
		delete(o, "certificateAuthority")
	default:
		ep, ca := cl.endpoint()
		o["endpoint"] = ep
		o["certificateAuthority"] = map[string]any{"data": base64.StdEncoding.EncodeToString(ca)}
	}
}

// clusterIdentity puts the cluster's own OIDC issuer in its answer: moto
// gives every cluster the same one, EKS one per cluster.
func (s *Server) clusterIdentity(name string, o map[string]any) {
	if cl := s.clusters[name]; cl != nil {
		o["identity"] = map[string]any{"oidc": map[string]any{"issuer": cl.Issuer}}
	}
}

func (s *Server) roleCreated(body []byte, key string) {
	// IAM answers XML: <Arn>arn:aws:iam::...:role/name</Arn>
	b := string(body)
	i := strings.Index(b, "<Arn>")
	j := strings.Index(b, "</Arn>")
	if i < 0 || j < i {
		return
	}
	s.mu.Lock()
	s.roles[b[i+5:j]] = time.Now()
	s.roleKeys[b[i+5:j]] = key
	s.mu.Unlock()
}
