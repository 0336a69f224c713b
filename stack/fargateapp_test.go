package stack_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/terrax/terraform-provider-fargate/stack"
)

// NewFargateApp has the shape of examples/modules/fargate-app: a profile
// for the app's namespace and labels on a cluster made elsewhere, and a
// manifest that names the cluster through the profile; Terraform takes the
// synthesized stack.
func TestSynthFargateApp(t *testing.T) {
	app := cdktf.Testing_App(nil)
	s := cdktf.NewTerraformStack(app, jsii.String("platform"))
	stack.NewProvider(s, "fargate", nil)
	c := stack.NewFargateCluster(s, "cluster", &stack.FargateClusterConfig{
		Name: "platform", Network: stack.Network{VpcCidr: "10.0.0.0/16"}, ExclusiveFargateProfiles: jsii.Bool(false),
	})
	stack.NewFargateApp(s, "team-a", &stack.FargateAppConfig{ClusterName: c.Name(), Namespace: "team-a", Image: "nginx:1.27", Port: 80})
	stack.NewFargateApp(s, "team-b", &stack.FargateAppConfig{ClusterName: c.Name(), Namespace: "team-b", Labels: map[string]string{"app": "api"}, Image: "api:1", Replicas: 3})
	out := *cdktf.Testing_Synth(s, jsii.Bool(true))
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(get(m, "resource", "fargate_cluster", "cluster", "exclusive_fargate_profiles")); got != "false" {
		t.Errorf("exclusive_fargate_profiles: %s", got)
	}
	for team, want := range map[string]string{"team-a": "map[app:team-a]", "team-b": "map[app:api]"} {
		p := get(m, "resource", "fargate_profile", team+"-profile")
		if got := fmt.Sprint(get(p.(map[string]any), "name")); got != "fp-"+team {
			t.Errorf("%s: profile name %s", team, got)
		}
		if got := fmt.Sprint(p.(map[string]any)["selectors"]); got != "[map[labels:"+want+" namespace:"+team+"]]" {
			t.Errorf("%s: selectors %s", team, got)
		}
		if got := fmt.Sprint(get(p.(map[string]any), "cluster")); got != "${fargate_cluster.cluster.name}" {
			t.Errorf("%s: profile cluster %s", team, got)
		}
		man := get(m, "resource", "fargate_manifest", team+"-workloads").(map[string]any)
		if got := fmt.Sprint(man["cluster"]); got != "${fargate_profile."+team+"-profile.cluster}" {
			t.Errorf("%s: the manifest names the cluster as %s, not through the profile", team, got)
		}
		if y := fmt.Sprint(man["manifest"]); !strings.Contains(y, "kind: Deployment") || !strings.Contains(y, "name: "+team) || !strings.Contains(y, "kind: Service") {
			t.Errorf("%s: manifest %s", team, y)
		}
	}
	validateSynth(t, []byte(out))
}
