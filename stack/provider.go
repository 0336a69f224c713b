package stack

import (
	"reflect"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// ProviderSource is where Terraform finds the provider, and
// ProviderVersion the versions the constructs are written for.
const (
	ProviderSource  = "terrax/fargate"
	ProviderVersion = "~> 0.1"
)

// ProviderConfig mirrors the fargate provider's configuration.
type ProviderConfig struct {
	Region      string             `tf:"region,omitempty"`
	Profile     string             `tf:"profile,omitempty"`
	MaxRetries  int                `tf:"max_retries,omitempty"`
	AssumeRole  *AssumeRole        `tf:"assume_role,omitempty"`
	DefaultTags *DefaultTags       `tf:"default_tags,omitempty"`
	Endpoints   *ProviderEndpoints `tf:"endpoints,omitempty"`
}

// AssumeRole is the provider's assume_role block.
type AssumeRole struct {
	RoleArn     string `tf:"role_arn,omitempty"`
	SessionName string `tf:"session_name,omitempty"`
	ExternalID  string `tf:"external_id,omitempty"`
}

// DefaultTags is the provider's default_tags block.
type DefaultTags struct {
	Tags map[string]string `tf:"tags,omitempty"`
}

// ProviderEndpoints is the provider's endpoints block (emulators).
type ProviderEndpoints struct {
	URL string `tf:"url,omitempty"`
	EKS string `tf:"eks,omitempty"`
	IAM string `tf:"iam,omitempty"`
	EC2 string `tf:"ec2,omitempty"`
	STS string `tf:"sts,omitempty"`
	ELB string `tf:"elbv2,omitempty"`
}

// Provider is the terrax/fargate provider in a stack.
type Provider struct {
	cdktf.TerraformProvider
	attrs map[string]any
}

// SynthesizeAttributes is what CDKTF writes in the provider block (the
// method generated provider bindings override too).
func (p *Provider) SynthesizeAttributes() *map[string]any {
	return &p.attrs
}

// SynthesizeHclAttributes is the same for HCL output.
func (p *Provider) SynthesizeHclAttributes() *map[string]any {
	return &p.attrs
}

// NewProvider configures the terrax/fargate provider in a stack (and its
// required_providers entry).
func NewProvider(scope constructs.Construct, id string, config *ProviderConfig) *Provider {
	p := &Provider{attrs: map[string]any{}}
	if config != nil {
		p.attrs = toTerraform(reflect.ValueOf(*config)).(map[string]any)
	}
	cdktf.NewTerraformProvider_Override(p, scope, jsii.String(id), &cdktf.TerraformProviderConfig{
		TerraformResourceType:   jsii.String("fargate"),
		TerraformProviderSource: jsii.String(ProviderSource),
		TerraformGeneratorMetadata: &cdktf.TerraformProviderGeneratorMetadata{
			ProviderName: jsii.String("fargate"), ProviderVersionConstraint: jsii.String(ProviderVersion),
		},
	})
	return p
}
