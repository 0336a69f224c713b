package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/addons"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/incluster"
	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
	"github.com/terrax/terraform-provider-fargate/provider/internal/validate"
)

// The `addons` attribute: its schema, model, expand, flatten and plan.

type addonModel struct {
	Version               types.String `tfsdk:"version"`
	ConfigurationValues   types.String `tfsdk:"configuration_values"`
	ServiceAccountRoleARN types.String `tfsdk:"service_account_role_arn"`
}

var addonObject = addonsSchema().NestedObject.Type().(types.ObjectType)

func addonsSchema() schema.MapNestedAttribute {
	return schema.MapNestedAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "EKS managed add-ons by name (as `aws eks describe-addon-versions` lists them). Defaults to the three " +
			"EKS installs in every cluster, `vpc-cni`, `kube-proxy` and `coredns`, as managed add-ons. Add-ons are created after " +
			"the node groups and Fargate profiles their pods need; one removed from the map is deleted; a change of version, " +
			"configuration or role is made in place. The resource manages **all** add-ons of its cluster: one added outside " +
			"Terraform shows in the next plan as one to remove. " +
			"`aws-ebs-csi-driver` (needed for EBS volumes since Kubernetes 1.23) needs a node group, since its controller cannot " +
			"run on Fargate; unless `service_account_role_arn` is given, the resource makes its IAM role (policy " +
			"`AmazonEBSCSIDriverPolicy`), trusted through EKS Pod Identity, and adds the `eks-pod-identity-agent` add-on.",
		Validators: []validator.Map{mapvalidator.KeysAre(
			stringvalidator.LengthBetween(1, eksrules.MaxAddonNameLen),
			stringvalidator.RegexMatches(regexp.MustCompile(eksrules.AddonNamePattern), "must be an EKS add-on name: lowercase letters, digits, hyphens and underscores, starting with a letter or digit"),
		)},
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"version": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Add-on version, e.g. `v1.12.1-eksbuild.2`. Defaults to EKS's default version for the cluster's " +
					"`kubernetes_version`, and then follows `kubernetes_version` upgrades (control plane, then add-ons, then node groups). Updated in place.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"configuration_values": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "JSON configuration of the add-on, as its schema allows (`aws eks describe-addon-configuration`). " +
					"For `coredns`, `computeType` is set by `coredns_compute_type`. Updated in place.",
				Validators: []validator.String{jsonObject{}},
			},
			"service_account_role_arn": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "IAM role of the add-on's service account (IRSA). For `aws-ebs-csi-driver`, when not given, " +
					"the resource makes one. Updated in place.",
				Validators: []validator.String{validate.RoleARN()},
			},
		}},
	}
}

// jsonObject refuses configuration_values that are not a JSON object.
type jsonObject struct{}

func (jsonObject) Description(context.Context) string { return "must be a JSON object" }
func (v jsonObject) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (jsonObject) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(req.ConfigValue.ValueString()), &m); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid add-on configuration",
			fmt.Sprintf("configuration_values must be a JSON object, such as jsonencode({ replicaCount = 2 }): %v", err))
	}
}

// ebsNeedsNodeGroups refuses aws-ebs-csi-driver on a cluster without node
// groups: its controller carries eks.amazonaws.com/compute-type: ec2.
type ebsNeedsNodeGroups struct{}

func (ebsNeedsNodeGroups) Description(context.Context) string {
	return "aws-ebs-csi-driver needs a node group"
}
func (v ebsNeedsNodeGroups) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (ebsNeedsNodeGroups) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var as, ngs types.Map
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("addons"), &as)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("node_groups"), &ngs)...)
	if as.IsUnknown() || ngs.IsUnknown() {
		return
	}
	if _, ebs := as.Elements()[addons.EBSCSIDriver]; ebs && len(ngs.Elements()) == 0 {
		resp.Diagnostics.AddAttributeError(path.Root("addons").AtMapKey(addons.EBSCSIDriver), "The EBS CSI driver needs a node group",
			"The aws-ebs-csi-driver add-on's controller runs only on EC2 nodes (it has no instance metadata on Fargate, and EKS marks "+
				"it eks.amazonaws.com/compute-type: ec2), and this cluster has no node groups. Add a node group to node_groups, or "+
				"remove aws-ebs-csi-driver from addons (then no EBS volume can be provisioned).")
	}
}

// expandAddons reads the add-ons of a model; unknown versions read as ""
// (EKS's default for the cluster's version).
func expandAddons(ctx context.Context, m types.Map) (addons.Set, diag.Diagnostics) {
	return expandMap(ctx, m, func(a addonModel) (addons.Addon, diag.Diagnostics) {
		return addons.Addon{Version: a.Version.ValueString(), Config: a.ConfigurationValues.ValueString(), RoleARN: a.ServiceAccountRoleARN.ValueString()}, nil
	})
}

// desiredAddons is what the cluster runs for the add-ons configured:
// CoreDNS's compute type merged into its configuration, and the Pod
// Identity agent when the EBS CSI driver gets its role through Pod Identity.
func desiredAddons(set addons.Set, coreDNSTarget string, nodeGroups int) addons.Set {
	out := addons.Set{}
	for n, a := range set {
		if n == addons.CoreDNS {
			a.Config = addons.MergeJSON(a.Config, incluster.ComputeTypeKey, coreDNSTarget)
		}
		out[n] = a
	}
	if a, ok := out[addons.EBSCSIDriver]; ok && a.RoleARN == "" && nodeGroups > 0 {
		if _, ok := out[addons.PodIdentityAgent]; !ok {
			out[addons.PodIdentityAgent] = addons.Addon{}
		}
	}
	return out
}

// flattenAddons is the add-ons observed, as configured: CoreDNS without the
// compute type coredns_compute_type owns, the role the resource made for
// the EBS CSI driver as null, and the Pod Identity agent it added left out.
func flattenAddons(ctx context.Context, observed map[string]*ekstypes.Addon, madeRole string, base types.Map) (types.Map, diag.Diagnostics) {
	prior := map[string]addonModel{}
	var diags diag.Diagnostics
	if !base.IsNull() && !base.IsUnknown() {
		diags.Append(base.ElementsAs(ctx, &prior, false)...)
	}
	out := map[string]addonModel{}
	for n, a := range observed {
		_, configured := prior[n]
		if _, ebs := observed[addons.EBSCSIDriver]; n == addons.PodIdentityAgent && ebs && !configured {
			continue
		}
		cfg := aws.ToString(a.ConfigurationValues)
		if n == addons.CoreDNS {
			cfg = addons.WithoutKey(cfg, incluster.ComputeTypeKey)
		}
		m := addonModel{Version: stringOrNull(aws.ToString(a.AddonVersion)), ConfigurationValues: stringOrNull(cfg),
			ServiceAccountRoleARN: stringOrNull(aws.ToString(a.ServiceAccountRoleArn))}
		if p := prior[n].ConfigurationValues; addons.SameJSON(cfg, p.ValueString()) {
			m.ConfigurationValues = known(p) // as the user wrote it
		}
		if madeRole != "" && m.ServiceAccountRoleARN.ValueString() == madeRole {
			m.ServiceAccountRoleARN = types.StringNull()
		}
		out[n] = m
	}
	return types.MapValueFrom(ctx, addonObject, out)
}

// planAddons is the plan of `addons`: the configured add-ons (the three
// defaults when unset), each version as configured, else kept from the
// state while kubernetes_version stays, else known only at apply.
func planAddons(ctx context.Context, config, state types.Map, k8sChanged bool) (types.Map, diag.Diagnostics) {
	var diags diag.Diagnostics
	if config.IsUnknown() {
		return types.MapUnknown(addonObject), diags
	}
	configured := map[string]addonModel{}
	if config.IsNull() {
		for _, n := range addons.Defaults {
			configured[n] = addonModel{Version: types.StringNull(), ConfigurationValues: types.StringNull(), ServiceAccountRoleARN: types.StringNull()}
		}
	} else {
		diags.Append(config.ElementsAs(ctx, &configured, false)...)
	}
	prior := map[string]addonModel{}
	if !state.IsNull() && !state.IsUnknown() {
		diags.Append(state.ElementsAs(ctx, &prior, false)...)
	}
	for n, a := range configured {
		p, had := prior[n]
		if !had {
			p.Version = types.StringNull()
		}
		a.Version = plannedVersion(a.Version, p.Version, k8sChanged)
		configured[n] = a
	}
	v, d := types.MapValueFrom(ctx, addonObject, configured)
	diags.Append(d...)
	return v, diags
}

// plannedVersion: a configured version is used as is; one EKS chose is kept
// while the cluster's Kubernetes version stays, and follows it (EKS's
// default for the new version, known at apply) when it changes.
func plannedVersion(config, prior types.String, k8sChanged bool) types.String {
	switch {
	case !config.IsNull():
		return config
	case !k8sChanged && !prior.IsNull() && !prior.IsUnknown():
		return prior
	}
	return types.StringUnknown()
}

// isMadeRole reports whether arn is the IAM role the resource makes of kind
// name for the cluster (see owned.Owner.RoleName).
func isMadeRole(arn, roleName string) bool { return strings.HasSuffix(arn, "/"+roleName) }
