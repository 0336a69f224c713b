// Command terraform-provider-fargate is the terrax/fargate Terraform provider.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/terrax/terraform-provider-fargate/provider"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/terrax/fargate",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
