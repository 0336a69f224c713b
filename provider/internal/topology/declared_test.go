package topology_test

import (
	"slices"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/internal/ekstest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/topology"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

func names(ps []placement.Profile) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// A profile that fargate_profile plans counts before it exists: with the
// cluster's planned layout, and with the one read from EKS.
func TestLayout_declaredProfilesCount(t *testing.T) {
	conn, _ := ekstest.New(t, fake)
	r := topology.New()
	r.SetLayout("planned", []placement.Profile{{Name: "fp-own"}}, 0)
	r.AddProfile("planned", placement.Profile{Name: "fp-team", Selectors: []placement.Selector{{Namespace: "team"}}})
	r.AddProfile("c", placement.Profile{Name: "fp-team"})
	r.AddProfile("c", placement.Profile{Name: "fp-a"}) // exists too: counted once
	for cluster, want := range map[string][]string{"planned": {"fp-own", "fp-team"}, "c": {"fp-a", "fp-b", "fp-team"}} {
		c, err := r.Layout(ctx, conn, cluster)
		if err != nil || !c.Known || !slices.Equal(names(c.Profiles), want) {
			t.Fatalf("layout of %s: %v (%v), want profiles %v", cluster, names(c.Profiles), err, want)
		}
	}
	if p := r.Get("planned").Profiles[1]; p.Selectors[0].Namespace != "team" {
		t.Fatalf("declared profile %+v", p)
	}
}

// A cluster planned without exclusive profiles counts those others made
// (as EKS has them, read once), beside its own.
func TestLayout_sharedClusterCountsExistingProfiles(t *testing.T) {
	conn, srv := ekstest.New(t, fake)
	r := topology.New()
	r.SetLayout("c", []placement.Profile{{Name: "fp-own"}}, 1)
	r.SetShared("c", true)
	for range 2 {
		c, err := r.Layout(ctx, conn, "c")
		if err != nil || !slices.Equal(names(c.Profiles), []string{"fp-own", "fp-a", "fp-b"}) || c.NodeGroups != 1 {
			t.Fatalf("layout %v %d, %v", names(c.Profiles), c.NodeGroups, err)
		}
	}
	if n := srv.Calls("clusters/c/fargate-profiles"); n != 2 { // two pages, once
		t.Fatalf("EKS listed the profiles %d times", n)
	}
	if r.Exclusive("c") {
		t.Fatal("a shared cluster is exclusive")
	}
	exclusive := topology.New()
	exclusive.SetLayout("c", []placement.Profile{{Name: "fp-own"}}, 1)
	exclusive.SetShared("c", false)
	if c, _ := exclusive.Layout(ctx, conn, "c"); !slices.Equal(names(c.Profiles), []string{"fp-own"}) || !exclusive.Exclusive("c") {
		t.Fatalf("an exclusive cluster's layout: %v", names(c.Profiles))
	}
}
