package cluster

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/selectors"
)

// A profile in transition that is in the state but not in the plan (made
// by another tool while it was CREATING) must not enter the plan as an
// empty entry: that made Terraform fail with "Value Conversion Error".
func TestMarkNew_skipsEntriesNotPlanned(t *testing.T) {
	ctx := context.Background()
	sel, _ := types.ListValueFrom(ctx, selectors.Type, []selectors.Model{{Namespace: types.StringValue("a"), Labels: types.MapNull(types.StringType)}})
	planned := map[string]fargateProfileModel{"fp-a": {Selectors: sel, SubnetIDs: types.SetNull(types.StringType), ARN: types.StringValue("arn"), Status: types.StringValue("CREATING")}}
	plan, d := types.MapValueFrom(ctx, fargateProfileObject, planned)
	if d.HasError() {
		t.Fatal(d)
	}
	var diags diag.Diagnostics
	got := markNew(ctx, plan, plan, fargateProfileObject, []string{"fp-a", "fp-external"}, func(p *fargateProfileModel, _ fargateProfileModel) {
		p.Status = types.StringUnknown()
	}, &diags)
	if diags.HasError() {
		t.Fatalf("diagnostics: %v", diags)
	}
	els := got.Elements()
	if _, ok := els["fp-external"]; ok || len(els) != 1 {
		t.Fatalf("entries: %v", els)
	}
	if st := els["fp-a"].(types.Object).Attributes()["status"].(types.String); !st.IsUnknown() {
		t.Fatalf("fp-a's status was not marked: %v", st)
	}
}
