package topology_test

import (
	"context"
	"net/url"
	"slices"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekstest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/topology"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

var ctx = context.Background()

// EKS with two pages of profiles, one deleted between the list and its
// description, one being deleted, and two node groups.
func fake(path []string, q url.Values) ekstest.Reply {
	switch {
	case len(path) == 3 && path[2] == "fargate-profiles" && q.Get("nextToken") == "":
		return ekstest.Names("fargateProfileNames", []string{"fp-a"}, "next")
	case len(path) == 3 && path[2] == "fargate-profiles":
		return ekstest.Names("fargateProfileNames", []string{"fp-b", "fp-gone", "fp-deleting"}, "")
	case len(path) == 4 && path[3] == "fp-deleting":
		return ekstest.ProfileIn("DELETING", path[3], "b")
	case len(path) == 3 && path[2] == "node-groups":
		return ekstest.Names("nodegroups", []string{"ng-1", "ng-2"}, "")
	case len(path) == 4 && path[3] != "fp-gone":
		return ekstest.Profile(path[3], path[3][3:])
	}
	return ekstest.NotFound(path[len(path)-1])
}

func TestLayout_readFromEKSOncePerRun(t *testing.T) {
	conn, srv := ekstest.New(t, fake)
	r := topology.New()
	for range 2 {
		c, err := r.Layout(ctx, conn, "c")
		if err != nil || !c.Known || c.NodeGroups != 2 || len(c.Profiles) != 2 ||
			c.Profiles[0].Name != "fp-a" || c.Profiles[1].Name != "fp-b" || c.Profiles[1].Selectors[0].Namespace != "b" {
			t.Fatalf("layout %+v, %v", c, err)
		}
	}
	if n := srv.Calls("clusters/c/node-groups"); n != 1 {
		t.Fatalf("EKS read %d times, want once", n)
	}
}

func TestLayout_clusterPlanWins(t *testing.T) {
	conn, srv := ekstest.New(t, fake)
	r := topology.New()
	r.SetLayout("c", []placement.Profile{{Name: "planned"}}, 0)
	c, err := r.Layout(ctx, conn, "c")
	if err != nil || len(c.Profiles) != 1 || c.Profiles[0].Name != "planned" || srv.Calls("clusters/c/fargate-profiles") != 0 {
		t.Fatalf("layout %+v, %v", c, err)
	}
}

func TestLayout_missingClusterIsNotFound(t *testing.T) {
	conn, _ := ekstest.New(t, func([]string, url.Values) ekstest.Reply { return ekstest.NotFound("cluster") })
	c, err := topology.New().Layout(ctx, conn, "c")
	if !apierr.NotFound(err) || c.Known {
		t.Fatalf("layout %+v, %v; want not found", c, err)
	}
}

// A cluster fargate_cluster plans with a layout known only at apply is not
// read from EKS: what EKS has now is not what the apply makes.
func TestLayout_pendingIsNotRead(t *testing.T) {
	conn, srv := ekstest.New(t, fake)
	r := topology.New()
	r.SetPending("c")
	c, err := r.Layout(ctx, conn, "c")
	if err != nil || c.Known || srv.Calls("clusters/c/fargate-profiles") != 0 {
		t.Fatalf("layout %+v, %v", c, err)
	}
}

// fakeWithAddons is fake with two pages of add-ons.
func fakeWithAddons(path []string, q url.Values) ekstest.Reply {
	switch {
	case len(path) == 3 && path[2] == "addons" && q.Get("nextToken") == "":
		return ekstest.Names("addons", []string{"coredns"}, "next")
	case len(path) == 3 && path[2] == "addons":
		return ekstest.Names("addons", []string{"vpc-cni", "aws-ebs-csi-driver"}, "")
	}
	return fake(path, q)
}

func TestLayout_addonsReadFromEKS(t *testing.T) {
	cases := []struct {
		name    string
		h       ekstest.Handler
		read    bool
		want    []string
		unknown bool
	}{
		{"every page", fakeWithAddons, true, []string{"coredns", "vpc-cni", "aws-ebs-csi-driver"}, false},
		{"none", func(p []string, q url.Values) ekstest.Reply {
			if len(p) == 3 && p[2] == "addons" {
				return ekstest.Names("addons", nil, "")
			}
			return fake(p, q)
		}, true, []string{}, false},
		{"EKS does not say: unknown, the layout still known", func(p []string, q url.Values) ekstest.Reply {
			if len(p) == 3 && p[2] == "addons" {
				return ekstest.Error(403, "AccessDeniedException", "not allowed")
			}
			return fake(p, q)
		}, true, nil, true},
		{"not read until fargate_cluster reports its own", fakeWithAddons, false, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, _ := ekstest.New(t, c.h)
			r := topology.New()
			r.ReadAddons = c.read
			got, err := r.Layout(ctx, conn, "c")
			if err != nil || !got.Known || got.AddonsKnown() == c.unknown || !slices.Equal(got.Addons, c.want) || got.NodeGroupZones != 0 {
				t.Fatalf("layout %+v, %v; want add-ons %q", got, err, c.want)
			}
			if has := got.HasAddon("aws-ebs-csi-driver"); has != slices.Contains(c.want, "aws-ebs-csi-driver") {
				t.Fatalf("HasAddon = %v", has)
			}
		})
	}
}

// What fargate_cluster plans wins over EKS, add-ons and zones included.
func TestSetAddons(t *testing.T) {
	conn, srv := ekstest.New(t, fakeWithAddons)
	r := topology.New()
	r.ReadAddons = true
	if c := r.Get("c"); c.AddonsKnown() || c.NodeGroupZones != 0 {
		t.Fatalf("a cluster not yet planned: %+v", c)
	}
	r.SetLayout("c", nil, 1)
	r.SetAddons("c", []string{"coredns"})
	r.SetNodeGroupZones("c", 3)
	c, err := r.Layout(ctx, conn, "c")
	if err != nil || !slices.Equal(c.Addons, []string{"coredns"}) || c.HasAddon("aws-ebs-csi-driver") || c.NodeGroupZones != 3 || srv.Calls("clusters/c/addons") != 0 {
		t.Fatalf("layout %+v, %v", c, err)
	}
	c.Addons[0] = "changed"
	if r.Get("c").Addons[0] != "coredns" {
		t.Fatal("Get returns the registry's own slice")
	}
}

// The storage and pod templates manifests declare add up; EKS's gp2 class
// binds where its first pod is scheduled, and is no claim's default.
func TestAddStorageAndWorkloads(t *testing.T) {
	r := topology.New()
	r.AddStorage("c", topology.Storage{Provisioners: map[string]string{"fast": "ebs.csi.aws.com"}, BindingModes: map[string]string{"fast": ""},
		Claims: map[string]string{"ns/data": "fast"}})
	r.AddStorage("c", topology.Storage{Claims: map[string]string{"ns/old": ""}})
	r.AddWorkloads("c", map[string]topology.Workload{"Deployment ns/web": {Namespace: "ns", Placement: "fargate:fp"}})
	c := r.Get("c")
	if c.ClaimClass("ns", "data") != "fast" || c.ClaimProvisioner("ns")("old") != "" || c.Provisioners["gp2"] != "kubernetes.io/aws-ebs" || c.ClaimClass("ns", "none") != "" ||
		c.BindingModes["fast"] != "" || c.BindingModes["gp2"] != topology.WaitForFirstConsumer || c.Workloads["Deployment ns/web"].Placement != "fargate:fp" {
		t.Fatalf("cluster %+v", c)
	}
}
