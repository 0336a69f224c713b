package manifest

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
)

// ImportState takes "<cluster>/<apiVersion>/<kind>/<namespace>/<name>".
func (r *Resource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name, rest, ok := strings.Cut(req.ID, "/")
	id, err := kubeobj.ParseID(rest)
	if !ok || err != nil {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("want <cluster>/<apiVersion>/<kind>/<namespace>/<name>, e.g. terrax-fargate/apps/v1/Deployment/tb-demo/mysql: %v", err))
		return
	}
	a, err := r.connect(ctx, name)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Connecting to EKS cluster %q failed", name), err.Error())
		return
	}
	u, err := a.get(ctx, id)
	if err == nil && u == nil {
		err = fmt.Errorf("%s does not exist in cluster %s", id.Short(), name)
	}
	if err != nil {
		resp.Diagnostics.AddError("Import failed", err.Error())
		return
	}
	clean(u)
	b, err := yaml.Marshal(u.Object)
	if err != nil {
		resp.Diagnostics.AddError("Import failed", err.Error())
		return
	}
	m := manifestModel{
		ID: types.StringValue(name + "/import-" + strings.ToLower(id.Kind) + "-" + id.Name), Cluster: types.StringValue(name),
		Manifest: types.StringValue(string(b)), ForceConflicts: types.BoolValue(false), Wait: types.BoolValue(true),
		Live: types.MapNull(types.StringType),
	}
	objs, err := kubeobj.Parse(string(b))
	if err != nil {
		resp.Diagnostics.AddError("Import failed", err.Error())
		return
	}
	topo, d := r.layout(ctx, name)
	resp.Diagnostics.Append(d...)
	var placements map[kubeobj.ID]string
	if topo.Known {
		placements, _ = check(objs, topo)
	}
	m.Objects, d = objectsValue(ctx, objs, placements, types.StringNull())
	resp.Diagnostics.Append(d...)
	m.Timeouts.Object = types.ObjectNull(timeoutsAttrTypes(ctx))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// clean drops what the server sets from an imported object.
func clean(u *unstructured.Unstructured) {
	delete(u.Object, "status")
	for _, f := range []string{"uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink"} {
		unstructured.RemoveNestedField(u.Object, "metadata", f)
	}
	ann := u.GetAnnotations()
	for k := range ann {
		if strings.HasPrefix(k, "kubectl.kubernetes.io/") || strings.HasPrefix(k, "deployment.kubernetes.io/") {
			delete(ann, k)
		}
	}
	if len(ann) == 0 {
		ann = nil
	}
	u.SetAnnotations(ann)
}
