package finder_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekstest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
)

var ctx = context.Background()

func TestCluster_notFoundIsTyped(t *testing.T) {
	conn, _ := ekstest.New(t, func([]string, url.Values) ekstest.Reply { return ekstest.NotFound("cluster c") })
	_, err := finder.Cluster(ctx, conn, "c")
	var nf *apierr.NotFoundError
	if !errors.As(err, &nf) || nf.What != `EKS cluster "c"` {
		t.Fatalf("want *apierr.NotFoundError naming the cluster, got %T %v", err, err)
	}
}

func TestFargateProfile_serverErrorIsNotNotFound(t *testing.T) {
	conn, _ := ekstest.New(t, func([]string, url.Values) ekstest.Reply {
		return ekstest.Error(http.StatusInternalServerError, "ServerException", "boom")
	})
	_, err := finder.FargateProfile(ctx, conn, "c", "fp")
	if err == nil || apierr.NotFound(err) {
		t.Fatalf("want a plain error, got %v", err)
	}
}

func TestFargateProfiles_everyPage(t *testing.T) {
	conn, _ := ekstest.New(t, func(path []string, q url.Values) ekstest.Reply {
		if !slices.Equal(path, []string{"clusters", "c", "fargate-profiles"}) {
			return ekstest.NotFound(path[len(path)-1])
		}
		if q.Get("nextToken") == "" {
			return ekstest.Names("fargateProfileNames", []string{"fp-a", "fp-b"}, "page-2")
		}
		return ekstest.Names("fargateProfileNames", []string{"fp-c"}, "")
	})
	names, err := finder.FargateProfiles(ctx, conn, "c")
	if err != nil || !slices.Equal(names, []string{"fp-a", "fp-b", "fp-c"}) {
		t.Fatalf("got %v, %v; want the names of both pages", names, err)
	}
}

func TestDescribedFargateProfiles_leavesOutWhatVanished(t *testing.T) {
	conn, _ := ekstest.New(t, func(path []string, _ url.Values) ekstest.Reply {
		switch {
		case len(path) == 3:
			return ekstest.Names("fargateProfileNames", []string{"fp-a", "fp-gone"}, "")
		case path[3] == "fp-a":
			return ekstest.Profile("fp-a", "a")
		}
		return ekstest.NotFound(path[3])
	})
	fps, err := finder.DescribedFargateProfiles(ctx, conn, "c")
	if err != nil || len(fps) != 1 || *fps[0].FargateProfileName != "fp-a" {
		t.Fatalf("got %v, %v; want fp-a only", fps, err)
	}
}

func TestAddons_everyPageAndClusterGone(t *testing.T) {
	conn, _ := ekstest.New(t, func(path []string, q url.Values) ekstest.Reply {
		switch {
		case path[1] == "gone":
			return ekstest.NotFound("cluster gone")
		case q.Get("nextToken") == "":
			return ekstest.Names("addons", []string{"coredns"}, "page-2")
		}
		return ekstest.Names("addons", []string{"vpc-cni"}, "")
	})
	names, err := finder.Addons(ctx, conn, "c")
	if err != nil || !slices.Equal(names, []string{"coredns", "vpc-cni"}) {
		t.Fatalf("got %v, %v; want the names of both pages", names, err)
	}
	if _, err := finder.Addons(ctx, conn, "gone"); !apierr.NotFound(err) {
		t.Fatalf("a cluster deleted meanwhile: want not found, got %v", err)
	}
	if _, err := finder.Addon(ctx, conn, "gone", "coredns"); !apierr.NotFound(err) {
		t.Fatalf("want not found, got %v", err)
	}
}
