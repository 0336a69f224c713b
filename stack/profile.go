package stack

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// FargateProfileConfig mirrors fargate_profile's arguments: one Fargate
// profile added to a cluster made elsewhere.
type FargateProfileConfig struct {
	Cluster             *string           `tf:"cluster"`
	Name                string            `tf:"name"`
	Selectors           []Selector        `tf:"selectors"`
	SubnetIds           []string          `tf:"subnet_ids,omitempty"`
	PodExecutionRoleArn string            `tf:"pod_execution_role_arn,omitempty"`
	Tags                map[string]string `tf:"tags,omitempty"`

	Provider  cdktf.TerraformProvider
	DependsOn []cdktf.ITerraformDependable
}

// FargateProfileResource is a fargate_profile resource (FargateProfile is
// an entry of fargate_cluster's fargate_profiles).
type FargateProfileResource struct {
	cdktf.TerraformResource
}

// NewFargateProfile adds a fargate_profile to scope.
func NewFargateProfile(scope constructs.Construct, id string, config *FargateProfileConfig) *FargateProfileResource {
	r := cdktf.NewTerraformResource(scope, jsii.String(id), &cdktf.TerraformResourceConfig{
		TerraformResourceType:      jsii.String("fargate_profile"),
		TerraformGeneratorMetadata: &cdktf.TerraformProviderGeneratorMetadata{ProviderName: jsii.String("fargate")},
		Provider:                   config.Provider,
		DependsOn:                  dependsOn(config.DependsOn),
	})
	setAttributes(r, *config)
	return &FargateProfileResource{r}
}

// Cluster is the profile's cluster name, as a token: what names it makes
// the dependent wait for the profile.
func (p *FargateProfileResource) Cluster() *string {
	return p.GetStringAttribute(jsii.String("cluster"))
}

// Arn is the profile's ARN token.
func (p *FargateProfileResource) Arn() *string { return p.GetStringAttribute(jsii.String("arn")) }
