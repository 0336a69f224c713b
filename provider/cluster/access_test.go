package cluster

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Without bootstrap_creator_admin the plan warns that the provider needs an
// entry of its own, more strongly when no entry is cluster admin.
func TestBootstrapOffWarns(t *testing.T) {
	ctx := context.Background()
	var sresp resource.SchemaResponse
	(&Resource{}).Schema(ctx, resource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	entriesType := typ.AttributeTypes["access_entries"].(tftypes.Map)
	entryType := entriesType.ElementType.(tftypes.Object)
	policiesType := entryType.AttributeTypes["policies"].(tftypes.Set)
	policyType := policiesType.ElementType.(tftypes.Object)
	config := func(bootstrap bool, policy string) tfsdk.Config {
		vals := map[string]tftypes.Value{}
		for n, at := range typ.AttributeTypes {
			vals[n] = tftypes.NewValue(at, nil)
		}
		vals["bootstrap_creator_admin"] = tftypes.NewValue(tftypes.Bool, bootstrap)
		entry := map[string]tftypes.Value{}
		for n, at := range entryType.AttributeTypes {
			entry[n] = tftypes.NewValue(at, nil)
		}
		entry["principal_arn"] = tftypes.NewValue(tftypes.String, "arn:aws:iam::123456789012:role/deployer")
		entry["policies"] = tftypes.NewValue(policiesType, []tftypes.Value{tftypes.NewValue(policyType, map[string]tftypes.Value{
			"policy": tftypes.NewValue(tftypes.String, policy), "namespaces": tftypes.NewValue(policyType.AttributeTypes["namespaces"], nil)})})
		vals["access_entries"] = tftypes.NewValue(entriesType, map[string]tftypes.Value{"deployer": tftypes.NewValue(entryType, entry)})
		return tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, vals)}
	}
	for _, c := range []struct {
		bootstrap bool
		policy    string
		warnings  int
		strong    bool
	}{
		{true, "AmazonEKSViewPolicy", 0, false},
		{false, "AmazonEKSClusterAdminPolicy", 1, false},
		{false, "AmazonEKSViewPolicy", 1, true},
	} {
		var resp resource.ValidateConfigResponse
		accessEntriesShape{}.ValidateResource(ctx, resource.ValidateConfigRequest{Config: config(c.bootstrap, c.policy)}, &resp)
		if resp.Diagnostics.HasError() || resp.Diagnostics.WarningsCount() != c.warnings {
			t.Fatalf("bootstrap %v, %s: %v", c.bootstrap, c.policy, resp.Diagnostics)
		}
		if c.warnings == 0 {
			continue
		}
		w := resp.Diagnostics.Warnings()[0]
		if strong := strings.Contains(w.Detail(), "will fail with 401"); strong != c.strong || !strings.Contains(w.Detail(), "provider's own principal") {
			t.Errorf("bootstrap %v, %s: warning %q", c.bootstrap, c.policy, w.Detail())
		}
		if d, ok := w.(interface{ Path() path.Path }); !ok || !d.Path().Equal(path.Root("bootstrap_creator_admin")) {
			t.Errorf("the warning is not on bootstrap_creator_admin: %v", w)
		}
	}
}
