package stack

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// FargateAppConfig is one application team's app on a shared cluster, as
// examples/modules/fargate-app takes it.
type FargateAppConfig struct {
	// ClusterName names the cluster (made elsewhere; its fargate_cluster
	// sets exclusive_fargate_profiles = false).
	ClusterName *string
	// Namespace of the app, made here; also the name of its Deployment and
	// Service, and of its profile (fp-<namespace>).
	Namespace string
	// Labels of the app's pods, which the profile selects; default
	// app=<namespace>.
	Labels   map[string]string
	Image    string
	Replicas int32 // default 2
	Port     int32 // default 8080

	Provider  cdktf.TerraformProvider
	DependsOn []cdktf.ITerraformDependable
}

// FargateApp is the app's Fargate profile and its workloads.
type FargateApp struct {
	Profile  *FargateProfileResource
	Manifest *Manifest
}

// NewFargateApp adds to scope the app's Fargate profile and its
// Namespace, Deployment and Service (one fargate_manifest, which names the
// cluster through the profile, so it is applied once the profile is ACTIVE
// and the plan places its pods on Fargate).
func NewFargateApp(scope constructs.Construct, id string, config *FargateAppConfig) *FargateApp {
	if config.Namespace == "" || config.Image == "" {
		panic(fmt.Sprintf("fargate app %s: Namespace and Image are required", id))
	}
	labels := config.Labels
	if len(labels) == 0 {
		labels = map[string]string{"app": config.Namespace}
	}
	replicas, port := config.Replicas, config.Port
	if replicas == 0 {
		replicas = 2
	}
	if port == 0 {
		port = 8080
	}
	profile := NewFargateProfile(scope, id+"-profile", &FargateProfileConfig{
		Cluster:   config.ClusterName,
		Name:      "fp-" + config.Namespace,
		Selectors: []Selector{{Namespace: config.Namespace, Labels: labels}},
		Provider:  config.Provider, DependsOn: config.DependsOn,
	})
	name, ns := config.Namespace, config.Namespace
	manifest := NewManifest(scope, id+"-workloads", &ManifestConfig{
		Cluster:  profile.Cluster(),
		Provider: config.Provider,
		Objects: []runtime.Object{
			&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
			&appsv1.Deployment{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
				Spec: appsv1.DeploymentSpec{
					Replicas: &replicas,
					Selector: &metav1.LabelSelector{MatchLabels: labels},
					Template: corev1.PodTemplateSpec{
						ObjectMeta: metav1.ObjectMeta{Labels: labels},
						Spec: corev1.PodSpec{Containers: []corev1.Container{{
							Name: name, Image: config.Image, Ports: []corev1.ContainerPort{{ContainerPort: port}},
						}}},
					},
				},
			},
			&corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
				Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(port)}}},
			},
		},
	})
	return &FargateApp{Profile: profile, Manifest: manifest}
}
