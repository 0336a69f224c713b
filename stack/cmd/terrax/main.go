// Command terrax is the CDKTF app of the blog's topology (stack terrax)
// and of its Fargate-only variant (stack terrax-fargate-only); cdktf.json
// runs it (`cdktf synth`, `cdktf deploy <stack>`).
package main

import (
	"fmt"
	"os"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/terrax/terraform-provider-fargate/stack"
)

func main() {
	app := cdktf.NewApp(nil)
	cfg, err := stack.ConfigFrom(app.Node(), os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "terrax:", err)
		os.Exit(1)
	}
	stack.NewTerraxStack(app, "terrax", cfg)
	// The Fargate-only variant: `cdktf deploy terrax-fargate-only`.
	stack.NewTerraxFargateOnlyStack(app, "terrax-fargate-only", cfg)
	app.Synth()
	_ = jsii.String
}
