package validate

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func runString(v validator.String, val types.String) (summary, detail string, p path.Path) {
	req := validator.StringRequest{Path: path.Root("x"), ConfigValue: val}
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), req, resp)
	if resp.Diagnostics.HasError() {
		d := resp.Diagnostics.Errors()[0]
		return d.Summary(), d.Detail(), req.Path
	}
	return "", "", req.Path
}

func TestStringValidators(t *testing.T) {
	cases := []struct {
		v       validator.String
		in      string
		summary string
	}{
		{ClusterName(), "terrax-fargate", ""},
		{ClusterName(), "bad name!", "Invalid EKS cluster name"},
		{NodegroupName(), "node-group", ""},
		{NodegroupName(), "_ng", "Invalid node group name"},
		{FargateProfileName(), "fp-default", ""},
		{FargateProfileName(), "eks-fp", "Invalid Fargate profile name"},
		{KubernetesVersion(), "1.35", ""},
		{KubernetesVersion(), "1.15", "Unsupported Kubernetes version"},
		{SelectorNamespace(), "tb-demo", ""},
		{SelectorNamespace(), "TB_DEMO", "Invalid Fargate selector namespace"},
		{VPCCIDR(), "192.168.0.0/16", ""},
		{VPCCIDR(), "192.168.0.0/33", "Invalid VPC CIDR block"},
	}
	for _, c := range cases {
		got, _, _ := runString(c.v, types.StringValue(c.in))
		if got != c.summary {
			t.Errorf("%T(%q): summary %q, want %q", c.v, c.in, got, c.summary)
		}
	}
	// Unknown and null values are left for later.
	for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
		if got, _, _ := runString(ClusterName(), v); got != "" {
			t.Errorf("null/unknown must pass, got %q", got)
		}
	}
}

// A version newer than the provider knows is a warning, not an error.
func TestKubernetesVersionWarnsOnNewer(t *testing.T) {
	cases := []struct {
		in               string
		errors, warnings int
		summary          string
	}{
		{"1.35", 0, 0, ""},
		{"1.40", 0, 1, "Kubernetes version not known to this provider"},
		{"1.38", 0, 1, "Kubernetes version not known to this provider"},
		{"1.15", 1, 0, "Unsupported Kubernetes version"},
		{"latest", 1, 0, "Unsupported Kubernetes version"},
		{"1.040", 1, 0, "Unsupported Kubernetes version"},
	}
	for _, c := range cases {
		req := validator.StringRequest{Path: path.Root("kubernetes_version"), ConfigValue: types.StringValue(c.in)}
		resp := &validator.StringResponse{}
		KubernetesVersion().ValidateString(context.Background(), req, resp)
		if e, w := resp.Diagnostics.ErrorsCount(), resp.Diagnostics.WarningsCount(); e != c.errors || w != c.warnings {
			t.Errorf("%q: %d errors and %d warnings, want %d and %d: %v", c.in, e, w, c.errors, c.warnings, resp.Diagnostics)
			continue
		}
		for _, d := range resp.Diagnostics {
			if d.Summary() != c.summary || !strings.HasPrefix(d.Detail(), "Attribute kubernetes_version: ") {
				t.Errorf("%q: %q %q, want summary %q on the attribute", c.in, d.Summary(), d.Detail(), c.summary)
			}
		}
	}
}

func TestLabels(t *testing.T) {
	m := types.MapValueMust(types.StringType, map[string]attr.Value{
		"app":      types.StringValue("service"),
		"bad key!": types.StringValue("x"),
		"tier":     types.StringValue("bad value"),
	})
	resp := &validator.MapResponse{}
	Labels().ValidateMap(context.Background(), validator.MapRequest{Path: path.Root("labels"), ConfigValue: m}, resp)
	if n := resp.Diagnostics.ErrorsCount(); n != 2 {
		t.Fatalf("want 2 errors, got %d: %v", n, resp.Diagnostics)
	}
	for _, d := range resp.Diagnostics.Errors() {
		ad, ok := d.(interface{ Path() path.Path })
		if !ok || !strings.HasPrefix(ad.Path().String(), "labels[") {
			t.Errorf("diagnostic not on the label's path: %v", d)
		}
	}
}

func TestDesiredSize(t *testing.T) {
	s := schema.Schema{Attributes: map[string]schema.Attribute{
		"ng": schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
			"desired_size": schema.Int64Attribute{Optional: true},
			"min_size":     schema.Int64Attribute{Optional: true},
			"max_size":     schema.Int64Attribute{Optional: true},
		}},
	}}
	objType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"desired_size": tftypes.Number, "min_size": tftypes.Number, "max_size": tftypes.Number}}
	cases := []struct {
		d, min, max int64
		wantPath    string
		wantDetail  string
	}{
		{1, 1, 2, "", ""},
		{3, 1, 2, "ng.desired_size", "desired_size 3 is outside min_size..max_size (1..2)"},
		{1, 3, 2, "ng.max_size", "greater than max_size"},
		{0, -1, 2, "ng.min_size", "min_size is -1"},
	}
	for _, c := range cases {
		raw := tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{"ng": objType}}, map[string]tftypes.Value{
			"ng": tftypes.NewValue(objType, map[string]tftypes.Value{
				"desired_size": tftypes.NewValue(tftypes.Number, c.d),
				"min_size":     tftypes.NewValue(tftypes.Number, c.min),
				"max_size":     tftypes.NewValue(tftypes.Number, c.max),
			}),
		})
		cfg := tfsdk.Config{Schema: s, Raw: raw}
		resp := &validator.Int64Response{}
		DesiredSize().ValidateInt64(context.Background(), validator.Int64Request{
			Path: path.Root("ng").AtName("desired_size"), ConfigValue: types.Int64Value(c.d), Config: cfg,
		}, resp)
		if c.wantPath == "" {
			if resp.Diagnostics.HasError() {
				t.Errorf("%+v: unexpected %v", c, resp.Diagnostics)
			}
			continue
		}
		if !resp.Diagnostics.HasError() {
			t.Fatalf("%+v: no error", c)
		}
		d := resp.Diagnostics.Errors()[0]
		if p := d.(interface{ Path() path.Path }).Path().String(); p != c.wantPath || !strings.Contains(d.Detail(), c.wantDetail) {
			t.Errorf("%+v: got %s %q", c, p, d.Detail())
		}
	}
}

// Node group labels refuse the wildcards Fargate selectors accept.
func TestNodeLabels(t *testing.T) {
	m := types.MapValueMust(types.StringType, map[string]attr.Value{
		"app":   types.StringValue("service"),
		"role*": types.StringValue("x"),
		"tier":  types.StringValue("web-?"),
	})
	req := validator.MapRequest{Path: path.Root("labels"), ConfigValue: m}
	resp := &validator.MapResponse{}
	NodeLabels().ValidateMap(context.Background(), req, resp)
	if n := resp.Diagnostics.ErrorsCount(); n != 2 {
		t.Fatalf("want 2 errors, got %d: %v", n, resp.Diagnostics)
	}
	for _, d := range resp.Diagnostics.Errors() {
		if !strings.Contains(d.Detail(), "EKS refuses in node group labels") {
			t.Errorf("diagnostic does not say why: %v", d)
		}
	}
	resp = &validator.MapResponse{}
	Labels().ValidateMap(context.Background(), req, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("selector labels accept wildcards, got %v", resp.Diagnostics)
	}
}

func TestFargateProfiles(t *testing.T) {
	profiles := func(n int) types.Map {
		m := map[string]attr.Value{}
		for i := range n {
			m[fmt.Sprintf("fp%d", i)] = types.StringValue("x")
		}
		return types.MapValueMust(types.StringType, m)
	}
	for n, want := range map[int]int{10: 0, 11: 1} {
		resp := &validator.MapResponse{}
		FargateProfiles().ValidateMap(context.Background(), validator.MapRequest{Path: path.Root("fargate_profiles"), ConfigValue: profiles(n)}, resp)
		if got := resp.Diagnostics.ErrorsCount(); got != want {
			t.Errorf("%d profiles: %d errors, want %d: %v", n, got, want, resp.Diagnostics)
		}
	}
}
