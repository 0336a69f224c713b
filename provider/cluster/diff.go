package cluster

import (
	"maps"
	"slices"
)

// change is what an apply does to one node group or Fargate profile.
type change int

const (
	keep    change = iota
	update         // in place (node group scaling or labels)
	replace        // delete, then create under the same name
	create
	remove
)

func (c change) String() string {
	return [...]string{"keep", "update", "replace", "create", "remove"}[c]
}

// diffNodeGroups decides, per node group name, what turns prior into
// planned. Optional fields left to EKS (empty in planned) never force a
// replacement; what EKS cannot change in place does.
func diffNodeGroups(prior, planned map[string]nodeGroupSpec) map[string]change {
	return diff(prior, planned, func(old, p nodeGroupSpec) change {
		switch {
		case nodeGroupNeedsReplace(old, p):
			return replace
		case old.DesiredSize != p.DesiredSize || old.MinSize != p.MinSize || old.MaxSize != p.MaxSize ||
			!maps.Equal(old.Labels, p.Labels):
			return update
		}
		return keep
	})
}

// diff classifies every name of prior and planned: created, removed, or
// what compare says of an entry in both.
func diff[T any](prior, planned map[string]T, compare func(old, new T) change) map[string]change {
	out := map[string]change{}
	for name, p := range planned {
		if old, ok := prior[name]; ok {
			out[name] = compare(old, p)
		} else {
			out[name] = create
		}
	}
	for name := range prior {
		if _, ok := planned[name]; !ok {
			out[name] = remove
		}
	}
	return out
}

func nodeGroupNeedsReplace(old, p nodeGroupSpec) bool {
	changed := func(o, n string) bool { return n != "" && o != n }
	return !slices.Equal(old.InstanceTypes, p.InstanceTypes) ||
		changed(old.CapacityType, p.CapacityType) ||
		changed(old.AMIType, p.AMIType) ||
		(p.DiskSize != 0 && old.DiskSize != p.DiskSize) ||
		(p.SubnetIDs != nil && !slices.Equal(old.SubnetIDs, p.SubnetIDs))
}

// diffProfiles decides, per Fargate profile name, what turns prior into
// planned. EKS profiles are immutable: any change replaces the profile.
func diffProfiles(prior, planned map[string]profileSpec) map[string]change {
	return diff(prior, planned, func(old, p profileSpec) change {
		if !selectorsEqual(old, p) || (p.SubnetIDs != nil && !slices.Equal(old.SubnetIDs, p.SubnetIDs)) {
			return replace
		}
		return keep
	})
}

func selectorsEqual(a, b profileSpec) bool {
	if len(a.Selectors) != len(b.Selectors) {
		return false
	}
	for i := range a.Selectors {
		if a.Selectors[i].Namespace != b.Selectors[i].Namespace || !maps.Equal(a.Selectors[i].Labels, b.Selectors[i].Labels) {
			return false
		}
	}
	return true
}

// names returns, sorted, the names whose change is one of cs.
func names(changes map[string]change, cs ...change) []string {
	var out []string
	for _, n := range slices.Sorted(maps.Keys(changes)) {
		if slices.Contains(cs, changes[n]) {
			out = append(out, n)
		}
	}
	return out
}
