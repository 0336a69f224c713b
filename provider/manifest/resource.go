package manifest

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
)

var (
	_ resource.ResourceWithConfigure   = (*Resource)(nil)
	_ resource.ResourceWithModifyPlan  = (*Resource)(nil)
	_ resource.ResourceWithImportState = (*Resource)(nil)
)

const (
	defaultTimeout = 20 * time.Minute
	// privateApplied keeps, in private state, the live value of each object
	// right after this resource applied it: the reference for drift.
	privateApplied = "applied"
)

// Resource is fargate_manifest.
type Resource struct {
	client *conns.Client
	// timing paces the applier's waits and retries (zero: its defaults).
	timing timing
}

// NewResource is the constructor the provider registers.
func NewResource() resource.Resource { return &Resource{} }

func (r *Resource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_manifest"
}

func (r *Resource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = conns.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

// connect finds the cluster and opens a Kubernetes client; a cluster that
// does not exist is reported as apierr.NotFoundError.
func (r *Resource) connect(ctx context.Context, name string) (*applier, error) {
	c, err := finder.Cluster(ctx, r.client.EKS, name)
	if err != nil {
		return nil, err
	}
	ca := ""
	if c.CertificateAuthority != nil {
		ca = aws.ToString(c.CertificateAuthority.Data)
	}
	kc, err := kubeclient.New(r.client.STS, name, aws.ToString(c.Endpoint), ca)
	if err != nil {
		return nil, err
	}
	return &applier{kc: kc, timing: r.timing}, nil
}
