// Package manifest implements fargate_manifest: Kubernetes objects applied
// to a fargate_cluster in the same apply, with server-side apply, EKS
// authentication made in-process, readiness waits, drift detection, and a
// plan-time check of where each pod will run.
package manifest

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/validate"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
)

type manifestModel struct {
	ID             types.String   `tfsdk:"id"`
	Cluster        types.String   `tfsdk:"cluster"`
	Manifest       types.String   `tfsdk:"manifest"`
	ForceConflicts types.Bool     `tfsdk:"force_conflicts"`
	Wait           types.Bool     `tfsdk:"wait"`
	Objects        types.List     `tfsdk:"objects"`
	Live           types.Map      `tfsdk:"live"`
	Timeouts       timeouts.Value `tfsdk:"timeouts"`
}

type objectModel struct {
	ID         types.String `tfsdk:"id"`
	APIVersion types.String `tfsdk:"api_version"`
	Kind       types.String `tfsdk:"kind"`
	Namespace  types.String `tfsdk:"namespace"`
	Name       types.String `tfsdk:"name"`
	Placement  types.String `tfsdk:"placement"`
}

// objectSchema is one entry of objects, declared once: objectType, the
// type of its values, is derived from it.
var objectSchema = schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
	"id":          schema.StringAttribute{Computed: true, MarkdownDescription: "`apiVersion/kind/namespace/name`, also the import ID after the cluster name."},
	"api_version": schema.StringAttribute{Computed: true, MarkdownDescription: "API version."},
	"kind":        schema.StringAttribute{Computed: true, MarkdownDescription: "Kind."},
	"namespace":   schema.StringAttribute{Computed: true, MarkdownDescription: "Namespace (empty for cluster-scoped kinds)."},
	"name":        schema.StringAttribute{Computed: true, MarkdownDescription: "Name."},
	"placement": schema.StringAttribute{Computed: true, MarkdownDescription: "For workloads: `fargate:<profile>` or `nodegroup`, " +
		"by EKS's Fargate rules; null for other kinds."},
}}

var objectType = objectSchema.Type()

// timeoutsBlock is the timeouts block; timeoutsAttrTypes, derived from it,
// types its values.
func timeoutsBlock(ctx context.Context) schema.Block {
	return timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true,
		CreateDescription: "How long applying the objects and waiting for them may take (default `20m`).",
		UpdateDescription: "How long applying changes and waiting for them may take (default `20m`).",
		DeleteDescription: "How long deleting the objects and waiting for them to go may take (default `20m`).",
	})
}

func timeoutsAttrTypes(ctx context.Context) map[string]attr.Type {
	return timeoutsBlock(ctx).Type().(attr.TypeWithAttributeTypes).AttributeTypes()
}

func (r *Resource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Kubernetes objects (one or more YAML documents) applied to an EKS cluster with server-side " +
			"apply, in the same `terraform apply` that creates the cluster. It authenticates as EKS expects (a token made " +
			"in-process and renewed as needed): no kubeconfig, no kubernetes provider. At plan time it works out where each " +
			"pod template will run (a Fargate profile, by EKS's rules, or a node group) and refuses what Fargate cannot run, " +
			"such as a pod with an EBS-backed volume selected by a Fargate profile.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Identifier of this set of objects.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"cluster": schema.StringAttribute{
				Required: true, MarkdownDescription: "Name of the EKS cluster, e.g. `fargate_cluster.terrax.name`. Changing it replaces the objects.",
				Validators:    []validator.String{validate.ClusterName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"manifest": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "One or more YAML documents. Namespaced objects without a namespace go to `default`. " +
					"Objects are applied in a safe order (namespaces, CRDs and storage classes first) and deleted in reverse; " +
					"removing a document deletes its object. Documents are decoded strictly: an unknown field is an error.",
				Validators: []validator.String{manifestValidator{}},
			},
			"force_conflicts": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Take over fields another field manager owns (server-side apply `force`). Without it, " +
					"applying a field someone else set first fails with the conflict. Fields this resource set and someone " +
					"changed by hand are always taken back when the apply repairs the drift its plan showed."},
			"wait": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Wait until what was applied is ready: Deployments, StatefulSets and DaemonSets rolled out, claims bound (or waiting for their first consumer), LoadBalancer Services given an address; bounded by `timeouts`. A rollout Fargate refuses fails at once with Fargate's reason."},
			"objects": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The objects, in document order, and where their pods run.",
				NestedObject:        objectSchema,
			},
			"live": schema.MapAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "By object ID, the fields this resource manages as the cluster has them. A change made outside " +
					"Terraform (a Deployment scaled by hand, an object deleted) shows here in the plan, and the apply restores it.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeoutsBlock(ctx),
		},
	}
}

// manifestValidator refuses, at plan, manifests that cannot be applied.
type manifestValidator struct{}

func (manifestValidator) Description(context.Context) string {
	return "Kubernetes YAML documents with apiVersion, kind and metadata.name, and only known fields"
}
func (v manifestValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (manifestValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	objs, err := kubeobj.Parse(req.ConfigValue.ValueString())
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid Kubernetes manifest", line)
		}
		return
	}
	if len(objs) == 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Empty Kubernetes manifest", "the manifest has no documents; give at least one object")
	}
}
