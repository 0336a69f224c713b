package stack

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// FargateClusterConfig mirrors fargate_cluster's arguments.
type FargateClusterConfig struct {
	Name                    string                    `tf:"name"`
	KubernetesVersion       string                    `tf:"kubernetes_version,omitempty"`
	Network                 Network                   `tf:"network"`
	NodeGroups              map[string]NodeGroup      `tf:"node_groups,omitempty"`
	FargateProfiles         map[string]FargateProfile `tf:"fargate_profiles,omitempty"`
	CoreDNSComputeType      string                    `tf:"coredns_compute_type,omitempty"`
	Addons                  map[string]Addon          `tf:"addons,omitempty"`
	OidcProvider            *bool                     `tf:"oidc_provider,omitempty"`
	EndpointPublicAccess    *bool                     `tf:"endpoint_public_access,omitempty"`
	EndpointPrivateAccess   *bool                     `tf:"endpoint_private_access,omitempty"`
	PublicAccessCIDRs       []string                  `tf:"public_access_cidrs,omitempty"`
	ClusterRoleArn          string                    `tf:"cluster_role_arn,omitempty"`
	NodeRoleArn             string                    `tf:"node_role_arn,omitempty"`
	PodExecutionRoleArn     string                    `tf:"fargate_pod_execution_role_arn,omitempty"`
	EnabledLogTypes         []string                  `tf:"enabled_log_types,omitempty"`
	LogRetentionDays        int                       `tf:"log_retention_days,omitempty"`
	SecretsEncryption       *bool                     `tf:"secrets_encryption,omitempty"`
	SecretsEncryptionKeyArn string                    `tf:"secrets_encryption_key_arn,omitempty"`
	FargateLogging          *FargateLogging           `tf:"fargate_logging,omitempty"`
	Tags                    map[string]string         `tf:"tags,omitempty"`
	Timeouts                *Timeouts                 `tf:"timeouts,omitempty"`
	AuthenticationMode      string                    `tf:"authentication_mode,omitempty"`
	BootstrapCreatorAdmin   *bool                     `tf:"bootstrap_creator_admin,omitempty"`
	AccessEntries           map[string]AccessEntry    `tf:"access_entries,omitempty"`
	LoadBalancerController  *LoadBalancerController   `tf:"load_balancer_controller,omitempty"`

	// ExclusiveFargateProfiles: false leaves profiles others add (NewFargateApp) alone.
	ExclusiveFargateProfiles *bool `tf:"exclusive_fargate_profiles,omitempty"`

	Provider  cdktf.TerraformProvider
	DependsOn []cdktf.ITerraformDependable
}

// Timeouts bounds how long an operation of a resource may take in all, as
// Go durations such as "45m"; empty keeps the resource's default.
type Timeouts struct {
	Create string `tf:"create,omitempty"`
	Update string `tf:"update,omitempty"`
	Delete string `tf:"delete,omitempty"`
}

// Network is where the cluster lives: VpcCidr to create a VPC, or SubnetIds.
type Network struct {
	VpcCidr           string   `tf:"vpc_cidr,omitempty"`
	SubnetIds         []string `tf:"subnet_ids,omitempty"`
	AvailabilityZones []string `tf:"availability_zones,omitempty"`
}

// NodeGroup is a managed node group.
type NodeGroup struct {
	InstanceTypes []string          `tf:"instance_types"`
	DesiredSize   int               `tf:"desired_size"`
	MinSize       int               `tf:"min_size"`
	MaxSize       int               `tf:"max_size"`
	CapacityType  string            `tf:"capacity_type,omitempty"`
	AmiType       string            `tf:"ami_type,omitempty"`
	DiskSize      int               `tf:"disk_size,omitempty"`
	Labels        map[string]string `tf:"labels,omitempty"`
	SubnetIds     []string          `tf:"subnet_ids,omitempty"`
	Taints        []Taint           `tf:"taints,omitempty"`
	UpdateConfig  *UpdateConfig     `tf:"update_config,omitempty"`
}

// FargateProfile selects pods for Fargate.
type FargateProfile struct {
	Selectors []Selector `tf:"selectors"`
	SubnetIds []string   `tf:"subnet_ids,omitempty"`
}

// Addon is an EKS managed add-on; empty fields take EKS's defaults.
type Addon struct {
	Version               string `tf:"version,omitempty"`
	ConfigurationValues   string `tf:"configuration_values,omitempty"`
	ServiceAccountRoleArn string `tf:"service_account_role_arn,omitempty"`
}

// Selector matches a namespace and, optionally, labels.
type Selector struct {
	Namespace string            `tf:"namespace"`
	Labels    map[string]string `tf:"labels,omitempty"`
}

// FargateCluster is a fargate_cluster resource.
type FargateCluster struct {
	cdktf.TerraformResource
}

// NewFargateCluster adds a fargate_cluster to scope.
func NewFargateCluster(scope constructs.Construct, id string, config *FargateClusterConfig) *FargateCluster {
	r := cdktf.NewTerraformResource(scope, jsii.String(id), &cdktf.TerraformResourceConfig{
		TerraformResourceType:      jsii.String("fargate_cluster"),
		TerraformGeneratorMetadata: &cdktf.TerraformProviderGeneratorMetadata{ProviderName: jsii.String("fargate")},
		Provider:                   config.Provider,
		DependsOn:                  dependsOn(config.DependsOn),
	})
	setAttributes(r, *config)
	return &FargateCluster{r}
}

// The getters return tokens that Terraform resolves at apply time.

func (c *FargateCluster) Name() *string     { return c.GetStringAttribute(jsii.String("name")) }
func (c *FargateCluster) Arn() *string      { return c.GetStringAttribute(jsii.String("arn")) }
func (c *FargateCluster) Endpoint() *string { return c.GetStringAttribute(jsii.String("endpoint")) }
func (c *FargateCluster) Status() *string   { return c.GetStringAttribute(jsii.String("status")) }
func (c *FargateCluster) VpcID() *string    { return c.GetStringAttribute(jsii.String("network.vpc_id")) }
func (c *FargateCluster) OidcIssuerURL() *string {
	return c.GetStringAttribute(jsii.String("oidc_issuer_url"))
}
func (c *FargateCluster) OidcProviderArn() *string {
	return c.GetStringAttribute(jsii.String("oidc_provider_arn"))
}
func (c *FargateCluster) CertificateAuthorityData() *string {
	return c.GetStringAttribute(jsii.String("certificate_authority_data"))
}
