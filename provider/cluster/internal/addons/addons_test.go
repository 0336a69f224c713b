package addons

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekstest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
)

// After the control plane went to 1.36, an add-on whose version EKS chose
// goes to EKS's default for 1.36 (UpdateAddon, then its update and the
// add-on waited for); one with a configured version stays.
func TestApply_versionFollowsKubernetes(t *testing.T) {
	for _, c := range []struct {
		name, configured, want string
		updates                int
	}{
		{"follows", "", "v1.36.1-eksbuild.1", 1},
		{"configured", "v1.35.0-eksbuild.2", "v1.35.0-eksbuild.2", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			version := "v1.35.0-eksbuild.2"
			conn, srv := ekstest.New(t, func(path []string, q url.Values) ekstest.Reply {
				switch {
				case len(path) == 2 && path[1] == "supported-versions":
					if q.Get("kubernetesVersion") != "1.36" || q.Get("addonName") != "kube-proxy" {
						t.Errorf("DescribeAddonVersions asked %v", q)
					}
					return ekstest.Reply{Body: map[string]any{"addons": []any{map[string]any{"addonName": "kube-proxy", "addonVersions": []any{
						map[string]any{"addonVersion": "v1.36.3-eksbuild.1", "compatibilities": []any{map[string]any{"clusterVersion": "1.36"}}},
						map[string]any{"addonVersion": "v1.36.1-eksbuild.1", "compatibilities": []any{map[string]any{"clusterVersion": "1.36", "defaultVersion": true}}},
					}}}}}
				case len(path) == 5 && path[4] == "update":
					version = "v1.36.1-eksbuild.1"
					return ekstest.Reply{Body: map[string]any{"update": map[string]any{"id": "u-1", "status": "Successful"}}}
				case len(path) == 4 && path[2] == "addons":
					return ekstest.Reply{Body: map[string]any{"addon": map[string]any{"addonName": path[3], "addonVersion": version, "status": "ACTIVE"}}}
				}
				t.Errorf("unexpected call %v", path)
				return ekstest.NotFound("call")
			})
			fast := wait.Fixed(time.Millisecond)
			p := New(&conns.Client{EKS: conn, Timing: conns.Timing{Poll: fast, Retry: fast, Propagation: fast}}, owned.Owner{Cluster: "c"})
			ob := observed.New()
			if err := p.Apply(context.Background(), ob, nil, Set{"kube-proxy": {Version: c.configured}}, "1.36"); err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(ob.Snapshot().Addons["kube-proxy"].AddonVersion); got != c.want {
				t.Errorf("kube-proxy at %s, want %s", got, c.want)
			}
			if n := srv.Calls("clusters/c/addons/kube-proxy/update"); n != c.updates {
				t.Errorf("%d UpdateAddon calls, want %d", n, c.updates)
			}
		})
	}
}

// A new add-on ACTIVE is installed; one that ends CREATE_FAILED fails with
// EKS's reason; in a cluster with a node group, one that stays DEGRADED
// (its pods cannot run) fails once the grace is over, saying what to do,
// and is not recorded as installed, and one DEGRADED for a moment (its pods
// starting) is waited for; in a cluster with no node group and no profile
// one DEGRADED is installed, with a warning.
func TestApply_createSettles(t *testing.T) {
	for _, c := range []struct {
		name     string
		statuses []string // the add-on's statuses after CreateAddon; the last one stays
		wantErr  string
		recorded string
		compute  bool
	}{
		{"ACTIVE", []string{"ACTIVE"}, "", "ACTIVE", true},
		{"CREATE_FAILED", []string{"CREATE_FAILED"}, "is CREATE_FAILED (InsufficientNumberOfReplicas: no node)", "CREATE_FAILED", true},
		{"DEGRADED", []string{"CREATING", "DEGRADED"}, "is DEGRADED (InsufficientNumberOfReplicas: no node): CoreDNS's pods have nowhere to run", "", true},
		{"DEGRADED then ACTIVE", []string{"DEGRADED", "DEGRADED", "ACTIVE"}, "", "ACTIVE", true},
		{"DEGRADED without compute", []string{"CREATING", "DEGRADED"}, "", "DEGRADED", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			created, reads := false, 0
			conn, _ := ekstest.New(t, func(path []string, _ url.Values) ekstest.Reply {
				switch {
				case len(path) == 3: // CreateAddon
					created = true
					return ekstest.Reply{Body: map[string]any{"addon": map[string]any{"addonName": "coredns", "status": "CREATING"}}}
				case !created:
					return ekstest.NotFound("add-on coredns")
				}
				status := c.statuses[min(reads, len(c.statuses)-1)]
				reads++
				return ekstest.Reply{Body: map[string]any{"addon": map[string]any{"addonName": "coredns", "addonVersion": "v1", "status": status,
					"health": map[string]any{"issues": []any{map[string]any{"code": "InsufficientNumberOfReplicas", "message": "no node"}}}}}}
			})
			fast := wait.Fixed(time.Millisecond)
			p := New(&conns.Client{EKS: conn, Timing: conns.Timing{Poll: fast, Retry: fast, Propagation: fast}}, owned.Owner{Cluster: "c"})
			p.grace = 50 * time.Millisecond
			if c.name == "DEGRADED then ACTIVE" {
				p.grace = time.Minute
			}
			ob := observed.New()
			if c.compute {
				ob.SetNodegroup("ng", &ekstypes.Nodegroup{})
			}
			err := p.Apply(context.Background(), ob, nil, Set{"coredns": {}}, "1.35")
			if w := ob.Warnings(); (len(w) == 1) != (c.recorded == "DEGRADED") || (len(w) == 1 && !strings.Contains(w[0].Detail, "no node group and no Fargate profile")) {
				t.Errorf("warnings %v", w)
			}
			if (err != nil) != (c.wantErr != "") || (err != nil && !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("Apply: %v, want an error with %q", err, c.wantErr)
			}
			a := ob.Snapshot().Addons["coredns"]
			if (a == nil) != (c.recorded == "") || (a != nil && string(a.Status) != c.recorded) {
				t.Fatalf("recorded %v, want %q", a, c.recorded)
			}
		})
	}
}

// A Pod Identity association of a role IAM has not propagated yet is
// refused by EKS ("Role provided in the request does not exist") and retried.
func TestAssociate_retriesWhileTheRolePropagates(t *testing.T) {
	refusals := 2
	conn, srv := ekstest.New(t, func(path []string, q url.Values) ekstest.Reply {
		if q.Get("namespace") != "" { // ListPodIdentityAssociations
			return ekstest.Reply{Body: map[string]any{"associations": []any{}}}
		}
		if refusals > 0 {
			refusals--
			return ekstest.Error(400, "InvalidParameterException", "Role provided in the request does not exist")
		}
		return ekstest.Reply{Body: map[string]any{"association": map[string]any{"associationId": "a-12345678901234567"}}}
	})
	fast := wait.Fixed(time.Millisecond)
	p := New(&conns.Client{EKS: conn, Timing: conns.Timing{Poll: fast, Retry: fast, Propagation: fast}}, owned.Owner{Cluster: "c"})
	if err := p.Associate(context.Background(), "kube-system", "ebs-csi-controller-sa", "arn:aws:iam::123456789012:role/ebs"); err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("clusters/c/pod-identity-associations"); n < 3 {
		t.Fatalf("%d calls to the associations, want the 2 refusals retried", n)
	}
}
