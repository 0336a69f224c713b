package stack_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	fargateprovider "github.com/terrax/terraform-provider-fargate/provider"
	"github.com/terrax/terraform-provider-fargate/provider/cluster"
	"github.com/terrax/terraform-provider-fargate/provider/manifest"
	"github.com/terrax/terraform-provider-fargate/provider/profile"
	"github.com/terrax/terraform-provider-fargate/stack"
)

// schemaNames lists a resource schema's attributes and blocks by path, each
// with whether a configuration can set it (required, optional, or a block).
func schemaNames(t *testing.T, prefix string, attrs map[string]rschema.Attribute, blocks map[string]rschema.Block, out map[string]bool) {
	t.Helper()
	for name, a := range attrs {
		out[prefix+name] = a.IsRequired() || a.IsOptional()
		switch n := a.(type) {
		case rschema.SingleNestedAttribute:
			schemaNames(t, prefix+name+".", n.Attributes, nil, out)
		case rschema.MapNestedAttribute:
			schemaNames(t, prefix+name+".*.", n.NestedObject.Attributes, nil, out)
		case rschema.ListNestedAttribute:
			schemaNames(t, prefix+name+".*.", n.NestedObject.Attributes, nil, out)
		case rschema.SetNestedAttribute:
			schemaNames(t, prefix+name+".*.", n.NestedObject.Attributes, nil, out)
		}
	}
	for name, b := range blocks {
		out[prefix+name] = true
		switch n := b.(type) {
		case rschema.SingleNestedBlock:
			schemaNames(t, prefix+name+".", n.Attributes, n.Blocks, out)
		case rschema.ListNestedBlock:
			schemaNames(t, prefix+name+".*.", n.NestedObject.Attributes, n.NestedObject.Blocks, out)
		case rschema.SetNestedBlock:
			schemaNames(t, prefix+name+".*.", n.NestedObject.Attributes, n.NestedObject.Blocks, out)
		default:
			t.Fatalf("block %s%s is a %T, which this test does not read yet", prefix, name, b)
		}
	}
}

// tagNames lists a construct config's tf tags by path.
func tagNames(prefix string, t reflect.Type, out map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		if t.Kind() == reflect.Map {
			prefix += "*."
		} else if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct {
			prefix += "*."
		}
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Anonymous {
			tagNames(prefix, t.Field(i).Type, out)
			continue
		}
		tag := t.Field(i).Tag.Get("tf")
		name, _, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		out[prefix+name] = true
		tagNames(prefix+name+".", t.Field(i).Type, out)
	}
}

func resourceSchema(t *testing.T, r fwresource.Resource) rschema.Schema {
	var resp fwresource.SchemaResponse
	r.Schema(context.Background(), fwresource.SchemaRequest{}, &resp)
	return resp.Schema
}

// constructGaps compares a construct config with a resource schema, at every
// depth: extra lists what the construct writes and the schema lacks, missing
// what a configuration can set (attributes, nested blocks such as timeouts)
// and the construct cannot write.
func constructGaps(t *testing.T, schema rschema.Schema, config any) (extra, missing []string) {
	t.Helper()
	names := map[string]bool{}
	schemaNames(t, "", schema.Attributes, schema.Blocks, names)
	tags := map[string]bool{}
	tagNames("", reflect.TypeOf(config), tags)
	for name := range tags {
		if _, ok := names[name]; !ok {
			extra = append(extra, name)
		}
	}
	for name, configurable := range names {
		if configurable && !tags[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	return extra, missing
}

// The constructs stay in step with the provider: every attribute they
// write exists in its schema, and everything a configuration can set,
// nested attributes and blocks included, can be written.
func TestConstructsMatchProviderSchema(t *testing.T) {
	cases := []struct {
		name   string
		schema rschema.Schema
		config any
	}{
		{"fargate_cluster", resourceSchema(t, cluster.NewResource()), stack.FargateClusterConfig{}},
		{"fargate_profile", resourceSchema(t, profile.NewResource()), stack.FargateProfileConfig{}},
		{"fargate_manifest", resourceSchema(t, manifest.NewResource()), struct {
			stack.ManifestConfig
			Manifest string `tf:"manifest"`
		}{}},
	}
	for _, c := range cases {
		extra, missing := constructGaps(t, c.schema, c.config)
		if len(extra) > 0 {
			t.Errorf("%s: the constructs write %v, which the provider's schema does not have", c.name, extra)
		}
		if len(missing) > 0 {
			t.Errorf("%s: the provider's schema has %v, which the construct cannot write", c.name, missing)
		}
	}
	// The comparison itself sees a nested attribute and a block (with its
	// attributes) that the construct lacks.
	s := resourceSchema(t, cluster.NewResource())
	ng := s.Attributes["node_groups"].(rschema.MapNestedAttribute)
	ng.NestedObject.Attributes = maps.Clone(ng.NestedObject.Attributes)
	ng.NestedObject.Attributes["warm_pool"] = rschema.MapAttribute{Optional: true, ElementType: types.StringType}
	s.Attributes = maps.Clone(s.Attributes)
	s.Attributes["node_groups"] = ng
	s.Blocks = maps.Clone(s.Blocks)
	s.Blocks["retries"] = rschema.SingleNestedBlock{Attributes: map[string]rschema.Attribute{"limit": rschema.Int64Attribute{Optional: true}}}
	if _, missing := constructGaps(t, s, stack.FargateClusterConfig{}); fmt.Sprint(missing) != "[node_groups.*.warm_pool retries retries.limit]" {
		t.Errorf("a schema with a new nested attribute and block: missing %v", missing)
	}
	var presp provider.SchemaResponse
	fargateprovider.New("test")().Schema(context.Background(), provider.SchemaRequest{}, &presp)
	tags := map[string]bool{}
	tagNames("", reflect.TypeOf(stack.ProviderConfig{}), tags)
	for name := range tags {
		top, _, _ := strings.Cut(name, ".")
		if _, ok := presp.Schema.Attributes[top]; !ok {
			if _, ok := presp.Schema.Blocks[top]; !ok {
				t.Errorf("provider: the construct writes %q, which the provider's schema does not have", name)
			}
		}
	}
}
