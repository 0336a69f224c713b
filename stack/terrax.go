package stack

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TerraxStack is the blog's topology: an EKS cluster with a node group for
// the stateful MySQL and Fargate profiles for kube-system/default and the
// app=service pods; the tb-demo namespace, the tb-gp2 StorageClass
// (WaitForFirstConsumer), the mysql-data-disk claim, MySQL, and the Spring Boot service
// behind a load balancer.
type TerraxStack struct {
	cdktf.TerraformStack
	Cluster  *FargateCluster
	Database *Manifest
	Service  *Manifest
}

// NewTerraxStack builds the stack from a Config.
func NewTerraxStack(scope constructs.Construct, id string, c Config) *TerraxStack {
	s := newStack(scope, id, c, c.StateKey)

	cluster := NewFargateCluster(s, "cluster", &FargateClusterConfig{
		Name:              c.ClusterName,
		KubernetesVersion: c.KubernetesVersion,
		Network:           Network{VpcCidr: c.VpcCidr},
		NodeGroups: map[string]NodeGroup{
			"node-group": {InstanceTypes: []string{c.InstanceType}, DesiredSize: c.NodeCount, MinSize: c.NodeCount, MaxSize: max(c.NodeCount, 1) + 1},
		},
		FargateProfiles: map[string]FargateProfile{
			"fp-default":      {Selectors: []Selector{{Namespace: "default"}, {Namespace: "kube-system"}}},
			"fp-demo-service": {Selectors: []Selector{{Namespace: c.Namespace, Labels: map[string]string{"app": "service"}}}},
		},
		// EKS's three add-ons, and the EBS CSI driver MySQL's volume needs
		// (its controller runs on the node group with a role the provider makes).
		Addons: map[string]Addon{"vpc-cni": {}, "kube-proxy": {}, "coredns": {}, "aws-ebs-csi-driver": {}},
		// The control plane's API, audit and authenticator logs, and the
		// Fargate pods' logs, in CloudWatch Logs.
		EnabledLogTypes: []string{"api", "audit", "authenticator"},
		FargateLogging:  &FargateLogging{RetentionDays: 30},
		Tags:            map[string]string{"team": "brewers"},
	})
	database := NewManifest(s, "database", &ManifestConfig{Cluster: cluster.Name(), Objects: DatabaseObjects(c)})
	service := NewManifest(s, "service", &ManifestConfig{Cluster: cluster.Name(), Objects: ServiceObjects(c),
		DependsOn: []cdktf.ITerraformDependable{database}})

	cdktf.NewTerraformOutput(s, jsii.String("cluster_name"), &cdktf.TerraformOutputConfig{Value: cluster.Name()})
	cdktf.NewTerraformOutput(s, jsii.String("cluster_endpoint"), &cdktf.TerraformOutputConfig{Value: cluster.Endpoint()})
	return &TerraxStack{TerraformStack: s, Cluster: cluster, Database: database, Service: service}
}

// newStack is a stack with c's backend (its state in terraform.<id>.tfstate,
// or under key in S3) and the provider.
func newStack(scope constructs.Construct, id string, c Config, key string) cdktf.TerraformStack {
	s := cdktf.NewTerraformStack(scope, jsii.String(id))
	if c.Backend == "s3" {
		cfg := &cdktf.S3BackendConfig{
			Bucket: jsii.String(c.StateBucket), Key: jsii.String(key), Region: jsii.String(c.Region),
			DynamodbTable: jsii.String(c.LockTable), Encrypt: jsii.Bool(true),
		}
		b := cdktf.NewS3Backend(s, cfg)
		if c.StateEndpoint != "" {
			// An emulator such as moto: path-style S3, no account look-ups.
			b.AddOverride(jsii.String("endpoints"), map[string]any{"s3": c.StateEndpoint, "dynamodb": c.StateEndpoint, "sts": c.StateEndpoint, "iam": c.StateEndpoint})
			b.AddOverride(jsii.String("use_path_style"), true)
			b.AddOverride(jsii.String("skip_credentials_validation"), true)
			b.AddOverride(jsii.String("skip_requesting_account_id"), true)
			b.AddOverride(jsii.String("skip_metadata_api_check"), true)
			b.AddOverride(jsii.String("skip_region_validation"), true)
		}
	} else {
		cdktf.NewLocalBackend(s, &cdktf.LocalBackendConfig{Path: jsii.String("terraform." + id + ".tfstate")})
	}
	NewProvider(s, "fargate", &ProviderConfig{Region: c.Region})
	return s
}

func meta(name, ns string, labels map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}
}

// DatabaseObjects is the blog's database layer (its PVC indentation bug
// cannot happen with typed objects).
func DatabaseObjects(c Config) []runtime.Object {
	// The post's Immediate binding makes the volume in a zone of the EBS
	// driver's choosing, often not MySQL's node's: wait for the consumer.
	binding := storagev1.VolumeBindingWaitForFirstConsumer
	class := "tb-gp2"
	one := int32(1)
	db := map[string]string{"app": "database"}
	return []runtime.Object{
		&corev1.Namespace{ObjectMeta: meta(c.Namespace, "", nil)},
		&storagev1.StorageClass{
			ObjectMeta:        meta(class, "", nil),
			Provisioner:       c.StorageProvisioner,
			Parameters:        map[string]string{"type": c.StorageType, "fsType": "ext4"},
			VolumeBindingMode: &binding,
		},
		&corev1.PersistentVolumeClaim{
			ObjectMeta: meta("mysql-data-disk", c.Namespace, nil),
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				StorageClassName: &class,
				Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("25Mi")}},
			},
		},
		&appsv1.Deployment{
			ObjectMeta: meta("mysql", c.Namespace, db),
			Spec: appsv1.DeploymentSpec{
				Replicas: &one,
				Strategy: appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType},
				Selector: &metav1.LabelSelector{MatchLabels: db},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: db},
					Spec: corev1.PodSpec{
						Containers: []corev1.Container{{
							Name: "mysql", Image: c.MySQLImage,
							Env:          []corev1.EnvVar{{Name: "MYSQL_RANDOM_ROOT_PASSWORD", Value: "yes"}},
							Ports:        []corev1.ContainerPort{{ContainerPort: 3306}},
							VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/var/lib/mysql"}},
						}},
						Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{
							PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "mysql-data-disk"}}}},
					},
				},
			},
		},
		&corev1.Service{
			ObjectMeta: meta("mysql", c.Namespace, nil),
			Spec:       corev1.ServiceSpec{Selector: db, Ports: []corev1.ServicePort{{Port: 3306, TargetPort: intstr.FromInt32(3306)}}},
		},
	}
}

// ServiceObjects is the blog's Spring Boot layer on Fargate.
func ServiceObjects(c Config) []runtime.Object {
	svc := map[string]string{"app": "service"}
	replicas := int32(c.ServiceReplicas)
	return []runtime.Object{
		&appsv1.Deployment{
			ObjectMeta: meta("springboot-deployment", c.Namespace, svc),
			Spec: appsv1.DeploymentSpec{
				Replicas: &replicas,
				Selector: &metav1.LabelSelector{MatchLabels: svc},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: svc},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{
						Name: "springboot", Image: c.ServiceImage, Ports: []corev1.ContainerPort{{ContainerPort: 8080}},
					}}},
				},
			},
		},
		&corev1.Service{
			// EKS's legacy load balancer: instance targets on the node group,
			// whose kube-proxy forwards to the Fargate pods (IP targets would
			// need the AWS Load Balancer Controller, which EKS does not install).
			ObjectMeta: metav1.ObjectMeta{Name: "springboot-service", Namespace: c.Namespace},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: svc,
				Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}},
		},
	}
}
