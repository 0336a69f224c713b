package clusterauth_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// kubeprobe is a test-only provider configured as users configure the
// hashicorp/kubernetes provider (host, cluster_ca_certificate, token), which
// cannot be installed here. Its data source kubeprobe_namespaces lists the
// cluster's namespaces with that configuration, TLS verified against the
// given CA: a listing proves that what reached the provider block works
// against the API server. It serves in the test binary, so it also keeps the
// tokens it was configured with, for the test to look for on disk.
type kubeprobe struct{}

// probeTokens are the tokens kubeprobe was configured with.
var probeTokens struct {
	sync.Mutex
	seen []string
}

func forgetTokens() {
	probeTokens.Lock()
	defer probeTokens.Unlock()
	probeTokens.seen = nil
}

func seenTokens() []string {
	probeTokens.Lock()
	defer probeTokens.Unlock()
	return append([]string(nil), probeTokens.seen...)
}

type probeConfig struct {
	Host  types.String `tfsdk:"host"`
	CA    types.String `tfsdk:"cluster_ca_certificate"`
	Token types.String `tfsdk:"token"`
}

type probeClient struct {
	host, token string
	http        *http.Client
}

func (kubeprobe) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "kubeprobe"
}

func (kubeprobe) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"host":                   schema.StringAttribute{Optional: true},
		"cluster_ca_certificate": schema.StringAttribute{Optional: true},
		"token":                  schema.StringAttribute{Optional: true, Sensitive: true},
	}}
}

func (kubeprobe) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var c probeConfig
	resp.Diagnostics.Append(req.Config.Get(ctx, &c)...)
	if resp.Diagnostics.HasError() || c.Host.IsUnknown() || c.CA.IsUnknown() || c.Token.IsUnknown() {
		return // not known before the cluster exists; the data source then says so
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(c.CA.ValueString())) {
		resp.Diagnostics.AddError("kubeprobe: cluster_ca_certificate is not PEM", c.CA.ValueString())
		return
	}
	probeTokens.Lock()
	probeTokens.seen = append(probeTokens.seen, c.Token.ValueString())
	probeTokens.Unlock()
	resp.DataSourceData = &probeClient{host: c.Host.ValueString(), token: c.Token.ValueString(), http: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
	}}
}

func (kubeprobe) Resources(context.Context) []func() resource.Resource { return nil }

func (kubeprobe) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{func() datasource.DataSource { return &namespaces{} }}
}

// namespaces is kubeprobe_namespaces: the names of the cluster's namespaces.
type namespaces struct{ client *probeClient }

func (*namespaces) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = "kubeprobe_namespaces"
}

func (*namespaces) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dsschema.Schema{Attributes: map[string]dsschema.Attribute{
		"names": dsschema.ListAttribute{Computed: true, ElementType: types.StringType},
	}}
}

func (n *namespaces) Configure(_ context.Context, req datasource.ConfigureRequest, _ *datasource.ConfigureResponse) {
	n.client, _ = req.ProviderData.(*probeClient)
}

func (n *namespaces) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if n.client == nil {
		resp.Diagnostics.AddError("kubeprobe is not configured", "host, cluster_ca_certificate or token was not known")
		return
	}
	names, err := n.client.namespaces(ctx)
	if err != nil {
		resp.Diagnostics.AddError("kubeprobe: listing namespaces failed", err.Error())
		return
	}
	list, diags := types.ListValueFrom(ctx, types.StringType, names)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("names"), list)...)
}

func (c *probeClient) namespaces(ctx context.Context) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(c.host, "/")+"/api/v1/namespaces", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /api/v1/namespaces: %s: %s", resp.Status, body)
	}
	var list struct {
		Items []struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, err
	}
	var names []string
	for _, it := range list.Items {
		names = append(names, it.Metadata.Name)
	}
	return names, nil
}
