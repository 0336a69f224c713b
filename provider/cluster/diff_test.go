package cluster

import (
	"reflect"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

func TestDiffNodeGroups(t *testing.T) {
	base := nodeGroupSpec{InstanceTypes: []string{"t2.medium"}, DesiredSize: 1, MinSize: 1, MaxSize: 2, CapacityType: "ON_DEMAND", AMIType: "AL2023_x86_64_STANDARD", DiskSize: 20, SubnetIDs: []string{"s-1", "s-2"}}
	with := func(f func(*nodeGroupSpec)) nodeGroupSpec { s := base; f(&s); return s }
	cases := []struct {
		name    string
		planned nodeGroupSpec
		want    change
	}{
		{"unchanged", base, keep},
		{"optional fields left to EKS", with(func(s *nodeGroupSpec) { s.CapacityType, s.AMIType, s.DiskSize, s.SubnetIDs = "", "", 0, nil }), keep},
		{"scale up", with(func(s *nodeGroupSpec) { s.DesiredSize, s.MaxSize = 2, 3 }), update},
		{"labels", with(func(s *nodeGroupSpec) { s.Labels = map[string]string{"tier": "db"} }), update},
		{"instance type", with(func(s *nodeGroupSpec) { s.InstanceTypes = []string{"t3.medium"} }), replace},
		{"capacity type", with(func(s *nodeGroupSpec) { s.CapacityType = "SPOT" }), replace},
		{"disk size", with(func(s *nodeGroupSpec) { s.DiskSize = 50 }), replace},
		{"subnets", with(func(s *nodeGroupSpec) { s.SubnetIDs = []string{"s-3"} }), replace},
	}
	for _, c := range cases {
		got := diffNodeGroups(map[string]nodeGroupSpec{"ng": base, "other": base}, map[string]nodeGroupSpec{"ng": c.planned, "other": base})
		want := map[string]change{"ng": c.want, "other": keep}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", c.name, got, want)
		}
	}
	got := diffNodeGroups(map[string]nodeGroupSpec{"old": base, "kept": base}, map[string]nodeGroupSpec{"kept": base, "new": base})
	if want := map[string]change{"old": remove, "kept": keep, "new": create}; !reflect.DeepEqual(got, want) {
		t.Errorf("add/remove: got %v, want %v", got, want)
	}
}

func TestDiffProfiles(t *testing.T) {
	svc := profileSpec{Selectors: []placement.Selector{{Namespace: "tb-demo", Labels: map[string]string{"app": "service"}}}, SubnetIDs: []string{"p-1"}}
	def := profileSpec{Selectors: []placement.Selector{{Namespace: "default"}, {Namespace: "kube-system"}}}
	prior := map[string]profileSpec{"fp-default": def, "fp-demo-service": svc}

	changedLabel := profileSpec{Selectors: []placement.Selector{{Namespace: "tb-demo", Labels: map[string]string{"app": "api"}}}}
	extraSel := profileSpec{Selectors: append(append([]placement.Selector{}, def.Selectors...), placement.Selector{Namespace: "tb-demo"})}
	cases := []struct {
		name    string
		planned map[string]profileSpec
		want    map[string]change
	}{
		{"unchanged; subnets left to default", map[string]profileSpec{"fp-default": def, "fp-demo-service": {Selectors: svc.Selectors}},
			map[string]change{"fp-default": keep, "fp-demo-service": keep}},
		{"a changed label replaces that profile only", map[string]profileSpec{"fp-default": def, "fp-demo-service": changedLabel},
			map[string]change{"fp-default": keep, "fp-demo-service": replace}},
		{"a new selector replaces", map[string]profileSpec{"fp-default": extraSel, "fp-demo-service": svc},
			map[string]change{"fp-default": replace, "fp-demo-service": keep}},
		{"new subnets replace", map[string]profileSpec{"fp-default": def, "fp-demo-service": {Selectors: svc.Selectors, SubnetIDs: []string{"p-2"}}},
			map[string]change{"fp-default": keep, "fp-demo-service": replace}},
		{"add one, remove one", map[string]profileSpec{"fp-default": def, "fp-batch": {Selectors: []placement.Selector{{Namespace: "batch"}}}},
			map[string]change{"fp-default": keep, "fp-demo-service": remove, "fp-batch": create}},
	}
	for _, c := range cases {
		if got := diffProfiles(prior, c.planned); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	if got := names(map[string]change{"b": create, "a": replace, "c": keep}, create, replace); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("names = %v", got)
	}
}
