package cluster

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
	"github.com/terrax/terraform-provider-fargate/provider/internal/selectors"
	"github.com/terrax/terraform-provider-fargate/provider/internal/tagging"
	"github.com/terrax/terraform-provider-fargate/provider/internal/validate"
)

func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: desc,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

func (r *Resource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An Amazon EKS cluster with everything it needs, in one resource: the cluster IAM role, " +
			"the node role, the Fargate pod execution role, optionally a VPC, the cluster itself, managed node groups " +
			"and Fargate profiles. Node groups and profiles are keyed by name, so adding, changing or removing one " +
			"touches no other. Fargate profiles are created and deleted one at a time, as EKS requires.\n\n" +
			"The resource manages **all** node groups and Fargate profiles of its cluster: one created outside " +
			"Terraform shows in the next plan as one to remove, unless `exclusive_fargate_profiles` is false (then " +
			"`fargate_profile` resources may add profiles to the cluster).",
		Attributes: map[string]schema.Attribute{
			"id": computedString("The cluster name."),
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: fmt.Sprintf("Name of the EKS cluster: 1-%d letters, digits, hyphens and underscores, "+
					"starting with a letter or digit. Changing it replaces the cluster.", eksrules.MaxClusterNameLen),
				Validators:    []validator.String{validate.ClusterName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"kubernetes_version": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Kubernetes `<major>.<minor>` version, one of " + strings.Join(eksrules.SupportedVersions, ", ") +
					". Defaults to EKS's default version. Changing it upgrades the cluster and then its node groups in place, " +
					"one minor version at a time; downgrades are refused at plan time.",
				Validators:    []validator.String{validate.KubernetesVersion()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"network":                 networkSchema(),
			"endpoint_public_access":  boolDefault(true, "Whether the Kubernetes API endpoint is reachable from the internet. Updated in place."),
			"endpoint_private_access": boolDefault(false, "Whether the Kubernetes API endpoint is reachable from inside the VPC. Updated in place."),
			"public_access_cidrs": schema.SetAttribute{
				Optional:            true,
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "CIDR blocks allowed to reach the public endpoint. Defaults to `0.0.0.0/0`. Updated in place.",
				PlanModifiers:       []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
				Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(validate.IPv4CIDR())},
			},
			"node_groups": nodeGroupsSchema(),
			"coredns_compute_type": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("auto"),
				MarkdownDescription: "Where CoreDNS runs. `auto` (default): on Fargate exactly when a Fargate profile selects " +
					"CoreDNS's pods (namespace `kube-system`), as eksctl does; `fargate`; `ec2` (the node groups). Applied once the " +
					"profiles are ACTIVE, through the EKS `coredns` add-on's `configurationValues` (`{\"computeType\":\"Fargate\"}`), " +
					"or by patching the CoreDNS Deployment where the add-on API is not offered. A managed CoreDNS that could not run (on EC2 " +
					"with no node group, or on Fargate with no profile selecting it) is refused at plan.",
				Validators: []validator.String{stringvalidator.OneOf("auto", "fargate", "ec2")},
			},
			"fargate_profiles":           fargateProfilesSchema(),
			"exclusive_fargate_profiles": exclusiveProfilesAttribute(),
			"addons":                     addonsSchema(),
			"oidc_provider": boolDefault(true, "Whether the resource makes the cluster's IAM OpenID Connect provider (client "+
				"`sts.amazonaws.com`), which IAM roles for service accounts (IRSA) need; every IRSA role the resource makes trusts it. "+
				"Deleted with the cluster. An OIDC provider that already exists for the cluster's issuer is used and never deleted."),
			"oidc_provider_arn": computedString("ARN of the cluster's IAM OIDC provider, for the trust policies of IRSA roles; null when `oidc_provider` is false."),
			"cluster_role_arn": roleARN("IAM role the EKS control plane uses. When not given, the resource creates one "+
				"(trust `eks.amazonaws.com`, policy `AmazonEKSClusterPolicy`) and deletes it with the cluster. Changing it replaces the cluster.", true),
			"node_role_arn": roleARN("IAM role of the node groups' EC2 instances. When not given and the cluster has node groups, "+
				"the resource creates one (trust `ec2.amazonaws.com`; `AmazonEKSWorkerNodePolicy`, `AmazonEKS_CNI_Policy`, "+
				"`AmazonEC2ContainerRegistryReadOnly`).", false),
			"fargate_pod_execution_role_arn": roleARN("Fargate pod execution role. When not given and the cluster has Fargate "+
				"profiles, the resource creates one (trust `eks-fargate-pods.amazonaws.com`, limited to this cluster's profiles; "+
				"`AmazonEKSFargatePodExecutionRolePolicy`).", false),
			"tags": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Tags for the cluster and everything the resource creates (roles, VPC parts, node groups, " +
					"profiles). Updated in place.",
				Validators: validate.Tags(),
			},
			"tags_all":                   tagging.AllAttribute(),
			"arn":                        computedString("ARN of the EKS cluster."),
			"endpoint":                   computedString("URL of the Kubernetes API server."),
			"certificate_authority_data": computedString("Base64-encoded PEM certificate of the cluster's certificate authority."),
			"oidc_issuer_url":            computedString("OpenID Connect issuer URL of the cluster, for IAM roles for service accounts."),
			"status":                     computedString("Cluster status as EKS reports it, e.g. `ACTIVE`."),
			"platform_version":           computedString("EKS platform version of the cluster."),
			"cluster_security_group_id":  computedString("Security group EKS created for the cluster."),
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true,
				CreateDescription: "How long creating may take in all, e.g. `45m` (default). Includes IAM, the VPC, the cluster, node groups and profiles.",
				UpdateDescription: "How long an update may take in all (default `60m`).",
				DeleteDescription: "How long destroying may take in all (default `45m`).",
			}),
		},
	}
	maps.Copy(resp.Schema.Attributes, accessAttributes())
	maps.Copy(resp.Schema.Attributes, securityAttributes())
	maps.Copy(resp.Schema.Attributes, lbcAttributes())
}

var instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9-]+$`)

// ConfigValidators holds the rules that span attributes.
func (r *Resource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return append([]resource.ConfigValidator{endpointReachable{}, ebsNeedsNodeGroups{}, accessEntriesShape{}}, securityValidators()...)
}

// endpointReachable refuses a cluster whose API nobody could reach.
type endpointReachable struct{}

func (endpointReachable) Description(context.Context) string {
	return "endpoint_public_access or endpoint_private_access must be true"
}
func (v endpointReachable) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (endpointReachable) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var public, private types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("endpoint_public_access"), &public)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("endpoint_private_access"), &private)...)
	if public.IsUnknown() || private.IsUnknown() {
		return
	}
	// Unset means the default: public on, private off.
	pub := public.IsNull() || public.ValueBool()
	if !pub && !private.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint_public_access"), "Unreachable cluster endpoint",
			"endpoint_public_access and endpoint_private_access are both false, so nothing could reach the Kubernetes API; EKS requires at least one")
	}
}

func boolDefault(def bool, desc string) schema.BoolAttribute {
	return schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(def), MarkdownDescription: desc}
}

func roleARN(desc string, replaces bool) schema.StringAttribute {
	mods := []planmodifier.String{}
	if replaces {
		mods = append(mods, stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplaceIf(
			func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
				// Only a role the user names can change; one the resource made stays put.
				resp.RequiresReplace = !req.ConfigValue.IsNull()
			}, "Changing the cluster role replaces the cluster.", "Changing the cluster role replaces the cluster."))
	}
	return schema.StringAttribute{
		Optional:            true,
		Computed:            true,
		MarkdownDescription: desc,
		Validators:          []validator.String{validate.RoleARN()},
		PlanModifiers:       mods,
	}
}

func networkSchema() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Required: true,
		MarkdownDescription: "Where the cluster lives: either `vpc_cidr`, and the resource creates a VPC with a public and a " +
			"private subnet in each availability zone, an internet gateway and a NAT gateway (Fargate pods and node groups " +
			"use the private subnets); or `subnet_ids` of an existing VPC. Changing the network replaces the cluster, " +
			"since EKS cannot move a cluster.",
		Validators: []validator.Object{validate.ExactlyOneOf(map[string]string{
			"vpc_cidr":   "the resource creates a VPC",
			"subnet_ids": "the cluster uses existing subnets",
		})},
		Attributes: map[string]schema.Attribute{
			"vpc_cidr": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("IPv4 CIDR block (/%d to /%d) of a VPC to create. It is split into eight equal "+
					"subnets: public ones first, then private ones.", eksrules.MinVPCPrefix, eksrules.MaxVPCPrefix),
				Validators:    []validator.String{validate.VPCCIDR()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"subnet_ids": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: fmt.Sprintf("At least %d existing subnets in different availability zones. Fargate "+
					"profiles and node groups use the private ones among them (those without a route to an internet gateway).", eksrules.MinSubnets),
				Validators:    []validator.Set{setvalidator.SizeAtLeast(eksrules.MinSubnets)},
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplace()},
			},
			"availability_zones": schema.ListAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Availability zones of a created VPC (2 or 3). Defaults to the region's first three. " +
					"With `subnet_ids`, the zones of those subnets.",
				Validators: []validator.List{
					listvalidator.SizeBetween(2, 3),
					listvalidator.UniqueValues(),
					listvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("subnet_ids")),
				},
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown(), listplanmodifier.RequiresReplace()},
			},
			"vpc_id": computedString("ID of the cluster's VPC."),
			"public_subnet_ids": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Public subnets (a route to an internet gateway), for internet-facing load balancers.",
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"private_subnet_ids": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Private subnets, used by Fargate profiles and node groups.",
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func nodeGroupsBaseSchema() schema.MapNestedAttribute {
	return schema.MapNestedAttribute{
		Optional: true,
		MarkdownDescription: "Managed node groups by name (1-63 letters, digits, hyphens, underscores). Scaling, labels, " +
			"taints, update config and disk size are updated in place; changing anything else replaces that node group only.",
		Validators: []validator.Map{mapvalidator.KeysAre(validate.NodegroupName())},
		NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"instance_types": schema.ListAttribute{
					Required: true, ElementType: types.StringType,
					MarkdownDescription: "EC2 instance types, e.g. `[\"t3.medium\"]`. Changing them replaces the node group.",
					Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.UniqueValues(),
						listvalidator.ValueStringsAre(stringvalidator.RegexMatches(instanceTypePattern, "must be an EC2 instance type such as t3.medium"))},
				},
				"desired_size": schema.Int64Attribute{
					Required: true, MarkdownDescription: "Number of nodes to run, between `min_size` and `max_size`. Updated in place.",
					Validators: []validator.Int64{int64validator.AtLeast(0), validate.DesiredSize()},
				},
				"min_size": schema.Int64Attribute{
					Required: true, MarkdownDescription: "Fewest nodes (0 or more). Updated in place.",
					Validators: []validator.Int64{int64validator.AtLeast(0)},
				},
				"max_size": schema.Int64Attribute{
					Required: true, MarkdownDescription: "Most nodes (1 or more). Updated in place.",
					Validators: []validator.Int64{int64validator.AtLeast(1)},
				},
				"capacity_type": schema.StringAttribute{
					Optional: true, Computed: true,
					MarkdownDescription: "`ON_DEMAND` (default), `SPOT` or `CAPACITY_BLOCK`. Changing it replaces the node group.",
					Validators:          []validator.String{stringvalidator.OneOf(eksrules.CapacityTypes...)},
					PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				},
				"ami_type": schema.StringAttribute{
					Optional: true, Computed: true,
					MarkdownDescription: "AMI type, e.g. `AL2023_x86_64_STANDARD`. Defaults to EKS's choice. Changing it replaces the node group.",
					PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				},
				"disk_size": schema.Int64Attribute{
					Optional: true, Computed: true,
					MarkdownDescription: "Root volume size in GiB (default 20), on the node group's launch template: a change makes a new template " +
						"version that the nodes roll onto in place (a node group made without the resource's template is replaced).",
					Validators:    []validator.Int64{int64validator.Between(1, 16384)},
					PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
				},
				"labels": schema.MapAttribute{
					Optional: true, ElementType: types.StringType,
					MarkdownDescription: "Kubernetes labels of the nodes (no `*` or `?`: EKS refuses them on nodes). Updated in place.",
					Validators:          []validator.Map{validate.NodeLabels()},
				},
				"subnet_ids": schema.SetAttribute{
					Optional: true, Computed: true, ElementType: types.StringType,
					MarkdownDescription: "Subnets of the nodes. Defaults to the network's private subnets. Changing them replaces the node group.",
					PlanModifiers:       []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
				},
				"arn":    computedString("ARN of the node group."),
				"status": computedString("Status of the node group, e.g. `ACTIVE`."),
			},
		},
	}
}

func fargateProfilesSchema() schema.MapNestedAttribute {
	return schema.MapNestedAttribute{
		Optional: true,
		MarkdownDescription: "Fargate profiles by name (not starting with `eks-`). A pod runs on Fargate when its namespace " +
			"and labels match a selector of a profile. EKS profiles cannot change: changing one replaces that profile only, " +
			"which stops the pods it placed. Profiles are created and deleted one at a time, as EKS requires.",
		Validators: []validator.Map{mapvalidator.KeysAre(validate.FargateProfileName()), validate.FargateProfiles()},
		NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"selectors": selectors.Attribute(),
				"subnet_ids": schema.SetAttribute{
					Optional: true, Computed: true, ElementType: types.StringType,
					MarkdownDescription: "Private subnets for the profile's pods. Defaults to the network's private subnets. Changing them replaces the profile.",
					PlanModifiers:       []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
				},
				"arn":    computedString("ARN of the Fargate profile."),
				"status": computedString("Status of the Fargate profile, e.g. `ACTIVE`."),
			},
		},
	}
}
