package owned

import (
	"reflect"
	"strings"
	"testing"
)

func TestRoleName(t *testing.T) {
	a := Owner{Region: "eu-west-1", Cluster: "demo"}.RoleName("node")
	b := Owner{Region: "us-east-1", Cluster: "demo"}.RoleName("node")
	if a == b || !strings.HasPrefix(a, "demo-node-") {
		t.Fatalf("role names %q and %q: want demo-node-<hash>, apart by region", a, b)
	}
	long := Owner{Region: "eu-west-1", Cluster: strings.Repeat("x", 100)}.RoleName("fargate-pod-execution")
	if len(long) != 64 {
		t.Fatalf("role name of %d characters, want IAM's 64: %q", len(long), long)
	}
}

func TestTagChanges(t *testing.T) {
	o := Owner{Region: "r", Cluster: "c", Tags: map[string]string{"a": "1", "b": "3"}}
	set, remove := o.TagChanges(map[string]string{"b": "2", "gone": "x", Tag: "r/c"})
	if !reflect.DeepEqual(set, map[string]string{"a": "1", "b": "3"}) || !reflect.DeepEqual(remove, []string{"gone"}) {
		t.Fatalf("set %v, remove %v", set, remove)
	}
	if got := o.TagsWith(map[string]string{"Name": "n"}); got[Tag] != "r/c" || got["Name"] != "n" || got["a"] != "1" {
		t.Fatalf("owned tags %v", got)
	}
}

// fargate_profile's roles: one per profile, apart by cluster and profile
// even where the names are shortened to IAM's 64 characters.
func TestProfileRoleName(t *testing.T) {
	o := Owner{Region: "eu-west-1", Cluster: "platform"}
	a, b := o.ProfileRoleName("fp-team-a"), o.ProfileRoleName("fp-team-b")
	if a == b || !strings.HasPrefix(a, "platform-fp-team-a-fp-") || a == o.RoleName("fargate-pod-execution") {
		t.Fatalf("profile role names %q, %q", a, b)
	}
	long := Owner{Region: "eu-west-1", Cluster: strings.Repeat("c", 100)}
	x, y := long.ProfileRoleName(strings.Repeat("p", 100)+"1"), long.ProfileRoleName(strings.Repeat("p", 100)+"2")
	if len(x) != 64 || x == y {
		t.Fatalf("long profile role names %q (%d), %q", x, len(x), y)
	}
}
