// Package owned holds the rules by which fargate_cluster marks and names
// what it creates: the owner tag, the tags of an owned part, the IAM role
// names, and how tags change. Destroy finds what to delete by these rules,
// so they live in one place.
package owned

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"sort"
)

// Tag marks every IAM role and VPC part the resource creates, with the
// value "<region>/<cluster name>". Destroy finds what to delete by it, so a
// part whose ID never reached the state (an interrupted apply) is not leaked,
// and a role or VPC the user brought is never deleted.
const Tag = "fargate.terrax.io/cluster"

// Owner is one fargate_cluster: its region, its name and its tags_all,
// given to everything it creates.
type Owner struct {
	Region, Cluster string
	Tags            map[string]string
}

// Value is the owner tag's value.
func (o Owner) Value() string { return o.Region + "/" + o.Cluster }

// TagsWith are the tags of a part the resource owns: tags_all, the owner
// tag and, where given, extra ones (Name, Kubernetes discovery tags).
func (o Owner) TagsWith(extra map[string]string) map[string]string {
	t := maps.Clone(o.Tags)
	if t == nil {
		t = map[string]string{}
	}
	maps.Copy(t, extra)
	t[Tag] = o.Value()
	return t
}

// RoleName names a created IAM role "<cluster>-<kind>-<hash>". IAM names are
// global while clusters are regional, so the hash of "<region>/<cluster>"
// keeps two same-named clusters in two regions apart; the cluster part is
// shortened to fit IAM's 64 characters.
func (o Owner) RoleName(kind string) string {
	sum := sha256.Sum256([]byte(o.Value()))
	h := hex.EncodeToString(sum[:])[:8]
	name := o.Cluster
	if keep := 64 - len(kind) - len(h) - 2; len(name) > keep {
		name = name[:keep]
	}
	return fmt.Sprintf("%s-%s-%s", name, kind, h)
}

// ProfileRoleName names the pod execution role fargate_profile makes for
// profile: "<cluster>-<profile>-fp-<hash>", the hash of
// "<region>/<cluster>/<profile>" keeping apart names shortened to fit
// IAM's 64 characters.
func (o Owner) ProfileRoleName(profile string) string {
	sum := sha256.Sum256([]byte(o.Value() + "/" + profile))
	h := hex.EncodeToString(sum[:])[:8]
	name := o.Cluster + "-" + profile
	if keep := 64 - len("-fp-") - len(h); len(name) > keep {
		name = name[:keep]
	}
	return fmt.Sprintf("%s-fp-%s", name, h)
}

// TagChanges lists what turns the tags old into tags_all: tags to set and
// keys to remove. The owner tag is never removed.
func (o Owner) TagChanges(old map[string]string) (map[string]string, []string) {
	set, remove := MapChanges(old, o.Tags)
	return set, slices.DeleteFunc(remove, func(k string) bool { return k == Tag })
}

// MapChanges lists what turns map old into new (tags, labels): entries to
// set (nil when none) and keys to remove.
func MapChanges(old, new map[string]string) (map[string]string, []string) {
	var set map[string]string
	for k, v := range new {
		if ov, ok := old[k]; !ok || ov != v {
			if set == nil {
				set = map[string]string{}
			}
			set[k] = v
		}
	}
	var remove []string
	for k := range old {
		if _, ok := new[k]; !ok {
			remove = append(remove, k)
		}
	}
	sort.Strings(remove)
	return set, remove
}
