// Command cdktf is the CDKTF guide's example (docs/guides/cdktf.md): a
// cluster and a workload from another CDKTF Go app, with the typed
// constructs of package stack. `go vet` in `make test` keeps it compiling.
package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/terrax/terraform-provider-fargate/stack"
)

func main() {
	app := cdktf.NewApp(nil)
	s := cdktf.NewTerraformStack(app, jsii.String("brewery"))
	stack.NewProvider(s, "fargate", &stack.ProviderConfig{Region: "eu-west-1"})

	cluster := stack.NewFargateCluster(s, "cluster", &stack.FargateClusterConfig{
		Name:    "brewery",
		Network: stack.Network{VpcCidr: "10.20.0.0/16"},
		NodeGroups: map[string]stack.NodeGroup{
			"stateful": {InstanceTypes: []string{"t3.medium"}, DesiredSize: 1, MinSize: 1, MaxSize: 2},
		},
		FargateProfiles: map[string]stack.FargateProfile{
			"fp-system": {Selectors: []stack.Selector{{Namespace: "default"}, {Namespace: "kube-system"}}},
			"fp-api":    {Selectors: []stack.Selector{{Namespace: "brewery", Labels: map[string]string{"app": "api"}}}},
		},
	})

	// A workload: typed Kubernetes objects, so a misplaced field is a compile
	// error, applied in the same deploy. Its placement is checked at plan time.
	labels, replicas := map[string]string{"app": "api"}, int32(2)
	stack.NewManifest(s, "api", &stack.ManifestConfig{
		Cluster: cluster.Name(),
		Objects: []runtime.Object{
			&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "brewery"}},
			&appsv1.Deployment{
				ObjectMeta: metav1.ObjectMeta{Name: "beer-api", Namespace: "brewery"},
				Spec: appsv1.DeploymentSpec{
					Replicas: &replicas,
					Selector: &metav1.LabelSelector{MatchLabels: labels},
					Template: corev1.PodTemplateSpec{
						ObjectMeta: metav1.ObjectMeta{Labels: labels},
						Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "api", Image: "public.ecr.aws/docker/library/nginx:1.27"}}},
					},
				},
			},
		},
	})
	cdktf.NewTerraformOutput(s, jsii.String("endpoint"), &cdktf.TerraformOutputConfig{Value: cluster.Endpoint()})
	app.Synth()
}
