package children

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekstest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// A profile whose name is held by one being deleted ("already exists"
// while it is DELETING) is made again once the old one is gone, rather
// than taken for one an interrupted apply made.
func TestCreateProfile_afterItsPredecessorIsGone(t *testing.T) {
	inUse := ekstest.Error(409, "ResourceInUseException", "A Fargate Profile already exists with this name in this cluster.")
	creates, describes := 0, 0
	conn, _ := ekstest.New(t, func(path []string, _ url.Values) ekstest.Reply {
		if len(path) == 3 { // CreateFargateProfile
			creates++
			if creates == 1 {
				return inUse
			}
			return ekstest.ProfileIn("CREATING", "fp", "apps")
		}
		describes++
		switch {
		case creates == 1 && describes <= 2:
			return ekstest.ProfileIn("DELETING", "fp", "old")
		case creates == 1:
			return ekstest.NotFound("Fargate profile fp")
		}
		return ekstest.Profile("fp", "apps")
	})
	fast := wait.Fixed(time.Millisecond)
	ch := New(&conns.Client{EKS: conn, Timing: conns.Timing{Poll: fast, Retry: fast, ProfileTurn: fast, Propagation: fast}}, owned.Owner{Cluster: "c"})
	ob := observed.New()
	if err := ch.createProfile(context.Background(), ch.c, ob, "fp", Profile{Selectors: []placement.Selector{{Namespace: "apps"}}, SubnetIDs: []string{"subnet-1"}}); err != nil {
		t.Fatal(err)
	}
	if fp := ob.Snapshot().Profiles["fp"]; creates != 2 || fp == nil || string(fp.Status) != "ACTIVE" || *fp.Selectors[0].Namespace != "apps" {
		t.Fatalf("%d creates, recorded %+v; want the profile made again once the DELETING one was gone", creates, fp)
	}
}
