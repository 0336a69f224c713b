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
		Attributes: map[string]schema.Attribute{"name": schema.StringAttribute{
			Required: true, MarkdownDescription: descName, Validators: []validator.String{validate.ClusterName()},
		}},
	}
	for name, a := range computed {
		resp.Schema.Attributes[name] = schema.StringAttribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.desc}
	}
}

func (d *DataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = conns.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *DataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	resp.Diagnostics.Append(fill(ctx, d.client, req.Config.Get, resp.State.Set)...)
}
