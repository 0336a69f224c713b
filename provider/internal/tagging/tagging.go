// Package tagging holds the one rule for a resource's `tags` and
// `tags_all` against the provider's `default_tags`, as terraform-provider-aws
// has it: `tags_all` is `tags` merged over the defaults (known at plan time),
// and reading back, `tags` is what AWS has less the defaults, keeping a key
// the configuration sets itself even where a default has the same value.
package tagging

import (
	"context"
	"maps"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// AllAttribute is the `tags_all` attribute.
func AllAttribute() schema.MapAttribute {
	return schema.MapAttribute{
		Computed:            true,
		ElementType:         types.StringType,
		MarkdownDescription: "`tags` merged over the provider's `default_tags`: the tags AWS has.",
	}
}

// Merge is tags_all: tags over defaults; unknown while tags are.
func Merge(ctx context.Context, defaults map[string]string, tags types.Map, diags *diag.Diagnostics) types.Map {
	if tags.IsUnknown() {
		return types.MapUnknown(types.StringType)
	}
	all := Over(defaults, nil)
	if !tags.IsNull() {
		own := map[string]string{}
		diags.Append(tags.ElementsAs(ctx, &own, false)...)
		maps.Copy(all, own)
	}
	v, d := types.MapValueFrom(ctx, types.StringType, all)
	diags.Append(d...)
	return v
}

// Over returns own merged over defaults, as a new map.
func Over(defaults, own map[string]string) map[string]string {
	all := make(map[string]string, len(defaults)+len(own))
	maps.Copy(all, defaults)
	maps.Copy(all, own)
	return all
}

// Flatten returns tags_all and tags from all, the tags AWS has. tags is all
// less the defaults, keeping a key the configuration sets itself even where
// a default tag has the same value, so that changes made outside Terraform
// show as drift in `tags`; it is null when the configuration sets none and
// nothing but defaults is there.
func Flatten(ctx context.Context, all map[string]string, configured types.Map, defaults map[string]string) (tagsAll, tags types.Map) {
	conf := map[string]string{}
	if !configured.IsNull() && !configured.IsUnknown() {
		configured.ElementsAs(ctx, &conf, false)
	}
	own := map[string]attr.Value{}
	allV := map[string]attr.Value{}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := all[k]
		allV[k] = types.StringValue(v)
		if _, set := conf[k]; set || defaults[k] != v {
			own[k] = types.StringValue(v)
		}
	}
	tags = types.MapNull(types.StringType)
	if len(own) > 0 || (!configured.IsNull() && !configured.IsUnknown()) {
		tags = types.MapValueMust(types.StringType, own)
	}
	return types.MapValueMust(types.StringType, allV), tags
}
