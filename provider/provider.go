// Package provider is the terrax/fargate Terraform provider: its
// configuration, and the list of its resources, data sources and functions.
package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster"
	"github.com/terrax/terraform-provider-fargate/provider/clusterauth"
	"github.com/terrax/terraform-provider-fargate/provider/functions"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/validate"
	"github.com/terrax/terraform-provider-fargate/provider/manifest"
	"github.com/terrax/terraform-provider-fargate/provider/profile"
)

var (
	_ provider.ProviderWithFunctions          = (*Provider)(nil)
	_ provider.ProviderWithEphemeralResources = (*Provider)(nil)
)

// Provider is the fargate provider.
type Provider struct {
	version string
}

// New returns the provider factory for a release version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &Provider{version: version} }
}

type providerModel struct {
	Region       types.String `tfsdk:"region"`
	Profile      types.String `tfsdk:"profile"`
	MaxRetries   types.Int64  `tfsdk:"max_retries"`
	PollInterval types.String `tfsdk:"poll_interval"`
	AssumeRole   types.Object `tfsdk:"assume_role"`
	DefaultTags  types.Object `tfsdk:"default_tags"`
	Endpoints    types.Object `tfsdk:"endpoints"`
}

type assumeRoleModel struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
}

type defaultTagsModel struct {
	Tags types.Map `tfsdk:"tags"`
}

type endpointsModel struct {
	URL types.String `tfsdk:"url"`
	EKS types.String `tfsdk:"eks"`
	IAM types.String `tfsdk:"iam"`
	EC2 types.String `tfsdk:"ec2"`
	STS types.String `tfsdk:"sts"`
	ELB types.String `tfsdk:"elbv2"`
}

func (p *Provider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "fargate"
	resp.Version = p.version
}

func endpointAttr(service string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		MarkdownDescription: "Endpoint URL for " + service + ", overriding `url` and the SDK's `AWS_ENDPOINT_URL_*` variables.",
		Validators:          []validator.String{stringvalidator.RegexMatches(urlPattern, "must be an http(s) URL")},
	}
}

func (p *Provider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Builds Amazon EKS clusters whose stateless pods run on AWS Fargate and whose stateful pods " +
			"run on managed node groups, and applies Kubernetes objects to them, in one `terraform apply`. " +
			"Credentials come from the AWS SDK's standard chain (environment, shared config, SSO, instance roles).",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "AWS region, e.g. `eu-west-1`. Defaults to `AWS_REGION` or the shared config's region.",
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Named profile of the shared AWS config and credentials files. Defaults to `AWS_PROFILE`.",
			},
			"max_retries": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Most attempts of one AWS call that is throttled or fails with a server error (default 10).",
			},
			"poll_interval": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Fixes the delay of every poll and retry, e.g. `\"30s\"`, as tools with a fixed poll do (`make bench` compares against one). By default the delays adapt: a poll of EKS comes after a sixtieth of the time waited so far, at least 0.5 s (0.15 s for Fargate profiles, whose operations follow one another, and node groups; the control plane's create and delete a 120th, at least 0.25 s), so a change is noticed within about 2% of the wait; profile operations after the first also poll closely around the time the one before took; a create refused while a new IAM role propagates is retried after a fifth of the time waited so far (0.1 s to 1 s), other refused calls after 1 s doubling to 10 s.",
				Validators:          []validator.String{positiveDuration{}},
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "An IAM role to assume before calling AWS.",
				Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{
						Optional: true, MarkdownDescription: "ARN of the role to assume.",
						Validators: []validator.String{validate.RoleARN()},
					},
					"session_name": schema.StringAttribute{Optional: true, MarkdownDescription: "Session name of the assumed role."},
					"external_id":  schema.StringAttribute{Optional: true, MarkdownDescription: "External ID the role's trust policy requires."},
				},
			},
			"default_tags": schema.SingleNestedBlock{
				MarkdownDescription: "Tags given to everything the provider creates, under the resources' own `tags`.",
				Attributes: map[string]schema.Attribute{
					"tags": schema.MapAttribute{
						Optional: true, ElementType: types.StringType,
						MarkdownDescription: "The default tags.",
						Validators:          validate.Tags(),
					},
				},
			},
			"endpoints": schema.SingleNestedBlock{
				MarkdownDescription: "Service endpoints for AWS emulators such as moto, LocalStack or `localeks`.",
				Attributes: map[string]schema.Attribute{
					"url": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "One endpoint URL for every service, overriding `AWS_ENDPOINT_URL`.",
						Validators:          []validator.String{stringvalidator.RegexMatches(urlPattern, "must be an http(s) URL")},
					},
					"eks":   endpointAttr("EKS"),
					"iam":   endpointAttr("IAM"),
					"ec2":   endpointAttr("EC2"),
					"sts":   endpointAttr("STS"),
					"elbv2": endpointAttr("Elastic Load Balancing, v2 and Classic, which share this endpoint (used on destroy, to remove load balancers Kubernetes left in the VPC)"),
				},
			},
		},
	}
}

func (p *Provider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The STS check of the credentials runs beside the plan: a plan that
	// calls no AWS API (a create's) does not wait for it.
	cfg := conns.Config{Region: m.Region.ValueString(), Profile: m.Profile.ValueString(), MaxRetries: int(m.MaxRetries.ValueInt64()), CheckLater: true}
	if !m.AssumeRole.IsNull() && !m.AssumeRole.IsUnknown() {
		var ar assumeRoleModel
		resp.Diagnostics.Append(m.AssumeRole.As(ctx, &ar, objectAs)...)
		cfg.AssumeRole = &conns.AssumeRole{RoleARN: ar.RoleARN.ValueString(), SessionName: ar.SessionName.ValueString(), ExternalID: ar.ExternalID.ValueString()}
	}
	if !m.DefaultTags.IsNull() && !m.DefaultTags.IsUnknown() {
		var dt defaultTagsModel
		resp.Diagnostics.Append(m.DefaultTags.As(ctx, &dt, objectAs)...)
		if !dt.Tags.IsNull() && !dt.Tags.IsUnknown() {
			cfg.DefaultTags = map[string]string{}
			resp.Diagnostics.Append(dt.Tags.ElementsAs(ctx, &cfg.DefaultTags, false)...)
		}
	}
	if !m.Endpoints.IsNull() && !m.Endpoints.IsUnknown() {
		var e endpointsModel
		resp.Diagnostics.Append(m.Endpoints.As(ctx, &e, objectAs)...)
		cfg.Endpoints = conns.Endpoints{URL: e.URL.ValueString(), EKS: e.EKS.ValueString(), IAM: e.IAM.ValueString(), EC2: e.EC2.ValueString(), STS: e.STS.ValueString(), ELB: e.ELB.ValueString()}
	}
	if v := m.PollInterval.ValueString(); v != "" {
		d, err := time.ParseDuration(v) // checked by positiveDuration
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("poll_interval"), "Invalid poll_interval", err.Error())
		}
		cfg.Timing = conns.FixedTiming(d)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	client, err := conns.New(ctx, cfg)
	if err != nil {
		resp.Diagnostics.AddError("Cannot use AWS", err.Error())
		return
	}
	resp.ResourceData = client
	resp.DataSourceData = client
	resp.EphemeralResourceData = client
}

func (p *Provider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{cluster.NewResource, manifest.NewResource, profile.NewResource}
}

func (p *Provider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{clusterauth.NewDataSource}
}

func (p *Provider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{clusterauth.NewEphemeralResource}
}

func (p *Provider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{functions.NewPlacement}
}

// positiveDuration accepts a Go duration greater than zero, e.g. "30s".
type positiveDuration struct{}

func (positiveDuration) Description(context.Context) string {
	return "a duration greater than zero, such as \"30s\" or \"500ms\""
}

func (v positiveDuration) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (positiveDuration) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid poll_interval",
			fmt.Sprintf("%q is not a duration greater than zero; write one such as \"30s\" or \"500ms\"", req.ConfigValue.ValueString()))
	}
}
