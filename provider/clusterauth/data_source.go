// Package clusterauth implements the fargate_cluster_auth data source: what
// a Kubernetes client needs to reach an EKS cluster (endpoint, CA, token),
// for users who configure the hashicorp/kubernetes or helm providers.
package clusterauth

import (
	"context"
	"fmt"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/validate"
)

var _ datasource.DataSourceWithConfigure = (*DataSource)(nil)

// DataSource is fargate_cluster_auth.
type DataSource struct{ client *conns.Client }

// NewDataSource is the constructor the provider registers.
func NewDataSource() datasource.DataSource { return &DataSource{} }

type model struct {
	Name                     types.String `tfsdk:"name"`
	Endpoint                 types.String `tfsdk:"endpoint"`
	CertificateAuthorityData types.String `tfsdk:"certificate_authority_data"`
	Token                    types.String `tfsdk:"token"`
	TokenExpiration          types.String `tfsdk:"token_expiration"`
}

func (d *DataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_auth"
}

func (d *DataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Endpoint, certificate authority and a short-lived token of an EKS cluster, for configuring " +
			"the `hashicorp/kubernetes` or `hashicorp/helm` providers. `fargate_manifest` does not need it: it " +
			"authenticates by itself. The token is valid for about 14 minutes from when the data source is read; " +
			"for longer runs prefer the kubernetes provider's `exec` block with `aws eks get-token`.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Required: true, MarkdownDescription: "Name of the EKS cluster, e.g. `fargate_cluster.terrax.name`.",
				Validators: []validator.String{validate.ClusterName()},
			},
			"endpoint":                   schema.StringAttribute{Computed: true, MarkdownDescription: "URL of the Kubernetes API server."},
			"certificate_authority_data": schema.StringAttribute{Computed: true, MarkdownDescription: "Base64-encoded PEM of the cluster's certificate authority."},
			"token": schema.StringAttribute{
				Computed: true, Sensitive: true,
				MarkdownDescription: "Bearer token (`k8s-aws-v1.…`): a presigned STS `GetCallerIdentity` request for this cluster, made with the provider's credentials.",
			},
			"token_expiration": schema.StringAttribute{Computed: true, MarkdownDescription: "When the token stops being accepted (RFC 3339)."},
		},
	}
}

func (d *DataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	c, ok := req.ProviderData.(*conns.Client)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("expected *conns.Client, got %T; this is a bug in the provider", req.ProviderData))
		return
	}
	d.client = c
}

func (d *DataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.Name.ValueString()
	c, err := finder.Cluster(ctx, d.client.EKS, name)
	if apierr.NotFound(err) {
		resp.Diagnostics.AddAttributeError(pathName, "EKS cluster not found", fmt.Sprintf("no EKS cluster %q in %s: check the name and the provider's region", name, d.client.Region))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Reading EKS cluster %q failed", name), err.Error())
		return
	}
	tok, err := eksauth.NewToken(ctx, d.client.STS, name)
	if err != nil {
		resp.Diagnostics.AddError("Making an EKS token failed", err.Error())
		return
	}
	m.Endpoint = types.StringValue(aws.ToString(c.Endpoint))
	if c.CertificateAuthority != nil {
		m.CertificateAuthorityData = types.StringValue(aws.ToString(c.CertificateAuthority.Data))
	}
	m.Token = types.StringValue(tok.Value)
	m.TokenExpiration = types.StringValue(tok.Expiration.UTC().Format(time.RFC3339))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

var pathName = path.Root("name")
