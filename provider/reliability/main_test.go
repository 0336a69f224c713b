package reliability_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/cluster"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// The scenarios share one localeks and its shaping, so they run one at a time.
func TestMain(m *testing.M) {
	if acctest.OwnerTag != cluster.OwnerTag {
		fmt.Fprintln(os.Stderr, "acctest.OwnerTag differs from cluster.OwnerTag")
		os.Exit(1)
	}
	acctest.Main(m)
}

// blog is examples/blog's main.tf (the blog's cluster, MySQL on the node group, the
// Spring Boot service on Fargate behind a load balancer) under another
// cluster name and CIDR.
func blog(t *testing.T, name, cidr string) string {
	t.Helper()
	root, err := acctest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "examples", "blog", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.NewReplacer(`"terrax-fargate"`, fmt.Sprintf("%q", name), `"192.168.0.0/16"`, fmt.Sprintf("%q", cidr)).Replace(string(b))
	if !strings.Contains(cfg, fmt.Sprintf("name               = %q", name)) {
		t.Fatalf("examples/blog/main.tf changed shape; update the test's substitutions")
	}
	return cfg
}

// blogWorkdir makes a Terraform directory holding the blog's files and config.
func blogWorkdir(t *testing.T, name, cidr string) *acctest.Workdir {
	t.Helper()
	cfg := blog(t, name, cidr)
	w := acctest.NewWorkdir(t, cfg)
	root, _ := acctest.RepoRoot()
	for _, f := range []string{"database.yaml", "service.yaml.tftpl"} {
		b, err := os.ReadFile(filepath.Join(root, "examples", "blog", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(w.Dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// wantBlog checks that AWS holds exactly the blog's cluster is in AWS: one cluster, its node
// group and two profiles, three roles (cluster, nodes, pod execution; four
// with the EBS CSI driver's when the blog has that add-on), one
// VPC with six subnets, a NAT gateway and its address, an internet gateway,
// and the service's load balancer with its security group.
func wantBlog(t *testing.T, c *conns.Client, name string) {
	t.Helper()
	inv := acctest.Take(t, c, name)
	roles := 3
	if strings.Contains(blog(t, name, "10.0.0.0/16"), "aws-ebs-csi-driver") {
		roles++ // the EBS CSI driver's, which the provider makes
	}
	if inv.Clusters != 1 || inv.Nodegroups != 1 || inv.Profiles != 2 || len(inv.Roles) != roles || inv.VPCs != 1 ||
		inv.Subnets != 6 || inv.NATs != 1 || inv.EIPs != 1 || inv.IGWs != 1 || inv.LBs != 1 {
		t.Fatalf("cluster %s in AWS: %s; want exactly 1 cluster, 1 node group, 2 profiles, %d roles, 1 VPC, 6 subnets, 1 NAT gateway, 1 elastic IP, 1 internet gateway, 1 load balancer", name, inv, roles)
	}
}

// wantGone checks that nothing of the cluster is left in AWS.
func wantGone(t *testing.T, c *conns.Client, name string) {
	t.Helper()
	if inv := acctest.Take(t, c, name); !inv.Empty() {
		t.Fatalf("left in AWS after destroy of %s: %s", name, inv)
	}
}

// delta is what localeks counted between two readings.
func delta(before, after map[string]int) map[string]int {
	d := map[string]int{}
	for k, v := range after {
		if v-before[k] != 0 {
			d[k] = v - before[k]
		}
	}
	return d
}

var bg = context.Background()
