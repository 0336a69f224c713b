package manifest

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// project keeps, of a live object, the fields the desired object sets: what
// this resource manages. Both the state after an apply and a later read go
// through the same projection of server-returned objects, so they compare
// equal until someone changes a managed field (a Deployment scaled by hand).
func project(desired, live any) any {
	switch d := desired.(type) {
	case map[string]any:
		lm, _ := live.(map[string]any)
		out := map[string]any{}
		for k, dv := range d {
			if lv, ok := lm[k]; ok {
				out[k] = project(dv, lv)
			}
		}
		return out
	case []any:
		ll, _ := live.([]any)
		out := []any{}
		for i := range d {
			if i < len(ll) {
				out = append(out, project(d[i], ll[i]))
			}
		}
		return out
	default:
		return live
	}
}

// absent is the live value of a managed object that no longer exists.
const absent = "(deleted outside Terraform)"

// render is the live value of an object: the managed fields as YAML.
func render(desired, live *unstructured.Unstructured) string {
	if live == nil {
		return absent
	}
	d := desired.DeepCopy().Object
	delete(d, "status")
	b, err := yaml.Marshal(project(d, live.Object))
	if err != nil {
		return err.Error()
	}
	return string(b)
}
