package stack

import (
	"fmt"
	"strconv"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Config is everything TerraxStack lets you change, in one place: "scale
// to 4" is one value. Each field can be overridden by cdktf context
// (`cdktf deploy --context replicas=4`, or cdktf.json) or by the
// environment (TERRAX_REPLICAS=4); the environment wins.
type Config struct {
	Region             string `ctx:"region" env:"TERRAX_REGION"`
	ClusterName        string `ctx:"clusterName" env:"TERRAX_CLUSTER_NAME"`
	KubernetesVersion  string `ctx:"kubernetesVersion" env:"TERRAX_KUBERNETES_VERSION"`
	VpcCidr            string `ctx:"vpcCidr" env:"TERRAX_VPC_CIDR"`
	InstanceType       string `ctx:"instanceType" env:"TERRAX_INSTANCE_TYPE"`
	NodeCount          int    `ctx:"nodeCount" env:"TERRAX_NODE_COUNT"`
	Namespace          string `ctx:"namespace" env:"TERRAX_NAMESPACE"`
	ServiceReplicas    int    `ctx:"replicas" env:"TERRAX_REPLICAS"`
	StorageProvisioner string `ctx:"storageProvisioner" env:"TERRAX_STORAGE_PROVISIONER"`
	StorageType        string `ctx:"storageType" env:"TERRAX_STORAGE_TYPE"`
	MySQLImage         string `ctx:"mysqlImage" env:"TERRAX_MYSQL_IMAGE"`
	ServiceImage       string `ctx:"serviceImage" env:"TERRAX_SERVICE_IMAGE"`

	// The Fargate-only variant (TerraxFargateOnlyStack): its cluster's
	// name, and the AWS Load Balancer Controller's version ("": the
	// provider's default).
	FargateOnlyClusterName        string `ctx:"fargateOnlyClusterName" env:"TERRAX_FARGATE_ONLY_CLUSTER_NAME"`
	LoadBalancerControllerVersion string `ctx:"loadBalancerControllerVersion" env:"TERRAX_LOAD_BALANCER_CONTROLLER_VERSION"`

	// Backend: "local" (terraform.<stack>.tfstate) or "s3".
	Backend       string `ctx:"backend" env:"TERRAX_BACKEND"`
	StateBucket   string `ctx:"stateBucket" env:"TERRAX_STATE_BUCKET"`
	StateKey      string `ctx:"stateKey" env:"TERRAX_STATE_KEY"`
	LockTable     string `ctx:"lockTable" env:"TERRAX_LOCK_TABLE"`
	StateEndpoint string `ctx:"stateEndpoint" env:"TERRAX_STATE_ENDPOINT"` // S3/DynamoDB emulator, e.g. moto
}

// DefaultConfig is the blog's topology.
func DefaultConfig() Config {
	return Config{
		Region: "eu-west-1", ClusterName: "terrax-fargate", KubernetesVersion: "1.35", VpcCidr: "192.168.0.0/16",
		InstanceType: "t2.medium", NodeCount: 1, Namespace: "tb-demo", ServiceReplicas: 2,
		StorageProvisioner: "ebs.csi.aws.com", StorageType: "gp2",
		MySQLImage: "mysql:8.4", ServiceImage: "terrax/springboot-beer-api:1.0",
		Backend: "local", StateKey: "terrax/terraform.tfstate", LockTable: "terrax-terraform-locks",
		FargateOnlyClusterName: "terrax-fargate-only",
	}
}

// ConfigFrom applies cdktf context and then the environment to the defaults.
func ConfigFrom(node constructs.Node, getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	err := forEachField(&c, func(ctxKey, envKey string, set func(string) error) error {
		if node != nil {
			if v := node.TryGetContext(jsii.String(ctxKey)); v != nil {
				if err := set(fmt.Sprint(v)); err != nil {
					return fmt.Errorf("context %s: %w", ctxKey, err)
				}
			}
		}
		if v := getenv(envKey); v != "" {
			if err := set(v); err != nil {
				return fmt.Errorf("%s: %w", envKey, err)
			}
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	return c, c.Validate()
}

// Validate refuses what cannot be deployed, before Terraform sees it.
func (c Config) Validate() error {
	switch {
	case c.NodeCount < 0 || c.ServiceReplicas < 0:
		return fmt.Errorf("node count (%d) and replicas (%d) must not be negative", c.NodeCount, c.ServiceReplicas)
	case c.Backend != "local" && c.Backend != "s3":
		return fmt.Errorf("backend %q: use local or s3", c.Backend)
	case c.Backend == "s3" && c.StateBucket == "":
		return fmt.Errorf("the s3 backend needs a state bucket (context stateBucket or TERRAX_STATE_BUCKET)")
	}
	return nil
}

func forEachField(c *Config, f func(ctxKey, envKey string, set func(string) error) error) error {
	v := reflectValue(c)
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		fv := v.Field(i)
		set := func(s string) error {
			switch fv.Kind() {
			case reflectInt:
				n, err := strconv.Atoi(s)
				if err != nil {
					return fmt.Errorf("%q is not a whole number", s)
				}
				fv.SetInt(int64(n))
			default:
				fv.SetString(s)
			}
			return nil
		}
		if err := f(t.Field(i).Tag.Get("ctx"), t.Field(i).Tag.Get("env"), set); err != nil {
			return err
		}
	}
	return nil
}
