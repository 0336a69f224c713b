package controlplane

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekstest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
)

// EKS keeps the name of a cluster being deleted until it is gone
// ("Cluster already exists with name"): the create waits for the old
// cluster to go and creates again, rather than taking the DELETING cluster
// for one an interrupted apply made.
func TestCreate_waitsForADeletingClusterOfTheSameName(t *testing.T) {
	creates, describes := 0, 0
	conn, _ := ekstest.New(t, func(path []string, _ url.Values) ekstest.Reply {
		cluster := func(status string) ekstest.Reply {
			return ekstest.Reply{Body: map[string]any{"cluster": map[string]any{"name": "c", "status": status,
				"tags": map[string]string{owned.Tag: owned.Owner{Cluster: "c"}.Value()}}}}
		}
		if len(path) == 1 { // CreateCluster
			creates++
			if creates == 1 {
				return ekstest.Error(http.StatusConflict, "ResourceInUseException", "Cluster already exists with name: c")
			}
			return cluster("CREATING")
		}
		describes++
		switch {
		case creates == 1 && describes <= 2:
			return cluster("DELETING")
		case creates == 1:
			return ekstest.NotFound("cluster c")
		}
		return cluster("ACTIVE")
	})
	fast := wait.Fixed(time.Millisecond)
	cp := New(&conns.Client{EKS: conn, Timing: conns.Timing{Poll: fast, Retry: fast, Propagation: fast}}, owned.Owner{Cluster: "c"})
	ob := observed.New()
	if err := cp.Create(context.Background(), ob, "1.35", Access{Public: true}); err != nil {
		t.Fatal(err)
	}
	if creates != 2 || aws.ToString(ob.Cluster().Name) != "c" || ob.Cluster().Status != "ACTIVE" {
		t.Fatalf("%d CreateCluster calls, recorded %+v; want the cluster created again once the old one was gone", creates, ob.Cluster())
	}
}
