package manifest

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekstest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/topology"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

const webYAML = `apiVersion: v1
kind: Namespace
metadata: {name: b}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: b}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
`

// planOnce plans a fargate_manifest of cluster "c" as a new provider
// process does (Terraform starts one for the plan and another for the
// apply, which plans the resource again): with an empty registry.
func planOnce(t *testing.T, r *Resource, manifest string, state *manifestModel) (manifestModel, diag.Diagnostics) {
	t.Helper()
	r.client.Topology = topology.New()
	return plan(t, r, manifest, state)
}

// plan plans a fargate_manifest of cluster "c" in r's provider process.
func plan(t *testing.T, r *Resource, manifest string, state *manifestModel) (manifestModel, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx)
	m := manifestModel{
		ID: types.StringUnknown(), Cluster: types.StringValue("c"), Manifest: types.StringValue(manifest),
		ForceConflicts: types.BoolValue(false), Wait: types.BoolValue(true),
		Objects: types.ListUnknown(objectType), Live: types.MapUnknown(types.StringType),
		Timeouts: timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes(context.Background()))},
	}
	plan := tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}
	diags := plan.Set(ctx, &m)
	st := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}
	if state != nil {
		diags.Append(st.Set(ctx, state)...)
	}
	resp := resource.ModifyPlanResponse{Plan: plan}
	r.ModifyPlan(ctx, resource.ModifyPlanRequest{Plan: plan, Config: tfsdk.Config{Schema: sr.Schema, Raw: plan.Raw}, State: st}, &resp)
	diags.Append(resp.Diagnostics...)
	var out manifestModel
	diags.Append(resp.Plan.Get(ctx, &out)...)
	return out, diags
}

// fakeLayout serves cluster c: profiles fp-b (namespace b) and
// fp-external, one node group; external answers fp-external's description.
func fakeLayout(t *testing.T, external func() ekstest.Reply) *Resource {
	conn, _ := ekstest.New(t, func(path []string, _ url.Values) ekstest.Reply {
		switch {
		case len(path) == 3 && path[2] == "fargate-profiles":
			return ekstest.Names("fargateProfileNames", []string{"fp-b", "fp-external"}, "")
		case len(path) == 3 && path[2] == "node-groups":
			return ekstest.Names("nodegroups", []string{"ng"}, "")
		case len(path) == 4 && path[3] == "fp-b":
			return ekstest.Profile("fp-b", "b")
		case len(path) == 4 && path[3] == "fp-external":
			return external()
		}
		return ekstest.NotFound(path[len(path)-1])
	})
	return &Resource{client: &conns.Client{EKS: conn}}
}

// A profile of another tool, deleted between the plan and the apply, made
// the apply's plan lose the placement it had planned: Terraform failed
// with "Provider produced inconsistent final plan ... placement: was
// known, but now unknown". The placement planned stays what the apply plans.
func TestModifyPlan_placementPlannedIsPlacementApplied(t *testing.T) {
	gone := false
	r := fakeLayout(t, func() ekstest.Reply {
		if gone {
			return ekstest.NotFound("fp-external")
		}
		return ekstest.Profile("fp-external", "external")
	})
	planned, d := planOnce(t, r, webYAML, nil)
	if d.HasError() {
		t.Fatal(d)
	}
	gone = true
	applied, d := planOnce(t, r, webYAML, nil)
	if d.HasError() {
		t.Fatal(d)
	}
	if !planned.Objects.Equal(applied.Objects) {
		t.Fatalf("planned objects %v, but the apply plans %v", planned.Objects, applied.Objects)
	}
	var objs []objectModel
	planned.Objects.ElementsAs(context.Background(), &objs, false)
	if len(objs) != 2 || objs[1].Placement.ValueString() != "fargate:fp-b" {
		t.Fatalf("objects: %v", objs)
	}
}

func placements(t *testing.T, m manifestModel) []types.String {
	t.Helper()
	var objs []objectModel
	if d := m.Objects.ElementsAs(context.Background(), &objs, false); d.HasError() {
		t.Fatal(d)
	}
	var out []types.String
	for _, o := range objs {
		out = append(out, o.Placement)
	}
	return out
}

func warnings(d diag.Diagnostics) string {
	var out []string
	for _, w := range d.Warnings() {
		out = append(out, w.Summary()+": "+w.Detail())
	}
	return strings.Join(out, "\n")
}

// When EKS cannot be read, a warning names the cluster and the error, and
// placement is not guessed: unknown for a new manifest; for one applied
// before, what the state recorded for the pods selected as then, so that the
// apply, which plans again from the same state, plans the same.
func TestModifyPlan_unreadableLayout(t *testing.T) {
	r := fakeLayout(t, func() ekstest.Reply {
		return ekstest.Error(http.StatusInternalServerError, "ServerException", "EKS is down")
	})
	created, d := planOnce(t, r, webYAML, nil)
	if d.HasError() || !placements(t, created)[1].IsUnknown() {
		t.Fatalf("new manifest: %v, %v", placements(t, created), d)
	}
	if w := warnings(d); !strings.Contains(w, `Cannot read the layout of EKS cluster "c"`) || !strings.Contains(w, "EKS is down") {
		t.Fatalf("warnings: %s", w)
	}

	state := created
	state.ID = types.StringValue("c/1")
	state.Live = types.MapNull(types.StringType)
	state.Objects, d = objectsValue(context.Background(), mustParse(t, webYAML), map[kubeobj.ID]string{
		{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "b", Name: "web"}: "fargate:fp-b"}, types.StringNull())
	if d.HasError() {
		t.Fatal(d)
	}
	scaled := strings.Replace(webYAML, "selector:", "replicas: 3\n  selector:", 1)
	relabelled := strings.ReplaceAll(webYAML, "app: web", "app: api")
	for _, c := range []struct {
		manifest string
		want     types.String
	}{{scaled, types.StringValue("fargate:fp-b")}, {relabelled, types.StringUnknown()}} {
		planned, d := planOnce(t, r, c.manifest, &state)
		applied, _ := planOnce(t, r, c.manifest, &state)
		if got := placements(t, planned)[1]; d.HasError() || !got.Equal(c.want) {
			t.Fatalf("placement %s, want %s (%v)", got, c.want, d)
		}
		if !planned.Objects.Equal(applied.Objects) {
			t.Fatalf("planned %v, the apply plans %v", planned.Objects, applied.Objects)
		}
	}
}

// A cluster that does not exist yet has no layout: placement is known after
// apply, with no warning.
func TestModifyPlan_clusterNotYetCreated(t *testing.T) {
	conn, _ := ekstest.New(t, func(path []string, _ url.Values) ekstest.Reply { return ekstest.NotFound("cluster c") })
	planned, d := planOnce(t, &Resource{client: &conns.Client{EKS: conn}}, webYAML, nil)
	if d.HasError() || d.WarningsCount() > 0 || !placements(t, planned)[1].IsUnknown() {
		t.Fatalf("%v, %v", placements(t, planned), d)
	}
}

// fargate_cluster's plan, made earlier in the same run, is the layout, or
// says it is known only at apply (placement unknown): no EKS call.
func TestModifyPlan_layoutFromTheClusterPlan(t *testing.T) {
	for _, c := range []struct {
		set  func(*topology.Registry)
		want types.String
	}{
		{func(r *topology.Registry) {
			r.SetLayout("c", []placement.Profile{{Name: "fp-b", Selectors: []placement.Selector{{Namespace: "b"}}}}, 0)
		}, types.StringValue("fargate:fp-b")},
		{func(r *topology.Registry) { r.SetPending("c") }, types.StringUnknown()},
	} {
		conn, srv := ekstest.New(t, func(path []string, _ url.Values) ekstest.Reply { return ekstest.NotFound("cluster c") })
		r := &Resource{client: &conns.Client{EKS: conn, Topology: topology.New()}}
		c.set(r.client.Topology)
		planned, d := plan(t, r, webYAML, nil)
		if got := placements(t, planned)[1]; d.HasError() || !got.Equal(c.want) {
			t.Fatalf("placement %s, want %s (%v)", got, c.want, d)
		}
		if n := srv.Calls("clusters/c/fargate-profiles"); n != 0 {
			t.Fatalf("%d EKS calls", n)
		}
	}
}

func mustParse(t *testing.T, manifest string) []kubeobj.Object {
	t.Helper()
	objs, err := kubeobj.Parse(manifest)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}
