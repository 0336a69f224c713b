package tagging

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestMergeAndFlatten(t *testing.T) {
	ctx := context.Background()
	defaults := map[string]string{"owner": "platform", "env": "prod"}
	own := types.MapValueMust(types.StringType, map[string]attr.Value{"env": types.StringValue("prod"), "team": types.StringValue("a")})
	var diags diag.Diagnostics
	all := Merge(ctx, defaults, own, &diags)
	got := map[string]string{}
	all.ElementsAs(ctx, &got, false)
	if diags.HasError() || len(got) != 3 || got["owner"] != "platform" || got["team"] != "a" {
		t.Fatalf("tags_all %v %v", got, diags)
	}
	if !Merge(ctx, defaults, types.MapUnknown(types.StringType), &diags).IsUnknown() {
		t.Fatal("tags_all of unknown tags should be unknown")
	}
	// Read back: owner changed outside Terraform shows in tags; env, a
	// default the configuration also sets, stays; the rest is defaults.
	allV, tags := Flatten(ctx, map[string]string{"owner": "x", "env": "prod", "team": "a"}, own, defaults)
	tagsOut := map[string]string{}
	tags.ElementsAs(ctx, &tagsOut, false)
	if len(allV.Elements()) != 3 || len(tagsOut) != 3 || tagsOut["owner"] != "x" || tagsOut["env"] != "prod" {
		t.Fatalf("tags %v", tagsOut)
	}
	if _, tags := Flatten(ctx, map[string]string{"owner": "platform"}, types.MapNull(types.StringType), defaults); !tags.IsNull() {
		t.Fatalf("only defaults and no tags configured: tags %v, want null", tags)
	}
	if _, tags := Flatten(ctx, nil, types.MapValueMust(types.StringType, map[string]attr.Value{}), defaults); tags.IsNull() || len(tags.Elements()) != 0 {
		t.Fatalf("tags = {} configured and none in AWS: %v, want {}", tags)
	}
}
