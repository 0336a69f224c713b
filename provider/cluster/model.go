package cluster

import (
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// clusterModel is the resource's Terraform data.
type clusterModel struct {
	ID                     types.String   `tfsdk:"id"`
	Name                   types.String   `tfsdk:"name"`
	KubernetesVersion      types.String   `tfsdk:"kubernetes_version"`
	Network                types.Object   `tfsdk:"network"`
	EndpointPublicAccess   types.Bool     `tfsdk:"endpoint_public_access"`
	EndpointPrivateAccess  types.Bool     `tfsdk:"endpoint_private_access"`
	PublicAccessCIDRs      types.Set      `tfsdk:"public_access_cidrs"`
	NodeGroups             types.Map      `tfsdk:"node_groups"`
	FargateProfiles        types.Map      `tfsdk:"fargate_profiles"`
	CoreDNSComputeType     types.String   `tfsdk:"coredns_compute_type"`
	Addons                 types.Map      `tfsdk:"addons"`
	OIDCProvider           types.Bool     `tfsdk:"oidc_provider"`
	OIDCProviderARN        types.String   `tfsdk:"oidc_provider_arn"`
	ClusterRoleARN         types.String   `tfsdk:"cluster_role_arn"`
	NodeRoleARN            types.String   `tfsdk:"node_role_arn"`
	PodExecutionRoleARN    types.String   `tfsdk:"fargate_pod_execution_role_arn"`
	Tags                   types.Map      `tfsdk:"tags"`
	TagsAll                types.Map      `tfsdk:"tags_all"`
	ARN                    types.String   `tfsdk:"arn"`
	Endpoint               types.String   `tfsdk:"endpoint"`
	CertificateAuthority   types.String   `tfsdk:"certificate_authority_data"`
	OIDCIssuerURL          types.String   `tfsdk:"oidc_issuer_url"`
	Status                 types.String   `tfsdk:"status"`
	PlatformVersion        types.String   `tfsdk:"platform_version"`
	ClusterSecurityGroupID types.String   `tfsdk:"cluster_security_group_id"`
	AuthenticationMode     types.String   `tfsdk:"authentication_mode"`
	BootstrapCreatorAdmin  types.Bool     `tfsdk:"bootstrap_creator_admin"`
	AccessEntries          types.Map      `tfsdk:"access_entries"`
	Timeouts               timeouts.Value `tfsdk:"timeouts"`

	ExclusiveFargateProfiles types.Bool `tfsdk:"exclusive_fargate_profiles"` // see exclusive.go
	securityModel
	lbcModel
}

type networkModel struct {
	VPCCIDR           types.String `tfsdk:"vpc_cidr"`
	SubnetIDs         types.Set    `tfsdk:"subnet_ids"`
	AvailabilityZones types.List   `tfsdk:"availability_zones"`
	VPCID             types.String `tfsdk:"vpc_id"`
	PublicSubnetIDs   types.List   `tfsdk:"public_subnet_ids"`
	PrivateSubnetIDs  types.List   `tfsdk:"private_subnet_ids"`
}

type nodeGroupModel struct {
	InstanceTypes types.List   `tfsdk:"instance_types"`
	DesiredSize   types.Int64  `tfsdk:"desired_size"`
	MinSize       types.Int64  `tfsdk:"min_size"`
	MaxSize       types.Int64  `tfsdk:"max_size"`
	CapacityType  types.String `tfsdk:"capacity_type"`
	AMIType       types.String `tfsdk:"ami_type"`
	DiskSize      types.Int64  `tfsdk:"disk_size"`
	Labels        types.Map    `tfsdk:"labels"`
	SubnetIDs     types.Set    `tfsdk:"subnet_ids"`
	ARN           types.String `tfsdk:"arn"`
	Status        types.String `tfsdk:"status"`
	nodeGroupHardeningModel
}

type fargateProfileModel struct {
	Selectors types.List   `tfsdk:"selectors"`
	SubnetIDs types.Set    `tfsdk:"subnet_ids"`
	ARN       types.String `tfsdk:"arn"`
	Status    types.String `tfsdk:"status"`
}

// The attribute types of the nested objects, derived from the schema so
// that each shape is written once.
var (
	networkAttrTypes     = networkSchema().GetType().(types.ObjectType).AttrTypes
	nodeGroupObject      = nodeGroupsSchema().NestedObject.Type().(types.ObjectType)
	fargateProfileObject = fargateProfilesSchema().NestedObject.Type().(types.ObjectType)
)
