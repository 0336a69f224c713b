package observed

import (
	"fmt"
	"sync"
	"testing"

	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/network"
)

// Steps record in parallel while others read: readers get copies that the
// writers do not change afterwards (run with -race).
func TestRecord_parallelStepsAndCopies(t *testing.T) {
	r := New()
	r.SetNetwork(network.State{Private: []string{"subnet-1"}})
	n := r.Network()
	n.Private[0] = "changed by a reader"
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprint("ng-", i)
			r.SetNodegroup(name, &ekstypes.Nodegroup{})
			_ = r.Snapshot()
			r.UpdateRoles(func(ro *Roles) { ro.Node = name })
		}()
	}
	wg.Wait()
	s := r.Snapshot()
	if len(s.NodeGroups) != 8 || s.Roles.Node == "" || s.Network.Private[0] != "subnet-1" {
		t.Fatalf("snapshot %+v", s)
	}
	r.SetNodegroup("ng-0", nil)
	if len(s.NodeGroups) != 8 || len(r.Nodegroups()) != 7 {
		t.Fatal("a snapshot changed with the record")
	}
}
