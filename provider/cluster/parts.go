package cluster

import (
	"context"

	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/addons"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/controlplane"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/incluster"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/network"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/oidc"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/owned"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/roles"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// OwnerTag marks every IAM role and VPC part the resource creates (see
// owned.Tag, where the owner rules live).
const OwnerTag = owned.Tag

// The parts of a cluster, each owned by one package under internal/, as
// the orchestration (tasks.go) calls them.

// networkPart is the VPC, or the subnets the user brought.
type networkPart interface {
	Ensure(ctx context.Context, want network.State, record func(network.State)) error
	Route(ctx context.Context, want network.State, record func(network.State)) error
	Discover(ctx context.Context, clusterSubnets []string) (network.State, error)
	UpdateTags(ctx context.Context, old map[string]string) error
	Leftovers(ctx context.Context) ([]string, error)
	DeleteNAT(ctx context.Context) error
	Delete(ctx context.Context) error
}

// rolesPart is the IAM roles the resource makes.
type rolesPart interface {
	Ensure(ctx context.Context, k roles.Kind) (arn string, err error)
	EnsureIRSA(ctx context.Context, k roles.Kind, oidcARN, issuer, namespace, sa string) (arn string, err error)
	Delete(ctx context.Context, k roles.Kind) error
	MadeAndGone(ctx context.Context, k roles.Kind, arn string) (bool, error)
	UpdateTags(ctx context.Context, old map[string]string) error
	Leftovers(ctx context.Context) ([]string, error)
	DeleteAll(ctx context.Context) error
}

// controlPlanePart is the EKS cluster itself.
type controlPlanePart interface {
	Create(ctx context.Context, ob *observed.Record, version string, access controlplane.Access) error
	Find(ctx context.Context) (*ekstypes.Cluster, error)
	Refresh(ctx context.Context, ob *observed.Record) error
	Settle(ctx context.Context, ob *observed.Record) error
	UpdateAccess(ctx context.Context, ob *observed.Record, access controlplane.Access) error
	UpdateTags(ctx context.Context, ob *observed.Record, old map[string]string) error
	UpgradeVersion(ctx context.Context, ob *observed.Record, version string) error
	Delete(ctx context.Context) error
}

// childrenPart is the node groups and Fargate profiles.
type childrenPart interface {
	Change(ctx context.Context, ob *observed.Record, old, new children.Set, afterProfiles ...func() error) error
	Observe(ctx context.Context, ob *observed.Record) error
	Settle(ctx context.Context, ob *observed.Record) error
	UpgradeNodegroups(ctx context.Context, ob *observed.Record, version string) error
	DeleteAllNodegroups(ctx context.Context) error
	DeleteAllProfiles(ctx context.Context) error
}

// inClusterPart is the work inside Kubernetes.
type inClusterPart interface {
	PlaceCoreDNS(ctx context.Context, ob *observed.Record, target string) error
}

// addonsPart is the EKS managed add-ons and Pod Identity associations.
type addonsPart interface {
	Apply(ctx context.Context, ob *observed.Record, old, want addons.Set, k8s string) error
	Observe(ctx context.Context, ob *observed.Record) error
	Associate(ctx context.Context, namespace, sa, roleARN string) error
	Disassociate(ctx context.Context, namespace, sa string) error
}

// oidcPart is the cluster's IAM OIDC provider.
type oidcPart interface {
	Ensure(ctx context.Context, issuer string) (arn string, err error)
	Find(ctx context.Context, issuer string) (arn string, err error)
	UpdateTags(ctx context.Context, old map[string]string) error
	Leftovers(ctx context.Context) ([]string, error)
	Delete(ctx context.Context) error
}

// run is one operation (create, read, update, delete) on one cluster.
type run struct {
	name         string
	owner        owned.Owner
	network      networkPart
	roles        rolesPart
	controlPlane controlPlanePart
	children     childrenPart
	inCluster    inClusterPart
	addons       addonsPart
	oidc         oidcPart
	// made are the ARNs of the roles this operation made and needs no
	// second look at (for the steps that follow one another).
	made []string
}

// newRun wires the parts of the cluster name, whose tags_all are tags.
func newRun(c *conns.Client, name string, tags map[string]string) *run {
	owner := owned.Owner{Region: c.Region, Cluster: name, Tags: tags}
	work := incluster.New(c, owner)
	return &run{
		name:         name,
		owner:        owner,
		network:      network.New(c, owner, work),
		roles:        roles.New(c, owner),
		controlPlane: controlplane.New(c, owner),
		children:     children.New(c, owner),
		inCluster:    work,
		addons:       addons.New(c, owner),
		oidc:         oidc.New(c, owner),
	}
}
