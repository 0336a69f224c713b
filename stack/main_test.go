package stack_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

func TestMain(m *testing.M) {
	// jsii (CDKTF's Go bindings run on node) warns about node versions at each start.
	os.Setenv("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
	os.Setenv("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
	os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")
	// Nothing cached or looked up outside the repository (the cdktf CLI and
	// jsii would use ~/.terraform.d/plugin-cache, ~/.cache/aws and npm):
	// jsii's package cache, which saves seconds at each start, is in bin/.
	os.Setenv("CDKTF_DISABLE_PLUGIN_CACHE_ENV", "true")
	os.Setenv("DISABLE_VERSION_CHECK", "true")
	if root, err := acctest.RepoRoot(); err == nil {
		os.Setenv("JSII_RUNTIME_PACKAGE_CACHE", "enabled")
		os.Setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", filepath.Join(root, "bin", "jsii-cache"))
	} else {
		os.Setenv("JSII_RUNTIME_PACKAGE_CACHE", "disabled")
	}
	acctest.Main(m)
}
