package profile_test

import (
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

func TestMain(m *testing.M) { acctest.Main(m) }
