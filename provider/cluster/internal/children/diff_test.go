package children

import (
	"reflect"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

func TestDiffNodeGroups(t *testing.T) {
	base := NodeGroup{InstanceTypes: []string{"t2.medium"}, DesiredSize: 1, MinSize: 1, MaxSize: 2, CapacityType: "ON_DEMAND", AMIType: "AL2023_x86_64_STANDARD", DiskSize: 20, SubnetIDs: []string{"s-1", "s-2"}}
	with := func(f func(*NodeGroup)) NodeGroup { s := base; f(&s); return s }
	cases := []struct {
		name    string
		planned NodeGroup
		want    Change
	}{
		{"unchanged", base, Keep},
		{"optional fields left to EKS", with(func(s *NodeGroup) { s.CapacityType, s.AMIType, s.DiskSize, s.SubnetIDs = "", "", 0, nil }), Keep},
		{"scale up", with(func(s *NodeGroup) { s.DesiredSize, s.MaxSize = 2, 3 }), Update},
		{"labels", with(func(s *NodeGroup) { s.Labels = map[string]string{"tier": "db"} }), Update},
		{"instance type", with(func(s *NodeGroup) { s.InstanceTypes = []string{"t3.medium"} }), Replace},
		{"capacity type", with(func(s *NodeGroup) { s.CapacityType = "SPOT" }), Replace},
		{"disk size", with(func(s *NodeGroup) { s.DiskSize = 50 }), Replace},
		{"subnets", with(func(s *NodeGroup) { s.SubnetIDs = []string{"s-3"} }), Replace},
	}
	for _, c := range cases {
		got := DiffNodeGroups(map[string]NodeGroup{"ng": base, "other": base}, map[string]NodeGroup{"ng": c.planned, "other": base})
		want := map[string]Change{"ng": c.want, "other": Keep}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", c.name, got, want)
		}
	}
	got := DiffNodeGroups(map[string]NodeGroup{"old": base, "kept": base}, map[string]NodeGroup{"kept": base, "new": base})
	if want := map[string]Change{"old": Remove, "kept": Keep, "new": Create}; !reflect.DeepEqual(got, want) {
		t.Errorf("add/remove: got %v, want %v", got, want)
	}
}

func TestDiffProfiles(t *testing.T) {
	svc := Profile{Selectors: []placement.Selector{{Namespace: "tb-demo", Labels: map[string]string{"app": "service"}}}, SubnetIDs: []string{"p-1"}}
	def := Profile{Selectors: []placement.Selector{{Namespace: "default"}, {Namespace: "kube-system"}}}
	prior := map[string]Profile{"fp-default": def, "fp-demo-service": svc}

	changedLabel := Profile{Selectors: []placement.Selector{{Namespace: "tb-demo", Labels: map[string]string{"app": "api"}}}}
	extraSel := Profile{Selectors: append(append([]placement.Selector{}, def.Selectors...), placement.Selector{Namespace: "tb-demo"})}
	cases := []struct {
		name    string
		planned map[string]Profile
		want    map[string]Change
	}{
		{"unchanged; subnets left to default", map[string]Profile{"fp-default": def, "fp-demo-service": {Selectors: svc.Selectors}},
			map[string]Change{"fp-default": Keep, "fp-demo-service": Keep}},
		{"a changed label replaces that profile only", map[string]Profile{"fp-default": def, "fp-demo-service": changedLabel},
			map[string]Change{"fp-default": Keep, "fp-demo-service": Replace}},
		{"a new selector replaces", map[string]Profile{"fp-default": extraSel, "fp-demo-service": svc},
			map[string]Change{"fp-default": Replace, "fp-demo-service": Keep}},
		{"new subnets replace", map[string]Profile{"fp-default": def, "fp-demo-service": {Selectors: svc.Selectors, SubnetIDs: []string{"p-2"}}},
			map[string]Change{"fp-default": Keep, "fp-demo-service": Replace}},
		{"add one, remove one", map[string]Profile{"fp-default": def, "fp-batch": {Selectors: []placement.Selector{{Namespace: "batch"}}}},
			map[string]Change{"fp-default": Keep, "fp-demo-service": Remove, "fp-batch": Create}},
	}
	for _, c := range cases {
		if got := DiffProfiles(prior, c.planned); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	if got := Names(map[string]Change{"b": Create, "a": Replace, "c": Keep}, Create, Replace); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("names = %v", got)
	}
}

// Taints, update config and (on the resource's launch template) disk size
// change in place; disk size of a node group without it replaces it.
func TestDiffNodeGroupHardening(t *testing.T) {
	base := NodeGroup{InstanceTypes: []string{"t3.medium"}, DesiredSize: 1, MinSize: 1, MaxSize: 2, DiskSize: 20, LaunchTemplateID: "lt-1"}
	taint, cfg, disk, legacy := base, base, base, base
	taint.Taints = []Taint{{Key: "gpu", Effect: "NO_SCHEDULE"}}
	cfg.UpdateConfig = UpdateConfig{MaxUnavailablePercentage: 50}
	disk.DiskSize = 40
	legacy.LaunchTemplateID = ""
	disk2 := legacy
	disk2.DiskSize = 40
	for _, c := range []struct {
		old, new NodeGroup
		want     Change
	}{{base, taint, Update}, {base, cfg, Update}, {base, disk, Update}, {legacy, disk2, Replace}, {base, base, Keep}} {
		if got := DiffNodeGroups(map[string]NodeGroup{"ng": c.old}, map[string]NodeGroup{"ng": c.new})["ng"]; got != c.want {
			t.Errorf("%+v -> %+v: %s, want %s", c.old, c.new, got, c.want)
		}
	}
}
