// Package stack holds the CDKTF constructs of the terrax/fargate provider
// (FargateCluster, Manifest, Provider), written here since no prebuilt
// bindings exist for a custom provider, and TerraxStack, the blog's
// topology. Import it from any CDKTF Go app.
//
// A construct's config is a Go struct whose `tf` tags name the provider's
// attributes; a test compares them with the provider's schema at every depth,
// blocks included, so a renamed attribute fails a test instead of a deploy,
// and a new one fails it until the construct can write it.
package stack

import (
	"reflect"
	"sort"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// tfName reads a `tf:"name,omitempty"` tag.
func tfName(f reflect.StructField) (name string, omitEmpty bool, ok bool) {
	tag, ok := f.Tag.Lookup("tf")
	if !ok || tag == "-" {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	return name, opts == "omitempty", true
}

// toTerraform turns a config value into what the synthesized JSON holds:
// structs become objects keyed by their tf tags; empty optional fields are
// left out, so the provider's defaults apply.
func toTerraform(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return toTerraform(v.Elem())
	case reflect.Struct:
		out := map[string]any{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			name, omit, ok := tfName(t.Field(i))
			if !ok {
				continue
			}
			fv := v.Field(i)
			if omit && fv.IsZero() {
				continue
			}
			out[name] = toTerraform(fv)
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[k.String()] = toTerraform(v.MapIndex(k))
		}
		return out
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = toTerraform(v.Index(i))
		}
		return out
	default:
		return v.Interface()
	}
}

// setAttributes writes a config struct's attributes on a resource or provider.
func setAttributes(e interface{ AddOverride(*string, any) }, config any) {
	m := toTerraform(reflect.ValueOf(config)).(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e.AddOverride(jsii.String(k), m[k])
	}
}

// dependsOn turns constructs into Terraform dependencies. This package's
// constructs are Go structs around a jsii object: jsii wants the object.
func dependsOn(deps []cdktf.ITerraformDependable) *[]cdktf.ITerraformDependable {
	if len(deps) == 0 {
		return nil
	}
	out := make([]cdktf.ITerraformDependable, len(deps))
	for i, d := range deps {
		switch c := d.(type) {
		case *Manifest:
			out[i] = c.TerraformResource
		case *FargateCluster:
			out[i] = c.TerraformResource
		default:
			out[i] = d
		}
	}
	return &out
}
