// Package acctest runs the provider's acceptance tests: it starts moto (the
// AWS emulator) and localeks in front of it for the test binary (through
// internal/launch, the launcher localeks' own harness and `localeks up` use),
// points the AWS SDK and the real Terraform CLI (bin/terraform) at them, and
// gives tests the provider and AWS clients to check results through the AWS
// API. Only tests import it.
package acctest

import (
	"sync"

	"github.com/terrax/terraform-provider-fargate/internal/launch"
)

// root is found once per test binary.
var root = sync.OnceValues(launch.Root)

// RepoRoot is the repository root (where the provider's go.mod is).
func RepoRoot() (string, error) { return root() }
