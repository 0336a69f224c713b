package cluster

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/access"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
	"github.com/terrax/terraform-provider-fargate/provider/internal/validate"
)

// Who may use the cluster: `authentication_mode`, `bootstrap_creator_admin`
// and `access_entries`: schema, model, expand and flatten.

type accessEntryModel struct {
	PrincipalARN     types.String `tfsdk:"principal_arn"`
	Type             types.String `tfsdk:"type"`
	KubernetesGroups types.Set    `tfsdk:"kubernetes_groups"`
	Policies         types.Set    `tfsdk:"policies"`
}

type accessPolicyModel struct {
	Policy     types.String `tfsdk:"policy"`
	Namespaces types.Set    `tfsdk:"namespaces"`
}

var (
	accessEntryObject  = accessEntriesSchema().NestedObject.Type().(types.ObjectType)
	accessPolicyObject = accessEntryObject.AttrTypes["policies"].(types.SetType).ElemType.(types.ObjectType)
)

// accessAttributes are the attributes of fargate_cluster this file owns.
func accessAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"authentication_mode": schema.StringAttribute{
			Optional: true, Computed: true, Default: stringdefault.StaticString(eksauth.AuthModeAPI),
			MarkdownDescription: "How EKS finds who a caller is: `API` (default: access entries only) or `API_AND_CONFIG_MAP` " +
				"(access entries and the `aws-auth` ConfigMap, while migrating from it). `CONFIG_MAP` is refused: EKS deprecates it " +
				"and it cannot use access entries. Changed in place from `API_AND_CONFIG_MAP` to `API`; EKS cannot go back, so that " +
				"change is refused at plan ([access entries](https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html)).",
			Validators:    []validator.String{validate.AuthenticationMode()},
			PlanModifiers: []planmodifier.String{authModeForward{}},
		},
		"bootstrap_creator_admin": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(true),
			MarkdownDescription: "Whether EKS gives the identity that creates the cluster (the one this provider runs as) an access " +
				"entry with `AmazonEKSClusterAdminPolicy` (default `true`). That entry is EKS's, not in `access_entries`. With `false`, " +
				"the provider itself can use the Kubernetes API (`fargate_manifest`, CoreDNS placement, load balancer clean-up on " +
				"destroy) only through an entry of `access_entries` for its own principal. EKS sets this only when it creates the " +
				"cluster: changing it replaces the cluster.",
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplaceIf(
				func(_ context.Context, req planmodifier.BoolRequest, resp *boolplanmodifier.RequiresReplaceIfFuncResponse) {
					// A state written before the attribute existed holds null: not a change.
					resp.RequiresReplace = !req.StateValue.IsNull() && !req.StateValue.IsUnknown()
				}, "EKS sets it only when it creates the cluster: changing it replaces the cluster.",
				"EKS sets it only when it creates the cluster: changing it replaces the cluster.")},
		},
		"access_entries": accessEntriesSchema(),
	}
}

func accessEntriesSchema() schema.MapNestedAttribute {
	return schema.MapNestedAttribute{
		Optional: true,
		MarkdownDescription: "EKS access entries by a name of your choice: who else may use the Kubernetes API, and with which " +
			"rights. Created right after the cluster, updated in place (groups changed, access policies associated, re-scoped or " +
			"removed), deleted when removed from the map. An entry changed or deleted outside Terraform shows in the next plan. " +
			"Entries not in the map (the creator's, when `bootstrap_creator_admin`) are left alone " +
			"([access entries](https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html)).",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"principal_arn": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ARN of the IAM user or role, e.g. `arn:aws:iam::123456789012:role/ci`. Every session of a " +
					"role uses the role's entry; a role session ARN (`assumed-role/...`) is refused. Changing it replaces the entry.",
				Validators: []validator.String{validate.PrincipalARN()},
			},
			"type": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("STANDARD"),
				MarkdownDescription: "`STANDARD` (default), or a node type (`EC2_LINUX`, `EC2_WINDOWS`, `FARGATE_LINUX`, `HYBRID_LINUX`), " +
					"which takes no groups or policies. Changing it replaces the entry.",
				Validators: []validator.String{validate.AccessEntryType()},
			},
			"kubernetes_groups": schema.SetAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Kubernetes groups the principal is in, for your own RBAC bindings (not `system:` ones). Updated in place.",
				Validators:          []validator.Set{setvalidator.ValueStringsAre(validate.KubernetesGroup())},
			},
			"policies": schema.SetNestedAttribute{
				Optional: true,
				MarkdownDescription: "EKS access policies associated with the entry, each at most once. Added, re-scoped and removed in place " +
					"([access policies](https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html)).",
				Validators: []validator.Set{uniquePolicies{}},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"policy": schema.StringAttribute{
						Required: true,
						MarkdownDescription: "`AmazonEKSClusterAdminPolicy` (cluster-admin), `AmazonEKSAdminPolicy` (admin), " +
							"`AmazonEKSEditPolicy` (edit) or `AmazonEKSViewPolicy` (view).",
						Validators: []validator.String{validate.AccessPolicy()},
					},
					"namespaces": schema.SetAttribute{
						Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Namespaces the policy applies in (a trailing `*` matches a prefix). Empty or unset: the whole cluster.",
						Validators:          []validator.Set{setvalidator.ValueStringsAre(validate.AccessNamespace())},
					},
				}},
			},
		}},
	}
}

// accessConfigOf is the accessConfig a create sends.
func accessConfigOf(m clusterModel) access.Config {
	return access.Config{Mode: m.AuthenticationMode.ValueString(), BootstrapCreatorAdmin: m.BootstrapCreatorAdmin.IsNull() || m.BootstrapCreatorAdmin.ValueBool()}
}

// expandAccessEntries reads the configured entries.
func expandAccessEntries(ctx context.Context, m types.Map) (access.Set, diag.Diagnostics) {
	out := access.Set{}
	var diags diag.Diagnostics
	if m.IsNull() || m.IsUnknown() {
		return out, diags
	}
	var entries map[string]accessEntryModel
	diags.Append(m.ElementsAs(ctx, &entries, false)...)
	for name, e := range entries {
		groups := sortedStrings(ctx, e.KubernetesGroups, &diags)
		var policies []accessPolicyModel
		if !e.Policies.IsNull() && !e.Policies.IsUnknown() {
			diags.Append(e.Policies.ElementsAs(ctx, &policies, false)...)
		}
		entry := access.Entry{PrincipalARN: e.PrincipalARN.ValueString(), Type: e.Type.ValueString(), Groups: groups, Policies: map[string][]string{}}
		if entry.Type == "" {
			entry.Type = "STANDARD"
		}
		for _, p := range policies {
			entry.Policies[p.Policy.ValueString()] = sortedStrings(ctx, p.Namespaces, &diags)
		}
		out[name] = entry
	}
	return out, diags
}

func sortedStrings(ctx context.Context, s types.Set, diags *diag.Diagnostics) []string {
	var out []string
	if !s.IsNull() && !s.IsUnknown() {
		diags.Append(s.ElementsAs(ctx, &out, false)...)
	}
	slices.Sort(out)
	return out
}

// flattenAccess writes the access configuration and the configured entries
// as EKS has them; an empty list reads as the configuration wrote it (unset
// or empty).
func flattenAccess(ctx context.Context, ob observed.Snapshot, m *clusterModel, base types.Map) diag.Diagnostics {
	var diags diag.Diagnostics
	if c := ob.Cluster; c != nil && c.AccessConfig != nil {
		m.AuthenticationMode = types.StringValue(string(c.AccessConfig.AuthenticationMode))
		if b := c.AccessConfig.BootstrapClusterCreatorAdminPermissions; b != nil {
			m.BootstrapCreatorAdmin = types.BoolValue(aws.ToBool(b))
		}
	}
	if m.AuthenticationMode.IsUnknown() || m.AuthenticationMode.IsNull() {
		m.AuthenticationMode = types.StringValue(eksauth.AuthModeAPI)
	}
	if m.BootstrapCreatorAdmin.IsUnknown() || m.BootstrapCreatorAdmin.IsNull() {
		m.BootstrapCreatorAdmin = types.BoolValue(true)
	}
	prior := map[string]accessEntryModel{}
	if !base.IsNull() && !base.IsUnknown() {
		diags.Append(base.ElementsAs(ctx, &prior, false)...)
	}
	entries := map[string]accessEntryModel{}
	for name, e := range ob.AccessEntries {
		was := prior[name]
		pols := []attr.Value{}
		priorNS := map[string]types.Set{}
		var priorPolicies []accessPolicyModel
		if !was.Policies.IsNull() && !was.Policies.IsUnknown() {
			diags.Append(was.Policies.ElementsAs(ctx, &priorPolicies, false)...)
		}
		for _, p := range priorPolicies {
			priorNS[p.Policy.ValueString()] = p.Namespaces
		}
		for _, name := range slices.Sorted(maps.Keys(e.Policies)) {
			v, d := types.ObjectValueFrom(ctx, accessPolicyObject.AttrTypes, accessPolicyModel{Policy: types.StringValue(name),
				Namespaces: setLike(e.Policies[name], priorNS[name])})
			diags.Append(d...)
			pols = append(pols, v)
		}
		policies := types.SetNull(accessPolicyObject)
		if len(pols) > 0 || (!was.Policies.IsNull() && !was.Policies.IsUnknown()) {
			policies = types.SetValueMust(accessPolicyObject, pols)
		}
		entries[name] = accessEntryModel{PrincipalARN: types.StringValue(e.PrincipalARN), Type: types.StringValue(e.Type),
			KubernetesGroups: setLike(e.Groups, was.KubernetesGroups), Policies: policies}
	}
	var d diag.Diagnostics
	m.AccessEntries, d = mapOf(ctx, accessEntryObject, entries, base)
	diags.Append(d...)
	return diags
}

// setLike is a string set, null when empty and the prior value was null.
func setLike(items []string, prior types.Set) types.Set {
	if len(items) == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.SetNull(types.StringType)
	}
	return stringSetOf(items)
}

// accessNames is name -> principal of the entries in a state, for reading them back.
func accessNames(ctx context.Context, m types.Map) (map[string]string, diag.Diagnostics) {
	set, diags := expandAccessEntries(ctx, m)
	out := map[string]string{}
	for name, e := range set {
		out[name] = e.PrincipalARN
	}
	return out, diags
}
