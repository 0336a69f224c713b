// Package selectors is the one shape of a Fargate profile's selectors in
// the provider's schemas (fargate_cluster's fargate_profiles and
// fargate_profile), with their validators, expand and flatten.
package selectors

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
	"github.com/terrax/terraform-provider-fargate/provider/internal/validate"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// Model is one selector.
type Model struct {
	Namespace types.String `tfsdk:"namespace"`
	Labels    types.Map    `tfsdk:"labels"`
}

// Attribute is the `selectors` attribute; mods are its plan modifiers
// (fargate_profile replaces the profile when they change).
func Attribute(mods ...planmodifier.List) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Required: true,
		MarkdownDescription: fmt.Sprintf("1 to %d selectors. A pod matches a selector when its namespace matches "+
			"`namespace` and it carries every label in `labels`; `*` and `?` are wildcards.", eksrules.MaxSelectorsPerProfile),
		Validators:    []validator.List{listvalidator.SizeBetween(1, eksrules.MaxSelectorsPerProfile)},
		PlanModifiers: mods,
		NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"namespace": schema.StringAttribute{
					Required: true, MarkdownDescription: "Kubernetes namespace the selector matches.",
					Validators: []validator.String{validate.SelectorNamespace()},
				},
				"labels": schema.MapAttribute{
					Optional: true, ElementType: types.StringType,
					MarkdownDescription: fmt.Sprintf("Labels a pod must all carry (at most %d).", eksrules.MaxLabelsPerSelector),
					Validators:          []validator.Map{mapvalidator.SizeAtMost(eksrules.MaxLabelsPerSelector), validate.Labels()},
				},
			},
		},
	}
}

// RequiresReplace is the plan modifier of a profile's selectors: EKS
// cannot change a profile.
func RequiresReplace() planmodifier.List { return listplanmodifier.RequiresReplace() }

// Type is the element type of the list.
var Type = Attribute().NestedObject.Type().(types.ObjectType)

// Expand reads the selectors (none when null or unknown).
func Expand(ctx context.Context, l types.List) ([]placement.Selector, diag.Diagnostics) {
	var sels []Model
	var diags diag.Diagnostics
	if !l.IsNull() && !l.IsUnknown() {
		diags.Append(l.ElementsAs(ctx, &sels, false)...)
	}
	var out []placement.Selector
	for _, sel := range sels {
		var labels map[string]string
		if !sel.Labels.IsNull() && !sel.Labels.IsUnknown() {
			diags.Append(sel.Labels.ElementsAs(ctx, &labels, false)...)
		}
		if len(labels) == 0 {
			labels = nil
		}
		out = append(out, placement.Selector{Namespace: sel.Namespace.ValueString(), Labels: labels})
	}
	return out, diags
}

// Known reports whether the selectors are wholly known.
func Known(ctx context.Context, l types.List) bool {
	tv, err := l.ToTerraformValue(ctx)
	return err == nil && tv.IsFullyKnown()
}

// Flatten is the selectors of a profile as EKS has them.
func Flatten(ctx context.Context, sels []ekstypes.FargateProfileSelector) (types.List, diag.Diagnostics) {
	var ms []Model
	for _, s := range sels {
		labels := types.MapNull(types.StringType)
		if len(s.Labels) > 0 {
			labels, _ = types.MapValueFrom(ctx, types.StringType, s.Labels)
		}
		ms = append(ms, Model{Namespace: types.StringValue(aws.ToString(s.Namespace)), Labels: labels})
	}
	return types.ListValueFrom(ctx, Type, ms)
}

// ToEKS is the selectors as EKS takes them.
func ToEKS(sels []placement.Selector) []ekstypes.FargateProfileSelector {
	var out []ekstypes.FargateProfileSelector
	for _, s := range sels {
		out = append(out, ekstypes.FargateProfileSelector{Namespace: aws.String(s.Namespace), Labels: s.Labels})
	}
	return out
}
