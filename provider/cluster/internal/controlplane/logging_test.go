package controlplane

import (
	"slices"
	"testing"

	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
)

// Logging turns the other types off explicitly: EKS keeps a type's setting
// until told otherwise.
func TestLogging(t *testing.T) {
	l := Logging([]string{"audit", "api"})
	c := &ekstypes.Cluster{Logging: l}
	if got := EnabledLogTypes(c); !slices.Equal(got, []string{"api", "audit"}) {
		t.Fatalf("enabled %v", got)
	}
	if len(l.ClusterLogging) != 2 || *l.ClusterLogging[1].Enabled || len(l.ClusterLogging[1].Types) != 3 {
		t.Fatalf("logging %+v, want the three other types off", l.ClusterLogging)
	}
	if off := Logging(nil); len(off.ClusterLogging) != 1 || *off.ClusterLogging[0].Enabled || EnabledLogTypes(&ekstypes.Cluster{Logging: off}) != nil {
		t.Fatalf("no type: %+v", off.ClusterLogging)
	}
}
