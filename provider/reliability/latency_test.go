package reliability_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// twoClusters is two fargate_cluster resources in one configuration, each
// with a node group and three Fargate profiles (plus extra ones for lat-a).
func twoClusters(extraA string) string {
	c := func(name, cidr, extra string) string {
		return fmt.Sprintf(`
resource "fargate_cluster" %[1]q {
  name        = %[1]q
  network     = { vpc_cidr = %[2]q }
  node_groups = { "ng" = { instance_types = ["t3.medium"], desired_size = 1, min_size = 1, max_size = 2 } }
  fargate_profiles = {
    "fp-a" = { selectors = [{ namespace = "a" }] }
    "fp-b" = { selectors = [{ namespace = "b" }] }
    "fp-c" = { selectors = [{ namespace = "c" }] }
%[3]s
  }
}
`, name, cidr, extra)
	}
	return acctest.ProviderBlock + c("lat-a", "10.64.0.0/16", extraA) + c("lat-b", "10.65.0.0/16", "")
}

// contend plays another tool (eksctl, a second pipeline) working on the
// same cluster's Fargate profiles: it creates a profile and deletes it
// again, waiting its turn on ResourceInUseException as EKS demands. It
// returns how many times EKS made it wait.
func contend(t *testing.T, cluster string, stop <-chan struct{}) (waits int) {
	c := acctest.Client(t)
	name := aws.String("fp-external")
	role := acctest.ServiceRole(t, c, "external", "eks-fargate-pods.amazonaws.com")
	retry := func(f func() error) error {
		for {
			err := f()
			if !apierr.IsA[*ekstypes.ResourceInUseException](err) || apierr.IsAMessageContains[*ekstypes.ResourceInUseException](err, "already exists") {
				return err
			}
			waits++
			time.Sleep(500 * time.Millisecond)
		}
	}
	// It polls often, so that its operations keep meeting the provider's.
	quick := func(o *eks.FargateProfileActiveWaiterOptions) {
		o.MinDelay, o.MaxDelay = 200*time.Millisecond, 400*time.Millisecond
	}
	quickDeleted := func(o *eks.FargateProfileDeletedWaiterOptions) {
		o.MinDelay, o.MaxDelay = 200*time.Millisecond, 400*time.Millisecond
	}
	for {
		select {
		case <-stop:
			return waits
		default:
		}
		// EKS makes profiles only on an ACTIVE cluster.
		if d, err := c.EKS.DescribeCluster(bg, &eks.DescribeClusterInput{Name: aws.String(cluster)}); err != nil || d.Cluster.Status != ekstypes.ClusterStatusActive {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		err := retry(func() error {
			_, err := c.EKS.CreateFargateProfile(bg, &eks.CreateFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: name,
				PodExecutionRoleArn: aws.String(role), Selectors: []ekstypes.FargateProfileSelector{{Namespace: aws.String("external")}}})
			return err
		})
		if err != nil {
			t.Errorf("the other tool could not create its profile: %v", err)
			return waits
		}
		_ = eks.NewFargateProfileActiveWaiter(c.EKS, quick).Wait(bg, &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: name}, time.Minute)
		if err := retry(func() error {
			_, err := c.EKS.DeleteFargateProfile(bg, &eks.DeleteFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: name})
			return err
		}); err != nil && !apierr.IsA[*ekstypes.ResourceNotFoundException](err) {
			// Not found: the provider, which manages every profile of the
			// cluster, removed it as not configured.
			t.Errorf("the other tool could not delete its profile: %v", err)
			return waits
		}
		_ = eks.NewFargateProfileDeletedWaiter(c.EKS, quickDeleted).Wait(bg, &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: name}, time.Minute)
		time.Sleep(2 * time.Second) // its other work
	}
}

// Scenario 2: realistic latency. Clusters, node groups and profiles stay
// CREATING and DELETING for seconds; EKS refuses a second profile
// operation on a cluster while one is in progress. Two clusters in one
// apply, another tool working on the same cluster's profiles throughout,
// and a second Terraform process applying workloads to the cluster while
// the first changes its profiles: everything converges.
func TestLatency_concurrentClustersProfilesAndProcesses(t *testing.T) {
	c := acctest.Client(t)
	acctest.Shape(t, map[string]any{
		"latency":        map[string]string{"*": "20ms"},
		"cluster_create": "4s", "cluster_delete": "3s",
		"nodegroup_create": "3s", "nodegroup_delete": "2s",
		"profile_create": "1500ms", "profile_delete": "1500ms", "profile_create_jitter": "1s",
	})
	before := acctest.Calls(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var waits int
	wg.Add(1)
	go func() { defer wg.Done(); waits = contend(t, "lat-a", stop) }()

	w := acctest.NewWorkdir(t, twoClusters(""))
	w.Apply()
	for _, n := range []string{"lat-a", "lat-b"} {
		if inv := acctest.Take(t, c, n); inv.Clusters != 1 || inv.Nodegroups != 1 || inv.VPCs != 1 || len(inv.Roles) != 3 {
			t.Fatalf("%s: %s", n, inv)
		}
	}

	// A second Terraform process applies workloads to lat-a while the first
	// adds two profiles to it.
	apps := acctest.NewWorkdir(t, acctest.ProviderBlock+`
resource "fargate_manifest" "app" {
  cluster  = "lat-a"
  manifest = <<-EOT
    apiVersion: v1
    kind: Namespace
    metadata: {name: b}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: b}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: web, image: nginx:1.27}]
  EOT
}`)
	w.SetConfig(twoClusters(`    "fp-d" = { selectors = [{ namespace = "d" }] }
    "fp-e" = { selectors = [{ namespace = "e" }] }`))
	first := w.Start("apply", "-auto-approve", "-input=false", "-no-color")
	second := apps.Start("apply", "-auto-approve", "-input=false", "-no-color")
	for _, p := range []*acctest.Process{first, second} {
		if ended, err := p.Wait(5 * time.Minute); !ended || err != nil {
			t.Fatalf("concurrent apply did not finish (ended %v): %v\n%s", ended, err, p.Output())
		}
	}
	close(stop)
	wg.Wait()

	out, err := c.EKS.ListFargateProfiles(bg, &eks.ListFargateProfilesInput{ClusterName: aws.String("lat-a")})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(out.FargateProfileNames, ",")
	for _, p := range []string{"fp-a", "fp-b", "fp-c", "fp-d", "fp-e"} {
		if !strings.Contains(got, p) {
			t.Fatalf("profile %s of lat-a missing: %s", p, got)
		}
	}
	pods, err := acctest.Kube(t, "lat-a").Kube.CoreV1().Pods("b").List(bg, metav1.ListOptions{})
	if err != nil || len(pods.Items) != 2 {
		t.Fatalf("the second process's pods: %v (%d)", err, len(pods.Items))
	}
	for _, p := range pods.Items {
		if p.Status.Phase != corev1.PodRunning || !strings.HasPrefix(p.Spec.NodeName, "fargate-") {
			t.Fatalf("pod %s: %s on %q", p.Name, p.Status.Phase, p.Spec.NodeName)
		}
	}
	if plan := w.Must("plan", "-input=false", "-no-color"); !strings.Contains(plan, "No changes.") {
		t.Fatalf("not converged:\n%s", plan)
	}
	d := delta(before, acctest.Calls(t))
	// localeks counts the refusals of both: the provider's are those the
	// other tool did not wait for.
	refused := d["localeks:profile-conflicts"]
	t.Logf("EKS refused %d concurrent profile operations: %d of the other tool, %d of the provider", refused, waits, refused-waits)
	if refused == 0 {
		t.Fatalf("no profile operation met another in progress; the test proves nothing: %v", d)
	}

	apps.Destroy()
	w.Destroy()
	wantGone(t, c, "lat-a")
	wantGone(t, c, "lat-b")
}
