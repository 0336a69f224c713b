package stack

import (
	"fmt"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// ManifestConfig mirrors fargate_manifest's arguments. Objects are typed
// Kubernetes objects (k8s.io/api), so a misplaced field is a Go compile
// error rather than the blog's mis-indented YAML.
type ManifestConfig struct {
	Cluster        *string          `tf:"cluster"`
	Objects        []runtime.Object `tf:"-"`
	ForceConflicts bool             `tf:"force_conflicts,omitempty"`
	Wait           *bool            `tf:"wait,omitempty"`
	Timeouts       *Timeouts        `tf:"timeouts,omitempty"`

	Provider  cdktf.TerraformProvider
	DependsOn []cdktf.ITerraformDependable
}

// manifestAttrs is what is synthesized, with the YAML.
type manifestAttrs struct {
	Cluster        *string   `tf:"cluster"`
	Manifest       string    `tf:"manifest"`
	ForceConflicts bool      `tf:"force_conflicts,omitempty"`
	Wait           *bool     `tf:"wait,omitempty"`
	Timeouts       *Timeouts `tf:"timeouts,omitempty"`
}

// Manifest is a fargate_manifest resource.
type Manifest struct {
	cdktf.TerraformResource
}

// ToYAML renders typed objects as the YAML documents fargate_manifest takes.
func ToYAML(objs []runtime.Object) (string, error) {
	var docs []string
	for _, o := range objs {
		o = o.DeepCopyObject()
		kinds, _, err := scheme.Scheme.ObjectKinds(o)
		if err != nil || len(kinds) == 0 {
			return "", fmt.Errorf("unknown Kubernetes type %T: %w", o, err)
		}
		o.GetObjectKind().SetGroupVersionKind(kinds[0])
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
		if err != nil {
			return "", err
		}
		// What a Go zero value adds and no manifest says.
		delete(u, "status")
		if md, ok := u["metadata"].(map[string]any); ok {
			delete(md, "creationTimestamp")
		}
		b, err := yaml.Marshal(u)
		if err != nil {
			return "", err
		}
		docs = append(docs, strings.TrimSpace(string(b)))
	}
	return strings.Join(docs, "\n---\n") + "\n", nil
}

// NewManifest adds a fargate_manifest to scope.
func NewManifest(scope constructs.Construct, id string, config *ManifestConfig) *Manifest {
	manifest, err := ToYAML(config.Objects)
	if err != nil {
		panic(fmt.Sprintf("manifest %s: %v", id, err))
	}
	r := cdktf.NewTerraformResource(scope, jsii.String(id), &cdktf.TerraformResourceConfig{
		TerraformResourceType:      jsii.String("fargate_manifest"),
		TerraformGeneratorMetadata: &cdktf.TerraformProviderGeneratorMetadata{ProviderName: jsii.String("fargate")},
		Provider:                   config.Provider,
		DependsOn:                  dependsOn(config.DependsOn),
	})
	setAttributes(r, manifestAttrs{Cluster: config.Cluster, Manifest: manifest, ForceConflicts: config.ForceConflicts, Wait: config.Wait, Timeouts: config.Timeouts})
	return &Manifest{r}
}

// ID is the manifest's ID token.
func (m *Manifest) ID() *string { return m.GetStringAttribute(jsii.String("id")) }
