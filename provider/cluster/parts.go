package cluster

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/access"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/addons"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/controlplane"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/encryption"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/fargatelogging"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/incluster"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/launchtemplate"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/lbcontroller"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/logging"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/network"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/oidc"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
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
	Create(ctx context.Context, ob *observed.Record, version string, access controlplane.Access, more ...func(*eks.CreateClusterInput)) error
	Find(ctx context.Context) (*ekstypes.Cluster, error)
	Refresh(ctx context.Context, ob *observed.Record) error
	Settle(ctx context.Context, ob *observed.Record) error
	UpdateAccess(ctx context.Context, ob *observed.Record, access controlplane.Access) error
	UpdateTags(ctx context.Context, ob *observed.Record, old map[string]string) error
	UpgradeVersion(ctx context.Context, ob *observed.Record, version string) error
	UpdateLogging(ctx context.Context, ob *observed.Record, types []string) error
	AssociateEncryption(ctx context.Context, ob *observed.Record, key string) error
	Delete(ctx context.Context) error
}

// childrenPart is the node groups and Fargate profiles.
type childrenPart interface {
	Change(ctx context.Context, ob *observed.Record, old, new children.Set, afterProfiles ...func() error) error
	PrepareTemplates(ctx context.Context, ob *observed.Record, want map[string]children.NodeGroup) error
	Observe(ctx context.Context, ob *observed.Record) error
	Settle(ctx context.Context, ob *observed.Record) error
	UpgradeNodegroups(ctx context.Context, ob *observed.Record, version string) error
	DeleteAllNodegroups(ctx context.Context) error
	DeleteAllProfiles(ctx context.Context) error
}

// inClusterPart is the work inside Kubernetes.
type inClusterPart interface {
	PlaceCoreDNS(ctx context.Context, ob *observed.Record, target string) error
	CoreDNSRestart(ctx context.Context, ob *observed.Record) (func(context.Context) error, error)
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

// accessPart is who may use the cluster: authentication mode, access entries.
type accessPart interface {
	SetMode(ctx context.Context, ob *observed.Record, mode string) error
	Apply(ctx context.Context, ob *observed.Record, old, want access.Set) error
	Observe(ctx context.Context, ob *observed.Record, names map[string]string) error
}

// logsPart is the cluster's CloudWatch Logs groups.
type logsPart interface {
	Ensure(ctx context.Context, name string, days int64) error
	Retention(ctx context.Context, name string) (int64, error)
	Delete(ctx context.Context, name string) error
	UpdateTags(ctx context.Context, name string, set map[string]string, remove []string) error
}

// keyPart is the KMS key the resource makes to encrypt Secrets.
type keyPart interface {
	Ensure(ctx context.Context) (arn string, err error)
	Find(ctx context.Context) (arn string, err error)
	Delete(ctx context.Context) error
	UpdateTags(ctx context.Context, set map[string]string, remove []string) error
}

// templatesPart tags the node groups' launch templates (children makes
// them) and, on destroy, deletes any left.
type templatesPart interface {
	UpdateTags(ctx context.Context, ids []string, set map[string]string, remove []string) error
	DeleteAll(ctx context.Context) error
}

// fargateLoggingPart is the logging of Fargate pods.
type fargateLoggingPart interface {
	Permit(ctx context.Context, ob *observed.Record, s fargatelogging.Spec) error
	Apply(ctx context.Context, ob *observed.Record, s fargatelogging.Spec) error
	Remove(ctx context.Context, ob *observed.Record) error
	Observe(ctx context.Context, ob *observed.Record) error
}

// lbcPart is the AWS Load Balancer Controller.
type lbcPart interface {
	Install(ctx context.Context, ob *observed.Record, want lbcontroller.Want) error
	Observe(ctx context.Context, ob *observed.Record, roleARN string) error
	Remove(ctx context.Context, ob *observed.Record) error
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
	access       accessPart
	logs         logsPart
	key          keyPart
	fargateLogs  fargateLoggingPart
	templates    templatesPart
	lbc          lbcPart
	// withLBC: the state has the load balancer controller, which destroy removes.
	withLBC bool
	// fargateLogGroup is the state's Fargate log group, which destroy deletes.
	fargateLogGroup string
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
		access:       access.New(c, owner),
		logs:         logging.New(c, owner),
		key:          encryption.New(c, owner),
		fargateLogs:  fargatelogging.New(c, owner),
		templates:    launchtemplate.New(c, owner),
		lbc:          lbcontroller.New(c, owner),
	}
}
