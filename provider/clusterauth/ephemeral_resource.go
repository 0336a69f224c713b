package clusterauth

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/validate"
)

var _ ephemeral.EphemeralResourceWithConfigure = (*EphemeralResource)(nil)

// EphemeralResource is the fargate_cluster_auth ephemeral resource: its
// token reaches provider blocks and nothing else; Terraform opens it anew in
// every plan and apply and writes none of it to the plan or the state.
//
// It has no Renew: Terraform's Renew cannot hand a new result to the
// provider blocks that were configured with the first one (it extends leases,
// such as Vault's), and an EKS token is a presigned request that cannot be
// extended. A token lives eksauth.Lifetime from Open.
type EphemeralResource struct{ client *conns.Client }

// NewEphemeralResource is the constructor the provider registers.
func NewEphemeralResource() ephemeral.EphemeralResource { return &EphemeralResource{} }

func (e *EphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_auth"
}

func (e *EphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Endpoint, certificate authority and a short-lived token of an EKS cluster, for configuring " +
			"the `hashicorp/kubernetes` or `hashicorp/helm` providers, without writing the token to the plan or the state " +
			"(Terraform 1.10 or later). Each plan and apply makes a new token, valid for about 14 minutes. " +
			"`fargate_manifest` does not need it: it authenticates by itself.",
		Attributes: map[string]schema.Attribute{"name": schema.StringAttribute{
			Required: true, MarkdownDescription: descName, Validators: []validator.String{validate.ClusterName()},
		}},
	}
	for name, a := range computed {
		resp.Schema.Attributes[name] = schema.StringAttribute{Computed: true, Sensitive: a.sensitive, MarkdownDescription: a.desc}
	}
}

func (e *EphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.client = conns.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (e *EphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	resp.Diagnostics.Append(fill(ctx, e.client, req.Config.Get, resp.Result.Set)...)
}
