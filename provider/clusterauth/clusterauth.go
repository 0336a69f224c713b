// Package clusterauth implements fargate_cluster_auth, as an ephemeral
// resource (Terraform >= 1.10: nothing is written to the plan or the state)
// and as the older data source: what a Kubernetes client needs to reach an
// EKS cluster (endpoint, CA, token), for users who configure the
// hashicorp/kubernetes or helm providers.
package clusterauth

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
)

// model is both the data source's state and the ephemeral resource's result.
type model struct {
	Name                     types.String `tfsdk:"name"`
	Endpoint                 types.String `tfsdk:"endpoint"`
	CertificateAuthorityData types.String `tfsdk:"certificate_authority_data"`
	Token                    types.String `tfsdk:"token"`
	TokenExpiration          types.String `tfsdk:"token_expiration"`
}

const descName = "Name of the EKS cluster, e.g. `fargate_cluster.terrax.name`."

// computed are the attributes both schemas compute, by name; `name` is the
// one argument.
var computed = map[string]struct {
	desc      string
	sensitive bool
}{
	"endpoint":                   {desc: "URL of the Kubernetes API server."},
	"certificate_authority_data": {desc: "Base64-encoded PEM of the cluster's certificate authority."},
	"token": {sensitive: true, desc: "Bearer token (`k8s-aws-v1.…`): a presigned STS `GetCallerIdentity` request " +
		"for this cluster, made with the provider's credentials."},
	"token_expiration": {desc: "When the token stops being accepted (RFC 3339)."},
}

var pathName = path.Root("name")

// fill reads the configuration with get, fills in the rest and hands the
// result to set: the data source's Read and the ephemeral resource's Open.
func fill(ctx context.Context, client *conns.Client, get, set func(context.Context, any) diag.Diagnostics) diag.Diagnostics {
	var m model
	diags := get(ctx, &m)
	if diags.HasError() {
		return diags
	}
	if diags.Append(read(ctx, client, &m)...); diags.HasError() {
		return diags
	}
	return append(diags, set(ctx, &m)...)
}

// read fills in the endpoint and CA of the cluster m.Name names and a fresh
// token for it.
func read(ctx context.Context, client *conns.Client, m *model) (diags diag.Diagnostics) {
	name := m.Name.ValueString()
	if client == nil {
		diags.AddError("Provider not configured", fmt.Sprintf("fargate_cluster_auth %q was read before the provider was configured: "+
			"the provider block may depend on values not known yet", name))
		return diags
	}
	c, err := finder.Cluster(ctx, client.EKS, name)
	if apierr.NotFound(err) {
		diags.AddAttributeError(pathName, "EKS cluster not found", fmt.Sprintf("no EKS cluster %q in %s: check the name and the provider's region", name, client.Region))
		return diags
	}
	if err != nil {
		diags.AddError(fmt.Sprintf("Reading EKS cluster %q failed", name), err.Error())
		return diags
	}
	tok, err := eksauth.NewToken(ctx, client.STS, name)
	if err != nil {
		diags.AddError("Making an EKS token failed", err.Error())
		return diags
	}
	m.Endpoint = types.StringValue(aws.ToString(c.Endpoint))
	if c.CertificateAuthority != nil {
		m.CertificateAuthorityData = types.StringValue(aws.ToString(c.CertificateAuthority.Data))
	}
	m.Token = types.StringValue(tok.Value)
	m.TokenExpiration = types.StringValue(tok.Expiration.UTC().Format(time.RFC3339))
	return diags
}
