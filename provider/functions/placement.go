// Package functions holds the provider's functions.
package functions

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

var _ function.Function = (*Placement)(nil)

// Placement is provider::fargate::placement.
type Placement struct{}

// NewPlacement is the constructor the provider registers.
func NewPlacement() function.Function { return &Placement{} }

func (f *Placement) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "placement"
}

func (f *Placement) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Which Fargate profile runs a pod",
		MarkdownDescription: "Returns the name of the Fargate profile that EKS would use for a pod with the given namespace " +
			"and labels, or `null` when no profile selects it and it runs on a node group. EKS's rules: the namespace " +
			"and every label of a selector must match, `*` and `?` are wildcards, and the label " +
			"`eks.amazonaws.com/fargate-profile` pins a pod to one profile. Where several profiles match, EKS picks one " +
			"at random; this function returns the first by name.",
		Parameters: []function.Parameter{
			function.DynamicParameter{
				Name: "fargate_profiles",
				MarkdownDescription: "Fargate profiles by name, each with `selectors` (a list of `{ namespace, labels }`), " +
					"e.g. `fargate_cluster.terrax.fargate_profiles` or the same shape written out.",
			},
			function.StringParameter{Name: "namespace", MarkdownDescription: "Namespace of the pod."},
			function.MapParameter{
				Name: "labels", ElementType: types.StringType, AllowNullValue: true,
				MarkdownDescription: "Labels of the pod (may be null or empty).",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *Placement) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var profiles types.Dynamic
	var namespace string
	var labels types.Map
	resp.Error = req.Arguments.Get(ctx, &profiles, &namespace, &labels)
	if resp.Error != nil {
		return
	}
	ps, err := profilesFrom(profiles.UnderlyingValue())
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	podLabels := map[string]string{}
	if !labels.IsNull() {
		if d := labels.ElementsAs(ctx, &podLabels, false); d.HasError() {
			resp.Error = function.NewArgumentFuncError(2, "labels must be a map of strings")
			return
		}
	}
	d := placement.Place(ps, namespace, podLabels)
	result := types.StringNull()
	if d.OnFargate() {
		result = types.StringValue(d.Profile)
	}
	resp.Error = resp.Result.Set(ctx, result)
}

// profilesFrom reads profiles from a map or object of objects, as a
// fargate_cluster attribute or an HCL literal gives them.
func profilesFrom(v attr.Value) ([]placement.Profile, error) {
	if v == nil || v.IsNull() {
		return nil, nil
	}
	byName, ok := entries(v)
	if !ok {
		return nil, fmt.Errorf("want a map of profiles by name, got %s", v.Type(context.Background()))
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []placement.Profile
	for _, name := range names {
		fields, ok := entries(byName[name])
		if !ok {
			return nil, fmt.Errorf("profile %q: want an object with selectors", name)
		}
		sels, ok := items(fields["selectors"])
		if !ok {
			return nil, fmt.Errorf("profile %q: want a list of selectors", name)
		}
		p := placement.Profile{Name: name}
		for i, s := range sels {
			sf, ok := entries(s)
			if !ok {
				return nil, fmt.Errorf("profile %q selector %d: want an object with namespace and labels", name, i)
			}
			ns, ok := sf["namespace"].(basetypes.StringValue)
			if !ok || ns.IsNull() || ns.IsUnknown() {
				return nil, fmt.Errorf("profile %q selector %d: namespace must be a known string", name, i)
			}
			sel := placement.Selector{Namespace: ns.ValueString(), Labels: map[string]string{}}
			if lv, ok := sf["labels"]; ok && lv != nil && !lv.IsNull() {
				lm, ok := entries(lv)
				if !ok {
					return nil, fmt.Errorf("profile %q selector %d: labels must be a map of strings", name, i)
				}
				for k, val := range lm {
					s, ok := val.(basetypes.StringValue)
					if !ok || s.IsUnknown() {
						return nil, fmt.Errorf("profile %q selector %d: label %q must be a known string", name, i, k)
					}
					sel.Labels[k] = s.ValueString()
				}
			}
			p.Selectors = append(p.Selectors, sel)
		}
		out = append(out, p)
	}
	return out, nil
}

func entries(v attr.Value) (map[string]attr.Value, bool) {
	switch t := v.(type) {
	case basetypes.MapValue:
		return t.Elements(), !t.IsNull() && !t.IsUnknown()
	case basetypes.ObjectValue:
		return t.Attributes(), !t.IsNull() && !t.IsUnknown()
	case basetypes.DynamicValue:
		return entries(t.UnderlyingValue())
	}
	return nil, false
}

func items(v attr.Value) ([]attr.Value, bool) {
	switch t := v.(type) {
	case basetypes.ListValue:
		return t.Elements(), !t.IsUnknown()
	case basetypes.TupleValue:
		return t.Elements(), !t.IsUnknown()
	case basetypes.SetValue:
		return t.Elements(), !t.IsUnknown()
	case basetypes.DynamicValue:
		return items(t.UnderlyingValue())
	}
	return nil, false
}
