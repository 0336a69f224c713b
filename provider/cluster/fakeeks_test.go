package cluster

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// fakeEKS answers the EKS REST API over HTTP the way EKS behaves where it
// matters for ordering: objects stay CREATING or DELETING for a few
// Describe calls, a second Fargate profile operation while one is in
// progress gets ResourceInUseException, node groups and profiles need an
// ACTIVE cluster, and a cluster with node groups cannot be deleted.
type fakeEKS struct {
	mu           sync.Mutex
	polls        int // Describe calls an object stays in transition
	cluster      *fakeObj
	nodegroups   map[string]*fakeObj
	profiles     map[string]*fakeObj
	log          []string // what happened, in order
	maxProfileOp int      // most profiles in transition at once
	maxNGCreate  int      // most node groups CREATING at once
	inUse        int      // ResourceInUseException answers given
	roleFailures int      // CreateCluster calls to refuse as IAM not propagated
	updates      map[string]*fakeObj
	entries      map[string][]string // access entry principal -> associated policy ARNs
}

type fakeObj struct {
	status string
	left   int
}

func newFakeEKS(polls int) *fakeEKS {
	return &fakeEKS{polls: polls, nodegroups: map[string]*fakeObj{}, profiles: map[string]*fakeObj{}}
}

func (f *fakeEKS) transitioning(objs map[string]*fakeObj) (n int, name string) {
	for k, o := range objs {
		if o.status == "CREATING" || o.status == "DELETING" {
			n++
			name = k
		}
	}
	return n, name
}

func (f *fakeEKS) record() {
	if n, _ := f.transitioning(f.profiles); n > f.maxProfileOp {
		f.maxProfileOp = n
	}
	n := 0
	for _, o := range f.nodegroups {
		if o.status == "CREATING" {
			n++
		}
	}
	if n > f.maxNGCreate {
		f.maxNGCreate = n
	}
}

// advance moves an object one poll closer to the end of its transition;
// it reports whether the object is gone.
func (f *fakeEKS) advance(name string, o *fakeObj) (gone bool) {
	if o.left > 0 {
		o.left--
		return false
	}
	switch o.status {
	case "CREATING":
		o.status = "ACTIVE"
		f.log = append(f.log, name+" ACTIVE")
	case "DELETING":
		f.log = append(f.log, name+" gone")
		return true
	}
	return false
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func (f *fakeEKS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer f.record()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/") // clusters/x[/kind[/name]]
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body) // GETs and DELETEs have none
	out := func(key string, v map[string]any) { json.NewEncoder(w).Encode(map[string]any{key: v}) }
	cl := ""
	if len(parts) > 1 {
		cl = parts[1]
	}
	clusterObj := func() map[string]any {
		return map[string]any{"name": cl, "arn": "arn:aws:eks:eu-west-1:123456789012:cluster/" + cl, "status": f.cluster.status,
			"roleArn": "arn:aws:iam::123456789012:role/c", "version": "1.35", "endpoint": "https://x", "tags": map[string]string{}}
	}
	switch {
	case len(parts) == 1 && r.Method == http.MethodPost: // CreateCluster
		cl = body["name"].(string)
		if f.roleFailures > 0 {
			f.roleFailures--
			fail(w, 400, "InvalidParameterException", "Role with arn: arn:aws:iam::123456789012:role/c, could not be assumed because it does not exist or the trusted entity is not correct")
			return
		}
		f.cluster = &fakeObj{"CREATING", f.polls}
		f.log = append(f.log, "create cluster")
		out("cluster", clusterObj())
	case len(parts) == 2 && f.cluster == nil:
		fail(w, 404, "ResourceNotFoundException", "No cluster found for name: "+cl)
	case len(parts) == 2 && r.Method == http.MethodGet:
		if f.advance("cluster", f.cluster) {
			f.cluster = nil
			fail(w, 404, "ResourceNotFoundException", "No cluster found for name: "+cl)
			return
		}
		out("cluster", clusterObj())
	case len(parts) == 2 && r.Method == http.MethodDelete:
		if len(f.nodegroups) > 0 || len(f.profiles) > 0 {
			fail(w, 409, "ResourceInUseException", "Cluster has nodegroups attached")
			return
		}
		f.cluster.status, f.cluster.left = "DELETING", f.polls
		f.log = append(f.log, "delete cluster")
		out("cluster", clusterObj())
	case parts[2] == "access-entries":
		f.serveAccess(w, r, body)
	case parts[2] == "updates" || (len(parts) == 5 && parts[4] == "update-version"):
		f.serveUpdate(w, r, parts)
	default:
		kind := parts[2]
		objs, key := f.nodegroups, "nodegroup"
		if kind == "fargate-profiles" {
			objs, key = f.profiles, "fargateProfile"
		}
		view := func(name string, o *fakeObj) map[string]any {
			v := map[string]any{"status": o.status, "clusterName": cl}
			if key == "nodegroup" {
				v["nodegroupName"], v["nodegroupArn"] = name, "arn:aws:eks:eu-west-1:123456789012:nodegroup/"+cl+"/"+name+"/1"
			} else {
				v["fargateProfileName"], v["fargateProfileArn"] = name, "arn:aws:eks:eu-west-1:123456789012:fargateprofile/"+cl+"/"+name+"/1"
			}
			return v
		}
		switch {
		case len(parts) == 3 && r.Method == http.MethodGet: // List
			var names []string
			for n := range objs {
				names = append(names, n)
			}
			slices.Sort(names)
			listKey := "nodegroups"
			if key == "fargateProfile" {
				listKey = "fargateProfileNames"
			}
			json.NewEncoder(w).Encode(map[string]any{listKey: names})
		case len(parts) == 3 && r.Method == http.MethodPost: // Create
			name, _ := body[key+"Name"].(string)
			if f.cluster.status != "ACTIVE" {
				fail(w, 400, "InvalidRequestException", "Cluster '"+cl+"' is not in ACTIVE status")
				return
			}
			if key == "fargateProfile" {
				if n, busy := f.transitioning(f.profiles); n > 0 {
					f.inUse++
					fail(w, 409, "ResourceInUseException", fmt.Sprintf("Cannot create Fargate Profile %s because cluster %s currently has Fargate profile %s in status %s", name, cl, busy, f.profiles[busy].status))
					return
				}
			}
			objs[name] = &fakeObj{"CREATING", f.polls}
			f.log = append(f.log, "create "+name)
			out(key, view(name, objs[name]))
		case len(parts) == 4 && r.Method == http.MethodGet: // Describe
			o, ok := objs[parts[3]]
			if !ok {
				fail(w, 404, "ResourceNotFoundException", "not found: "+parts[3])
				return
			}
			if f.advance(parts[3], o) {
				delete(objs, parts[3])
				fail(w, 404, "ResourceNotFoundException", "not found: "+parts[3])
				return
			}
			out(key, view(parts[3], o))
		case len(parts) == 4 && r.Method == http.MethodDelete:
			o, ok := objs[parts[3]]
			if !ok {
				fail(w, 404, "ResourceNotFoundException", "not found: "+parts[3])
				return
			}
			if key == "fargateProfile" {
				if n, busy := f.transitioning(f.profiles); n > 0 {
					f.inUse++
					fail(w, 409, "ResourceInUseException", fmt.Sprintf("Cannot delete Fargate Profile %s because cluster %s currently has Fargate profile %s in status %s", parts[3], cl, busy, f.profiles[busy].status))
					return
				}
			}
			o.status, o.left = "DELETING", f.polls
			f.log = append(f.log, "delete "+parts[3])
			out(key, view(parts[3], o))
		default:
			fail(w, 400, "InvalidRequestException", "unexpected "+r.Method+" "+r.URL.Path)
		}
	}
}

// serveUpdate answers UpdateClusterVersion, UpdateNodegroupVersion and
// DescribeUpdate: an update is InProgress for a few polls.
func (f *fakeEKS) serveUpdate(w http.ResponseWriter, r *http.Request, parts []string) {
	if f.updates == nil {
		f.updates = map[string]*fakeObj{}
	}
	view := func(id string) map[string]any {
		status := "InProgress"
		if f.updates[id].status == "ACTIVE" {
			status = "Successful"
		}
		return map[string]any{"update": map[string]any{"id": id, "status": status, "type": "VersionUpdate"}}
	}
	switch {
	case r.Method == http.MethodPost:
		id, what := "cluster", "cluster"
		if len(parts) == 5 {
			id, what = "ng_"+parts[3], parts[3]
		}
		f.updates[id] = &fakeObj{"CREATING", f.polls}
		f.log = append(f.log, "upgrade "+what)
		json.NewEncoder(w).Encode(view(id))
	default: // DescribeUpdate
		id := parts[3]
		if f.advance("update "+id, f.updates[id]) {
			fail(w, 404, "ResourceNotFoundException", "no update")
			return
		}
		json.NewEncoder(w).Encode(view(id))
	}
}
