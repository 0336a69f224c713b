package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
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

// fakeOps returns ops talking to a fake EKS, with short poll delays.
func fakeOps(t *testing.T, f *fakeEKS) *ops {
	t.Helper()
	oldMin, oldMax, oldBackoff := pollMin, pollMax, apierr.DefaultBackoff
	oldProfileMin, oldProfileMax := profilePollMin, profilePollMax
	pollMin, pollMax = 5*time.Millisecond, 10*time.Millisecond
	profilePollMin, profilePollMax = 5*time.Millisecond, 10*time.Millisecond
	apierr.DefaultBackoff = apierr.Backoff{Initial: 5 * time.Millisecond, Max: 10 * time.Millisecond}
	t.Cleanup(func() {
		pollMin, pollMax, apierr.DefaultBackoff = oldMin, oldMax, oldBackoff
		profilePollMin, profilePollMax = oldProfileMin, oldProfileMax
	})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	client := eks.New(eks.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
	})
	return &ops{c: &conns.Client{EKS: client, Region: "eu-west-1"}, name: "terrax-fargate"}
}

func blogSpecs() (map[string]nodeGroupSpec, map[string]profileSpec) {
	ngs := map[string]nodeGroupSpec{
		"ng-a": {InstanceTypes: []string{"t3.medium"}, DesiredSize: 1, MinSize: 1, MaxSize: 2},
		"ng-b": {InstanceTypes: []string{"t3.medium"}, DesiredSize: 1, MinSize: 1, MaxSize: 2},
		"ng-c": {InstanceTypes: []string{"t3.medium"}, DesiredSize: 1, MinSize: 1, MaxSize: 2},
	}
	fps := map[string]profileSpec{
		"fp-a": {Selectors: []placement.Selector{{Namespace: "default"}}},
		"fp-b": {Selectors: []placement.Selector{{Namespace: "tb-demo", Labels: map[string]string{"app": "service"}}}},
		"fp-c": {Selectors: []placement.Selector{{Namespace: "batch"}}},
	}
	return ngs, fps
}

func index(log []string, entry string) int { return slices.Index(log, entry) }

func TestCreateOrdering(t *testing.T) {
	f := newFakeEKS(3)
	f.roleFailures = 2 // IAM has not propagated the new cluster role yet
	o := fakeOps(t, f)
	ob := newObserved()
	ob.roles = roleARNs{cluster: "arn:aws:iam::123456789012:role/c", node: "arn:aws:iam::123456789012:role/n", podExecution: "arn:aws:iam::123456789012:role/p"}
	ob.network = networkState{Private: []string{"subnet-1", "subnet-2"}}
	ngs, fps := blogSpecs()
	if err := o.createEKS(context.Background(), ob, "1.35", endpointAccess{public: true}, ngs, fps); err != nil {
		t.Fatalf("createEKS: %v\nlog: %v", err, f.log)
	}
	active := index(f.log, "cluster ACTIVE")
	if active < 0 || index(f.log, "create cluster") > active {
		t.Fatalf("cluster never became ACTIVE: %v", f.log)
	}
	for _, n := range []string{"ng-a", "ng-b", "ng-c", "fp-a", "fp-b", "fp-c"} {
		if i := index(f.log, "create "+n); i < active {
			t.Errorf("%s created before the cluster was ACTIVE: %v", n, f.log)
		}
		if index(f.log, n+" ACTIVE") < 0 {
			t.Errorf("%s never became ACTIVE: %v", n, f.log)
		}
		if ob.nodeGroups[n] == nil && ob.profiles[n] == nil {
			t.Errorf("%s was not recorded for the state", n)
		}
	}
	if f.maxProfileOp != 1 {
		t.Errorf("at most one profile may be CREATING at a time; saw %d", f.maxProfileOp)
	}
	if f.inUse != 0 {
		t.Errorf("the provider itself started overlapping profile operations: %d refused", f.inUse)
	}
	// Profiles go one after the other: each is ACTIVE before the next is created.
	for _, pair := range [][2]string{{"fp-a", "fp-b"}, {"fp-b", "fp-c"}} {
		if index(f.log, pair[0]+" ACTIVE") > index(f.log, "create "+pair[1]) {
			t.Errorf("%s created before %s was ACTIVE: %v", pair[1], pair[0], f.log)
		}
	}
	if f.maxNGCreate != 3 {
		t.Errorf("node groups should be created in parallel; at most %d were CREATING at once", f.maxNGCreate)
	}
	if f.roleFailures != 0 {
		t.Errorf("CreateCluster was not retried past IAM propagation")
	}
}

// Another process holds the cluster's one profile slot: creation waits it out.
func TestCreateProfilesWhileAnotherProcessHoldsTheSlot(t *testing.T) {
	f := newFakeEKS(2)
	f.cluster = &fakeObj{status: "ACTIVE"}
	f.profiles["someone-else"] = &fakeObj{"CREATING", 6}
	o := fakeOps(t, f)
	ob := newObserved()
	ob.network = networkState{Private: []string{"subnet-1"}}
	_, fps := blogSpecs()
	go func() {
		// The other process polls its own profile, as it would.
		for range 20 {
			time.Sleep(5 * time.Millisecond)
			_, _ = o.c.EKS.DescribeFargateProfile(context.Background(), &eks.DescribeFargateProfileInput{ClusterName: aws.String("terrax-fargate"), FargateProfileName: aws.String("someone-else")})
		}
	}()
	if err := o.createProfiles(context.Background(), ob, fps, []string{"fp-a", "fp-b", "fp-c"}); err != nil {
		t.Fatalf("createProfiles: %v\nlog: %v", err, f.log)
	}
	if f.inUse == 0 {
		t.Fatal("the fake never refused a concurrent profile operation; the test proves nothing")
	}
	if f.maxProfileOp != 1 {
		t.Errorf("at most one profile may be in transition at a time; saw %d", f.maxProfileOp)
	}
	if index(f.log, "someone-else ACTIVE") > index(f.log, "create fp-a") {
		t.Errorf("fp-a created while another profile was CREATING: %v", f.log)
	}
	if len(ob.profiles) != 3 {
		t.Errorf("recorded %d profiles, want 3", len(ob.profiles))
	}
}

func TestDeleteOrdering(t *testing.T) {
	f := newFakeEKS(2)
	f.cluster = &fakeObj{status: "ACTIVE"}
	for _, n := range []string{"fp-a", "fp-b", "fp-c"} {
		f.profiles[n] = &fakeObj{status: "ACTIVE"}
	}
	for _, n := range []string{"ng-a", "ng-b"} {
		f.nodegroups[n] = &fakeObj{status: "ACTIVE"}
	}
	o := fakeOps(t, f)
	if err := o.deleteEKS(context.Background()); err != nil {
		t.Fatalf("deleteEKS: %v\nlog: %v", err, f.log)
	}
	delCluster := index(f.log, "delete cluster")
	if delCluster < 0 || index(f.log, "cluster gone") < delCluster {
		t.Fatalf("cluster not deleted: %v", f.log)
	}
	for _, n := range []string{"fp-a", "fp-b", "fp-c", "ng-a", "ng-b"} {
		if g := index(f.log, n+" gone"); g < 0 || g > delCluster {
			t.Errorf("%s not gone before the cluster was deleted: %v", n, f.log)
		}
	}
	if f.maxProfileOp != 1 {
		t.Errorf("at most one profile may be DELETING at a time; saw %d", f.maxProfileOp)
	}
	if f.inUse != 0 {
		t.Errorf("the provider itself started %d overlapping profile operations", f.inUse)
	}
}

// An update replaces one profile and adds one, removing nothing else.
func TestChangeChildrenTouchesOnlyChangedEntries(t *testing.T) {
	f := newFakeEKS(1)
	f.cluster = &fakeObj{status: "ACTIVE"}
	ngs, fps := blogSpecs()
	for n := range fps {
		f.profiles[n] = &fakeObj{status: "ACTIVE"}
	}
	for n := range ngs {
		f.nodegroups[n] = &fakeObj{status: "ACTIVE"}
	}
	o := fakeOps(t, f)
	ob := newObserved()
	ob.network = networkState{Private: []string{"subnet-1"}}
	newFPs := map[string]profileSpec{
		"fp-a": fps["fp-a"],
		"fp-b": {Selectors: []placement.Selector{{Namespace: "tb-demo", Labels: map[string]string{"app": "api"}}}},
		"fp-c": fps["fp-c"],
		"fp-d": {Selectors: []placement.Selector{{Namespace: "jobs"}}},
	}
	if err := o.changeChildren(context.Background(), ob, ngs, ngs, fps, newFPs); err != nil {
		t.Fatalf("changeChildren: %v\nlog: %v", err, f.log)
	}
	want := []string{"delete fp-b", "fp-b gone", "create fp-b", "fp-b ACTIVE", "create fp-d", "fp-d ACTIVE"}
	if !slices.Equal(f.log, want) {
		t.Errorf("log = %v, want %v", f.log, want)
	}
}

// A version upgrade finishes the control plane before it starts on the node groups.
func TestUpgradeVersionOrdering(t *testing.T) {
	f := newFakeEKS(2)
	f.cluster = &fakeObj{status: "ACTIVE"}
	o := fakeOps(t, f)
	ob := newObserved()
	for _, n := range []string{"ng-a", "ng-b"} {
		f.nodegroups[n] = &fakeObj{status: "ACTIVE"}
		ob.setNodegroup(n, &ekstypes.Nodegroup{NodegroupName: aws.String(n)})
	}
	if err := o.upgradeVersion(context.Background(), ob, "1.36"); err != nil {
		t.Fatalf("upgradeVersion: %v\nlog: %v", err, f.log)
	}
	done := index(f.log, "update cluster ACTIVE")
	if index(f.log, "upgrade cluster") != 0 || done < 0 {
		t.Fatalf("the control plane was not upgraded first: %v", f.log)
	}
	for _, n := range []string{"ng-a", "ng-b"} {
		if i := index(f.log, "upgrade "+n); i < done {
			t.Errorf("node group %s upgraded before the control plane finished: %v", n, f.log)
		}
		if index(f.log, "update ng_"+n+" ACTIVE") < 0 {
			t.Errorf("the upgrade of %s was not waited for: %v", n, f.log)
		}
	}
}

// Running out of time ends with an error that names the knob, and the
// cluster already made is recorded for the state.
func TestCreateTimeout(t *testing.T) {
	f := newFakeEKS(1 << 30) // the cluster never leaves CREATING
	o := fakeOps(t, f)
	ob := newObserved()
	ob.roles.cluster = "arn:aws:iam::123456789012:role/c"
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := o.createEKS(ctx, ob, "", endpointAccess{public: true}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "raise the `timeouts`") || !strings.Contains(err.Error(), "status CREATING") {
		t.Fatalf("error = %v, want one saying the cluster is CREATING and to raise the timeouts", err)
	}
	if ob.cluster == nil || aws.ToString(ob.cluster.Arn) == "" {
		t.Fatal("the cluster being created is not recorded, so the state would lose it")
	}
}

// settle waits out entries left in transition; one deleted meanwhile (by
// the tool that made it) is dropped rather than failing the update.
func TestSettle_entryDeletedMeanwhile(t *testing.T) {
	f := newFakeEKS(1)
	f.cluster = &fakeObj{"ACTIVE", 0}
	f.profiles["fp-a"] = &fakeObj{"CREATING", 1}
	o := fakeOps(t, f)
	ob := newObserved()
	ob.setProfile("fp-a", &ekstypes.FargateProfile{Status: ekstypes.FargateProfileStatusCreating})
	ob.setProfile("fp-external", &ekstypes.FargateProfile{Status: ekstypes.FargateProfileStatusCreating})
	if err := o.settle(context.Background(), ob); err != nil {
		t.Fatalf("settle: %v", err)
	}
	if _, ok := ob.profiles["fp-external"]; ok {
		t.Fatal("a profile deleted meanwhile is still observed")
	}
	if fp := ob.profiles["fp-a"]; fp == nil || fp.Status != ekstypes.FargateProfileStatusActive {
		t.Fatalf("fp-a was not settled: %+v", fp)
	}
}
