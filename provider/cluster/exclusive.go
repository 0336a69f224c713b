package cluster

import (
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
)

// exclusive_fargate_profiles: whether the resource manages every Fargate
// profile of its cluster (the default), or only those it made, so that
// others (fargate_profile, eksctl, another team's configuration) may add
// profiles to a cluster it owns.

func exclusiveProfilesAttribute() schema.BoolAttribute {
	return boolDefault(true, "Whether the resource manages every Fargate profile of its cluster. `true` (default): a "+
		"profile made outside this resource shows in the next plan as one to remove, and the apply deletes it. `false`: the "+
		"resource manages only the profiles it made (they carry its owner tag `"+owned.Tag+"`) and leaves the others alone, so "+
		"`fargate_profile` resources (in this configuration or another) can add profiles to the cluster without a "+
		"diff here; `fargate_manifest`'s plan-time placement then counts the profiles that exist on the cluster too. "+
		"Destroying the cluster deletes all its profiles either way, as EKS requires.")
}

// exclusiveProfiles reads the attribute; null (an import, a state from
// before it existed) is its default.
func exclusiveProfiles(m clusterModel) bool {
	return m.ExclusiveFargateProfiles.IsNull() || m.ExclusiveFargateProfiles.IsUnknown() || m.ExclusiveFargateProfiles.ValueBool()
}

// withExclusiveDefault gives a state without the attribute (an import, a
// state written before it existed) its default, so that the next plan
// shows no change for it.
func withExclusiveDefault(m clusterModel) clusterModel {
	if m.ExclusiveFargateProfiles.IsNull() {
		m.ExclusiveFargateProfiles = types.BoolValue(true)
	}
	return m
}

// leaveForeignProfiles drops from ob the profiles the cluster did not make:
// those without its owner tag that m does not name (a profile this resource
// made before it tagged its profiles is still named in its state).
func leaveForeignProfiles(ob *observed.Record, owner owned.Owner, m types.Map) {
	for name, fp := range ob.Profiles() {
		if _, named := m.Elements()[name]; !named && !ownedProfile(fp, owner) {
			ob.SetProfile(name, nil)
		}
	}
}

func ownedProfile(fp *ekstypes.FargateProfile, owner owned.Owner) bool {
	return fp != nil && fp.Tags[owned.Tag] == owner.Value()
}

// leaveForeignInUpdate is leaveForeignProfiles for an update that turns
// exclusive_fargate_profiles off: the state still lists the foreign
// profiles its last refresh saw, and they must not be deleted.
func leaveForeignInUpdate(ob *observed.Record, owner owned.Owner, plan clusterModel, old *children.Set) {
	if exclusiveProfiles(plan) {
		return
	}
	leaveForeignProfiles(ob, owner, plan.FargateProfiles)
	kept := ob.Profiles()
	for name := range old.Profiles {
		if _, ok := kept[name]; !ok {
			delete(old.Profiles, name)
		}
	}
}
