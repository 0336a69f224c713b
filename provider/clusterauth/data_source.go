package clusterauth

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/validate"
)

var _ datasource.DataSourceWithConfigure = (*DataSource)(nil)

// DataSource is the fargate_cluster_auth data source, kept for Terraform
// before 1.10, which has no ephemeral resources.
type DataSource struct{ client *conns.Client }

// NewDataSource is the constructor the provider registers.
func NewDataSource() datasource.DataSource { return &DataSource{} }

func (d *DataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_auth"
}

func (d *DataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Endpoint, certificate authority and a short-lived token of an EKS cluster, for configuring " +
			"the `hashicorp/kubernetes` or `hashicorp/helm` providers. `fargate_manifest` does not need it: it " +
			"authenticates by itself. The token is valid for about 14 minutes from when the data source is read, and it " +
			"is kept in the state: with Terraform 1.10 or later use the ephemeral resource `fargate_cluster_auth` instead.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Required: true, MarkdownDescription: descName,
				Validators: []validator.String{validate.ClusterName()},
			},
			"endpoint":                   schema.StringAttribute{Computed: true, MarkdownDescription: descEndpoint},
			"certificate_authority_data": schema.StringAttribute{Computed: true, MarkdownDescription: descCA},
			"token":                      schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: descToken},
			"token_expiration":           schema.StringAttribute{Computed: true, MarkdownDescription: descExpiration},
		},
	}
}

func (d *DataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientOf(req.ProviderData, &resp.Diagnostics)
}

func (d *DataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(read(ctx, d.client, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
