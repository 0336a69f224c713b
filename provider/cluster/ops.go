package cluster

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// OwnerTag marks every IAM role and VPC part the resource creates, with the
// value "<region>/<cluster name>". Destroy finds what to delete by it, so a
// part whose ID never reached the state (an interrupted apply) is not leaked,
// and a role or VPC the user brought is never deleted.
const OwnerTag = "fargate.terrax.io/cluster"

// ops carries what every step of a create, update or delete needs.
type ops struct {
	c    *conns.Client
	name string
	// tags are the cluster's tags_all, given to everything created.
	tags map[string]string
}

func (o *ops) owner() string { return o.c.Region + "/" + o.name }

// ownedTags are the tags of a part the resource owns: tags_all, the owner
// tag and, where given, extra ones (Name, Kubernetes discovery tags).
func (o *ops) ownedTags(extra map[string]string) map[string]string {
	t := maps.Clone(o.tags)
	if t == nil {
		t = map[string]string{}
	}
	maps.Copy(t, extra)
	t[OwnerTag] = o.owner()
	return t
}

// roleName names a created IAM role "<cluster>-<kind>-<hash>". IAM names are
// global while clusters are regional, so the hash of "<region>/<cluster>"
// keeps two same-named clusters in two regions apart; the cluster part is
// shortened to fit IAM's 64 characters.
func (o *ops) roleName(kind string) string {
	sum := sha256.Sum256([]byte(o.owner()))
	h := hex.EncodeToString(sum[:])[:8]
	name := o.name
	if keep := 64 - len(kind) - len(h) - 2; len(name) > keep {
		name = name[:keep]
	}
	return fmt.Sprintf("%s-%s-%s", name, kind, h)
}
