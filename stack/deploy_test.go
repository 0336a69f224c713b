package stack_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
)

// cdktf runs the CDKTF CLI on TerraxStack as a user would, with S3 state.
func runCDKTF(t *testing.T, root, out string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(root, "node_modules", ".bin", "cdktf"), append(args, "terrax", "--auto-approve", "--skip-provider-lock", "--no-color", "--output", out)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cdktf %v: %v\n%s", args, err, b)
	}
}

// TestDeployScaleDestroy is the blog with cdktf on localeks: deploy, scale
// the service 2 -> 4 -> 1 by redeploying, destroy; the state lives in S3
// (moto) with DynamoDB locking.
func TestDeployScaleDestroy(t *testing.T) {
	c := acctest.Client(t)
	root, err := acctest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	endpoint := acctest.LocalEKSURL
	awsCfg := c.AWS.Copy()
	s3c := s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(endpoint), true })
	ddb := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })
	bucket, table := "terrax-state", "terrax-terraform-locks"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(acctest.Region)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(table), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + filepath.Join(root, "bin") + ":" + os.Getenv("PATH"),
		"TF_CLI_CONFIG_FILE=" + filepath.Join(root, "bin", "terraformrc"),
		"CI=true",
		"TERRAX_BACKEND=s3", "TERRAX_STATE_BUCKET=" + bucket, "TERRAX_LOCK_TABLE=" + table, "TERRAX_STATE_ENDPOINT=" + endpoint,
	}
	out := t.TempDir()
	for _, replicas := range []int{2, 4, 1} {
		runCDKTF(t, root, out, append(env, fmt.Sprintf("TERRAX_REPLICAS=%d", replicas)), "deploy")
		kc := acctest.Kube(t, "terrax-fargate")
		deadline := time.Now().Add(30 * time.Second)
		var last string
		for {
			pods, err := kc.Kube.CoreV1().Pods("tb-demo").List(ctx, metav1.ListOptions{LabelSelector: "app=service"})
			if err != nil {
				t.Fatal(err)
			}
			nodes, err := kc.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "eks.amazonaws.com/fargate-profile=fp-demo-service"})
			if err != nil {
				t.Fatal(err)
			}
			running := 0
			for _, p := range pods.Items {
				if p.DeletionTimestamp == nil && p.Status.Phase == "Running" && strings.HasPrefix(p.Spec.NodeName, "fargate-ip-") {
					running++
				}
			}
			if running == replicas && len(nodes.Items) == replicas && len(pods.Items) == replicas {
				break
			}
			last = fmt.Sprintf("%d pods (%d Running on Fargate), %d Fargate nodes", len(pods.Items), running, len(nodes.Items))
			if time.Now().After(deadline) {
				t.Fatalf("after deploying %d replicas: %s", replicas, last)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("terrax/terraform.tfstate")})
	if err != nil {
		t.Fatalf("the state is not in S3: %v", err)
	}
	state, _ := io.ReadAll(obj.Body)
	if !strings.Contains(string(state), `"type": "fargate_cluster"`) {
		t.Fatalf("the S3 state does not hold the cluster:\n%.500s", state)
	}
	items, err := ddb.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items.Items {
		if id, ok := it["LockID"].(*ddbtypes.AttributeValueMemberS); ok && !strings.HasSuffix(id.Value, "-md5") {
			t.Fatalf("a lock was left behind: %s", id.Value)
		}
	}
	if len(items.Items) == 0 {
		t.Fatal("the lock table was never used (no state digest)")
	}

	runCDKTF(t, root, out, env, "destroy")
	if _, err := c.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("terrax-fargate")}); err == nil {
		t.Fatal("the cluster is still there after cdktf destroy")
	}
}
