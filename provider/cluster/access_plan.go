package cluster

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
)

// Plan-time rules of the access attributes (no AWS call).

// authModeForward refuses a change of authentication_mode EKS cannot make
// (back from API towards the aws-auth ConfigMap).
type authModeForward struct{}

func (authModeForward) Description(context.Context) string {
	return "the authentication mode only moves towards API"
}
func (m authModeForward) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (authModeForward) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsUnknown() || req.PlanValue.IsNull() {
		return
	}
	if msg := eksrules.AuthenticationModeChange(req.StateValue.ValueString(), req.PlanValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Authentication mode cannot go back", msg)
	}
}

// uniquePolicies refuses the same access policy twice in one entry: EKS
// keeps one association per policy (a second replaces the first's scope).
type uniquePolicies struct{}

func (uniquePolicies) Description(context.Context) string { return "each access policy at most once" }
func (v uniquePolicies) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (uniquePolicies) ValidateSet(ctx context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var ps []accessPolicyModel
	resp.Diagnostics.Append(req.ConfigValue.ElementsAs(ctx, &ps, false)...)
	var seen []string
	for _, p := range ps {
		if p.Policy.IsUnknown() {
			continue
		}
		if slices.Contains(seen, p.Policy.ValueString()) {
			resp.Diagnostics.AddAttributeError(req.Path, "Access policy given twice",
				fmt.Sprintf("Attribute %s: %s is listed more than once; EKS associates a policy once per entry: list all its namespaces in one element", req.Path, p.Policy.ValueString()))
		}
		seen = append(seen, p.Policy.ValueString())
	}
}

// accessEntriesShape refuses what an entry's type cannot carry, and warns
// that without bootstrap_creator_admin the provider itself needs an entry.
type accessEntriesShape struct{}

func (accessEntriesShape) Description(context.Context) string {
	return "node-type access entries take no groups or policies; without bootstrap_creator_admin the provider needs an entry"
}
func (v accessEntriesShape) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (accessEntriesShape) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var entries types.Map
	var bootstrap types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("access_entries"), &entries)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("bootstrap_creator_admin"), &bootstrap)...)
	if entries.IsUnknown() || resp.Diagnostics.HasError() {
		return
	}
	var models map[string]accessEntryModel
	if !entries.IsNull() {
		resp.Diagnostics.Append(entries.ElementsAs(ctx, &models, false)...)
	}
	admin := false
	for name, e := range models {
		typ := e.Type.ValueString()
		if e.Type.IsNull() {
			typ = "STANDARD"
		}
		if e.Type.IsUnknown() || e.KubernetesGroups.IsUnknown() || e.Policies.IsUnknown() {
			continue
		}
		if msg := eksrules.AccessEntryShape(typ, len(e.KubernetesGroups.Elements()), len(e.Policies.Elements())); msg != "" {
			at := path.Root("access_entries").AtMapKey(name).AtName("type")
			resp.Diagnostics.AddAttributeError(at, "Access entry cannot carry rights", fmt.Sprintf("Attribute %s: %s", at, msg))
		}
		var ps []accessPolicyModel
		if !e.Policies.IsNull() {
			resp.Diagnostics.Append(e.Policies.ElementsAs(ctx, &ps, false)...)
		}
		for _, p := range ps {
			if p.Policy.ValueString() == "AmazonEKSClusterAdminPolicy" && len(p.Namespaces.Elements()) == 0 {
				admin = true
			}
		}
	}
	if bootstrap.IsNull() || bootstrap.IsUnknown() || bootstrap.ValueBool() {
		return
	}
	detail := "With bootstrap_creator_admin = false, EKS gives the identity this provider runs as no access to the Kubernetes API. " +
		"fargate_manifest, CoreDNS placement without the coredns add-on and the clean-up of Kubernetes load balancers on destroy " +
		"then work only if access_entries has an entry for the provider's own principal (the role, not a role session) with " +
		"AmazonEKSClusterAdminPolicy at cluster scope."
	if !admin {
		detail += " No entry of access_entries has that policy at cluster scope: they will fail with 401 Unauthorized."
	}
	resp.Diagnostics.AddAttributeWarning(path.Root("bootstrap_creator_admin"), "The provider may lose access to its own cluster", detail)
}
