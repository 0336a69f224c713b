package cluster

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/addons"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/controlplane"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/incluster"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/network"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// fakeRun returns a run of the cluster "terrax-fargate" talking to a fake
// EKS, with short delays, and its EKS client.
func fakeRun(t *testing.T, f *fakeEKS) (*run, *eks.Client) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	client := eks.New(eks.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
	})
	short := wait.Delays{Min: 5 * time.Millisecond, Max: 10 * time.Millisecond}
	timing := conns.Timing{Poll: short, ProfilePoll: short, ProfileTurn: short, Retry: short, Propagation: short}
	o := newRun(&conns.Client{EKS: client, Region: "eu-west-1", Timing: timing}, "terrax-fargate", nil)
	o.children.(*children.Children).SetTemplates(fakeTemplates{})
	return o, client
}

func blogSpecs() (map[string]children.NodeGroup, map[string]children.Profile) {
	ngs := map[string]children.NodeGroup{
		"ng-a": {InstanceTypes: []string{"t3.medium"}, DesiredSize: 1, MinSize: 1, MaxSize: 2},
		"ng-b": {InstanceTypes: []string{"t3.medium"}, DesiredSize: 1, MinSize: 1, MaxSize: 2},
		"ng-c": {InstanceTypes: []string{"t3.medium"}, DesiredSize: 1, MinSize: 1, MaxSize: 2},
	}
	fps := map[string]children.Profile{
		"fp-a": {Selectors: []placement.Selector{{Namespace: "default"}}},
		"fp-b": {Selectors: []placement.Selector{{Namespace: "tb-demo", Labels: map[string]string{"app": "service"}}}},
		"fp-c": {Selectors: []placement.Selector{{Namespace: "batch"}}},
	}
	return ngs, fps
}

func index(log []string, entry string) int { return slices.Index(log, entry) }

// TestCreateOrdering: the order EKS requires (node groups and profiles on
// an ACTIVE cluster, profiles one at a time) and the overlaps it allows:
// the cluster is created while the NAT gateway is still pending, profiles
// as soon as the cluster is ACTIVE, node groups once the NAT route exists.
func TestCreateOrdering(t *testing.T) {
	f := newFakeEKS(3)
	f.roleFailures = 2 // IAM has not propagated the new cluster role yet
	o, _ := fakeRun(t, f)
	// The NAT gateway becomes available only after the first profile.
	o = withFakeParts(o, f, &fakeNetwork{natAfter: "fp-a ACTIVE"})
	ob := observed.New()
	ngs, fps := blogSpecs()
	in := createInput{version: "1.35", access: controlplane.Access{Public: true}, want: children.Set{NodeGroups: ngs, Profiles: fps}, oidc: true,
		addons: addons.Set{addons.VPCCNI: {}, addons.EBSCSIDriver: {RoleARN: "arn:aws:iam::123456789012:role/ebs"}}}
	if err := o.create(context.Background(), ob, in); err != nil {
		t.Fatalf("create: %v\nlog: %v", err, f.log)
	}
	nat, created := index(f.log, "NAT route"), index(f.log, "create cluster")
	if created < 0 || nat < created || index(f.log, "subnets") > created || index(f.log, "role cluster") > created {
		t.Errorf("the cluster should be created once its role and subnets exist, before the NAT gateway is available: %v", f.log)
	}
	if index(f.log, "create fp-a") > nat {
		t.Errorf("the first profile waited for the NAT gateway: %v", f.log)
	}
	for _, n := range []string{"ng-a", "ng-b", "ng-c"} {
		if index(f.log, "create "+n) < nat {
			t.Errorf("%s created before its subnets route through the NAT gateway: %v", n, f.log)
		}
	}
	oidc, addonsAt := index(f.log, "OIDC provider"), index(f.log, "add-ons aws-ebs-csi-driver")
	if cni := index(f.log, "add-ons vpc-cni"); cni < index(f.log, "cluster ACTIVE") || cni > index(f.log, "ng-a ACTIVE") {
		t.Errorf("the VPC CNI add-on should be made once the cluster is ACTIVE, alongside the node groups: %v", f.log)
	}
	if oidc < index(f.log, "cluster ACTIVE") || oidc > index(f.log, "fp-c ACTIVE") {
		t.Errorf("the OIDC provider should be made once the cluster is ACTIVE, alongside the profiles: %v", f.log)
	}
	for _, after := range []string{"ng-a ACTIVE", "ng-b ACTIVE", "ng-c ACTIVE", "CoreDNS to ec2", "OIDC provider"} {
		if i := index(f.log, after); i < 0 || i > addonsAt {
			t.Errorf("add-ons before %q: %v", after, f.log)
		}
	}
	// No profile selects kube-system: CoreDNS stays on the node groups.
	for _, before := range []string{"fp-c ACTIVE", "ng-a ACTIVE", "ng-b ACTIVE", "ng-c ACTIVE"} {
		if index(f.log, "CoreDNS to ec2") < index(f.log, before) {
			t.Errorf("CoreDNS placed before %q: %v", before, f.log)
		}
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
		if s := ob.Snapshot(); s.NodeGroups[n] == nil && s.Profiles[n] == nil {
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
	o, client := fakeRun(t, f)
	ob := observed.New()
	ob.SetNetwork(network.State{Private: []string{"subnet-1"}})
	_, fps := blogSpecs()
	go func() {
		// The other process polls its own profile, as it would.
		for range 20 {
			time.Sleep(5 * time.Millisecond)
			_, _ = client.DescribeFargateProfile(context.Background(), &eks.DescribeFargateProfileInput{ClusterName: aws.String("terrax-fargate"), FargateProfileName: aws.String("someone-else")})
		}
	}()
	// fp-a, fp-b and fp-c, in this order.
	if err := o.children.Change(context.Background(), ob, children.Set{}, children.Set{Profiles: fps}); err != nil {
		t.Fatalf("creating profiles: %v\nlog: %v", err, f.log)
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
	if n := len(ob.Profiles()); n != 3 {
		t.Errorf("recorded %d profiles, want 3", n)
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
	o, _ := fakeRun(t, f)
	// The NAT gateway takes until the cluster is deleting to go.
	o = withFakeParts(o, f, &fakeNetwork{natGoneAfter: "delete cluster"})
	if err := o.destroy(context.Background(), true); err != nil {
		t.Fatalf("destroy: %v\nlog: %v", err, f.log)
	}
	delCluster, clusterGone := index(f.log, "delete cluster"), index(f.log, "cluster gone")
	if delCluster < 0 || clusterGone < delCluster {
		t.Fatalf("cluster not deleted: %v", f.log)
	}
	for _, n := range []string{"fp-a", "fp-b", "fp-c", "ng-a", "ng-b"} {
		if g := index(f.log, n+" gone"); g < 0 || g > delCluster {
			t.Errorf("%s not gone before the cluster was deleted: %v", n, f.log)
		}
	}
	delNAT := index(f.log, "delete NAT")
	if delNAT < index(f.log, "ng-a gone") || delNAT < index(f.log, "ng-b gone") || delNAT > delCluster {
		t.Errorf("the NAT gateway should be deleted once no node group needs it, before the control plane is: %v", f.log)
	}
	for _, after := range []string{"cluster gone", "NAT gone"} {
		if index(f.log, "delete network") < index(f.log, after) {
			t.Errorf("the network was deleted before %q: %v", after, f.log)
		}
	}
	if index(f.log, "delete roles") < clusterGone || index(f.log, "delete OIDC provider") < clusterGone {
		t.Errorf("roles or OIDC provider deleted while the cluster existed: %v", f.log)
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
	o, _ := fakeRun(t, f)
	ob := observed.New()
	ob.SetNetwork(network.State{Private: []string{"subnet-1"}})
	newFPs := map[string]children.Profile{
		"fp-a": fps["fp-a"],
		"fp-b": {Selectors: []placement.Selector{{Namespace: "tb-demo", Labels: map[string]string{"app": "api"}}}},
		"fp-c": fps["fp-c"],
		"fp-d": {Selectors: []placement.Selector{{Namespace: "jobs"}}},
	}
	if err := o.children.Change(context.Background(), ob, children.Set{NodeGroups: ngs, Profiles: fps}, children.Set{NodeGroups: ngs, Profiles: newFPs}); err != nil {
		t.Fatalf("changing children: %v\nlog: %v", err, f.log)
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
	o, _ := fakeRun(t, f)
	ob := observed.New()
	for _, n := range []string{"ng-a", "ng-b"} {
		f.nodegroups[n] = &fakeObj{status: "ACTIVE"}
		ob.SetNodegroup(n, &ekstypes.Nodegroup{NodegroupName: aws.String(n)})
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
	o, _ := fakeRun(t, f)
	ob := observed.New()
	o = withFakeParts(o, f, &fakeNetwork{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := o.create(ctx, ob, createInput{access: controlplane.Access{Public: true}})
	if err == nil || !strings.Contains(err.Error(), "raise the `timeouts`") || !strings.Contains(err.Error(), "status CREATING") {
		t.Fatalf("error = %v, want one saying the cluster is CREATING and to raise the timeouts", err)
	}
	if c := ob.Cluster(); c == nil || aws.ToString(c.Arn) == "" {
		t.Fatal("the cluster being created is not recorded, so the state would lose it")
	}
}

// settle waits out entries left in transition; one deleted meanwhile (by
// the tool that made it) is dropped rather than failing the update.
func TestSettle_entryDeletedMeanwhile(t *testing.T) {
	f := newFakeEKS(1)
	f.cluster = &fakeObj{"ACTIVE", 0}
	f.profiles["fp-a"] = &fakeObj{"CREATING", 1}
	o, _ := fakeRun(t, f)
	ob := observed.New()
	ob.SetProfile("fp-a", &ekstypes.FargateProfile{Status: ekstypes.FargateProfileStatusCreating})
	ob.SetProfile("fp-external", &ekstypes.FargateProfile{Status: ekstypes.FargateProfileStatusCreating})
	if err := o.settle(context.Background(), ob); err != nil {
		t.Fatalf("settle: %v", err)
	}
	if _, ok := ob.Profiles()["fp-external"]; ok {
		t.Fatal("a profile deleted meanwhile is still observed")
	}
	if fp := ob.Profiles()["fp-a"]; fp == nil || fp.Status != ekstypes.FargateProfileStatusActive {
		t.Fatalf("fp-a was not settled: %+v", fp)
	}
}

// TestCreateOrderingCoreDNSOnFargate: the profile that selects CoreDNS's
// pods is created first, whatever its name, and CoreDNS goes to Fargate as
// soon as it is ACTIVE, while the other profiles are still being created.
func TestCreateOrderingCoreDNSOnFargate(t *testing.T) {
	f := newFakeEKS(3)
	o, _ := fakeRun(t, f)
	o = withFakeParts(o, f, &fakeNetwork{})
	_, fps := blogSpecs()
	fps["fp-z-system"] = children.Profile{Selectors: []placement.Selector{{Namespace: "kube-system"}}}
	in := createInput{version: "1.35", access: controlplane.Access{Public: true}, want: children.Set{Profiles: fps}, oidc: true,
		addons: addons.Set{addons.VPCCNI: {}}}
	if err := o.create(context.Background(), observed.New(), in); err != nil {
		t.Fatalf("create: %v\nlog: %v", err, f.log)
	}
	first := index(f.log, "create fp-z-system")
	for _, n := range []string{"fp-a", "fp-b", "fp-c"} {
		if c := index(f.log, "create "+n); c < 0 || c < first {
			t.Errorf("%s created before the profile CoreDNS needs: %v", n, f.log)
		}
	}
	dns := index(f.log, "CoreDNS to "+incluster.CoreDNSFargate)
	if dns < index(f.log, "fp-z-system ACTIVE") {
		t.Errorf("CoreDNS placed before its profile was ACTIVE: %v", f.log)
	}
	if dns > index(f.log, "fp-c ACTIVE") {
		t.Errorf("CoreDNS waited for profiles that do not select its pods: %v", f.log)
	}
	if index(f.log, "add-ons vpc-cni") < 0 || f.maxProfileOp != 1 {
		t.Errorf("add-ons not made, or profiles overlapped (%d at once): %v", f.maxProfileOp, f.log)
	}
}
