package children

import (
	"maps"
	"slices"
)

// Change is what an apply does to one node group or Fargate profile.
type Change int

const (
	Keep    Change = iota
	Update         // in place (node group scaling or labels)
	Replace        // delete, then create under the same name
	Create
	Remove
)

func (c Change) String() string {
	return [...]string{"keep", "update", "replace", "create", "remove"}[c]
}

// DiffNodeGroups decides, per node group name, what turns prior into
// planned. Optional fields left to EKS (empty in planned) never force a
// replacement; what EKS cannot change in place does.
func DiffNodeGroups(prior, planned map[string]NodeGroup) map[string]Change {
	return diff(prior, planned, func(old, p NodeGroup) Change {
		switch {
		case nodeGroupNeedsReplace(old, p):
			return Replace
		case old.DesiredSize != p.DesiredSize || old.MinSize != p.MinSize || old.MaxSize != p.MaxSize ||
			!maps.Equal(old.Labels, p.Labels) || hardeningChanged(old, p):
			return Update
		}
		return Keep
	})
}

// diff classifies every name of prior and planned: created, removed, or
// what compare says of an entry in both.
func diff[T any](prior, planned map[string]T, compare func(old, new T) Change) map[string]Change {
	out := map[string]Change{}
	for name, p := range planned {
		if old, ok := prior[name]; ok {
			out[name] = compare(old, p)
		} else {
			out[name] = Create
		}
	}
	for name := range prior {
		if _, ok := planned[name]; !ok {
			out[name] = Remove
		}
	}
	return out
}

func nodeGroupNeedsReplace(old, p NodeGroup) bool {
	changed := func(o, n string) bool { return n != "" && o != n }
	return !slices.Equal(old.InstanceTypes, p.InstanceTypes) ||
		changed(old.CapacityType, p.CapacityType) ||
		changed(old.AMIType, p.AMIType) ||
		(p.DiskSize != 0 && old.DiskSize != p.DiskSize && !DiskSizeRolls(old, p)) ||
		(p.SubnetIDs != nil && !slices.Equal(old.SubnetIDs, p.SubnetIDs))
}

// DiffProfiles decides, per Fargate profile name, what turns prior into
// planned. EKS profiles are immutable: any change replaces the profile.
func DiffProfiles(prior, planned map[string]Profile) map[string]Change {
	return diff(prior, planned, func(old, p Profile) Change {
		if !selectorsEqual(old, p) || (p.SubnetIDs != nil && !slices.Equal(old.SubnetIDs, p.SubnetIDs)) {
			return Replace
		}
		return Keep
	})
}

func selectorsEqual(a, b Profile) bool {
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

// Names returns, sorted, the names whose change is one of cs.
func Names(changes map[string]Change, cs ...Change) []string {
	var out []string
	for _, n := range slices.Sorted(maps.Keys(changes)) {
		if slices.Contains(cs, changes[n]) {
			out = append(out, n)
		}
	}
	return out
}
