package acctest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/terrax/terraform-provider-fargate/internal/launch"
	"github.com/terrax/terraform-provider-fargate/provider"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
)

// Region is where the acceptance tests build, as the blog does.
const Region = "eu-west-1"

// ProviderFactories serves the provider in-process to the Terraform CLI.
var ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"fargate": providerserver.NewProtocol6WithError(provider.New("test")()),
}

// ProviderBlock starts every test configuration: the provider comes from
// terrax/fargate; credentials, region and endpoint come from the environment
// that Main sets up.
const ProviderBlock = `
terraform {
  required_providers {
    fargate = { source = "terrax/fargate" }
  }
}
`

// MotoURL is the endpoint of the moto server of this test binary, and
// LocalEKSURL that of localeks in front of it, where AWS_ENDPOINT_URL points:
// EKS clusters get real Kubernetes control planes.
var MotoURL, LocalEKSURL string

// Main runs a package's tests. With TF_ACC set it first starts moto and
// localeks and points AWS and Terraform at them, and stops them at the end.
func Main(m *testing.M) {
	// Never ask an instance metadata service for credentials from a test.
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	if os.Getenv("TF_ACC") == "" {
		os.Exit(m.Run())
	}
	s, err := setUp()
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		os.Exit(1)
	}
	code := m.Run()
	s.stop()
	os.Exit(code)
}

// setUp starts the servers and sets the environment of Terraform, the
// provider and the tests' AWS clients.
func setUp() (*servers, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	tf := filepath.Join(root, "bin", "terraform")
	if _, err := os.Stat(tf); err != nil {
		return nil, fmt.Errorf("the Terraform CLI %s is missing: run `make tools`", tf)
	}
	s, err := startServers(root)
	if err != nil {
		return nil, err
	}
	MotoURL, LocalEKSURL = s.moto.URL, s.localeks.URL
	env := append(launch.SDKEnv(LocalEKSURL, Region),
		"TF_ACC_TERRAFORM_PATH="+tf,
		"TF_ACC_PROVIDER_NAMESPACE=terrax",
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1")
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE", "TF_CLI_CONFIG_FILE"} {
		os.Unsetenv(k)
	}
	return s, nil
}

// Client returns AWS clients on the test's moto, for checks through the API.
// Like resource.Test, it skips the test when TF_ACC is not set (make test
// always sets it).
func Client(t testing.TB) *conns.Client {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: runs with TF_ACC=1 (as `make test` does)")
	}
	c, err := conns.New(context.Background(), conns.Config{Region: Region})
	if err != nil {
		t.Fatalf("AWS client: %v", err)
	}
	return c
}

// Kube returns a Kubernetes client of an EKS cluster on localeks,
// authenticated as EKS expects, for checks through the Kubernetes API.
func Kube(t testing.TB, cluster string) *kubeclient.Client {
	t.Helper()
	c := Client(t)
	out, err := c.EKS.DescribeCluster(context.Background(), &eks.DescribeClusterInput{Name: aws.String(cluster)})
	if err != nil {
		t.Fatalf("describing cluster %s: %v", cluster, err)
	}
	kc, err := kubeclient.New(c.STS, cluster, aws.ToString(out.Cluster.Endpoint), aws.ToString(out.Cluster.CertificateAuthority.Data))
	if err != nil {
		t.Fatalf("Kubernetes client of %s: %v", cluster, err)
	}
	return kc
}
