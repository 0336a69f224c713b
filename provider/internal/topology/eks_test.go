package topology_test

import (
	"context"
	"net/url"
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
