// Command cdktf is the CDKTF guide's example (docs/guides/cdktf.md): a
// platform's cluster and two teams' apps on it, from another CDKTF Go app,
// with the typed constructs of package stack. `go vet` in `make test` keeps
// it compiling.
package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/terrax/terraform-provider-fargate/stack"
)

func main() {
	app := cdktf.NewApp(nil)
	s := cdktf.NewTerraformStack(app, jsii.String("brewery"))
	stack.NewProvider(s, "fargate", &stack.ProviderConfig{Region: "eu-west-1"})

	// The platform's cluster: CoreDNS on Fargate through its own profile,
	// and the teams' profiles left alone.
	cluster := stack.NewFargateCluster(s, "cluster", &stack.FargateClusterConfig{
		Name:                     "brewery",
		Network:                  stack.Network{VpcCidr: "10.20.0.0/16"},
		ExclusiveFargateProfiles: jsii.Bool(false),
		FargateProfiles: map[string]stack.FargateProfile{
			"fp-system": {Selectors: []stack.Selector{{Namespace: "kube-system"}}},
		},
	})

	// Each team's app: its Fargate profile, and its Namespace, Deployment
	// and Service, placed on Fargate at plan time.
	stack.NewFargateApp(s, "brewery-api", &stack.FargateAppConfig{
		ClusterName: cluster.Name(),
		Namespace:   "brewery",
		Labels:      map[string]string{"app": "api"},
		Image:       "terrax/springboot-beer-api:1.0",
		Replicas:    2,
	})
	stack.NewFargateApp(s, "taproom", &stack.FargateAppConfig{
		ClusterName: cluster.Name(),
		Namespace:   "taproom",
		Image:       "public.ecr.aws/docker/library/nginx:1.27",
		Port:        80,
		Replicas:    1,
	})
	cdktf.NewTerraformOutput(s, jsii.String("endpoint"), &cdktf.TerraformOutputConfig{Value: cluster.Endpoint()})
	app.Synth()
}
