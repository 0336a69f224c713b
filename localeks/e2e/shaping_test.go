package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/terrax/terraform-provider-fargate/localeks/shaping"
)

func setShaping(t *testing.T, c shaping.Config) {
	t.Helper()
	b, _ := json.Marshal(c)
	req, _ := http.NewRequest(http.MethodPut, env.URL+"/_localeks/shaping", bytes.NewReader(b))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("setting shaping: %v %v", err, resp)
	}
	resp.Body.Close()
	t.Cleanup(func() { env.Server.Shaper.Set(shaping.Config{}) })
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// noRetry makes the SDK show the first answer instead of retrying it.
func noRetry(o *eks.Options) { o.RetryMaxAttempts = 1 }

func TestShaping(t *testing.T) {
	ctx := context.Background()
	e := eksClient("AKIDCREATOR")
	name := "shaped"
	role := "arn:aws:iam::123456789012:role/eks"
	setPace(t, shaping.Pace{Off: true}) // exactly the shaping below
	setShaping(t, shaping.Config{
		ClusterCreate: shaping.Duration{Duration: 3 * time.Second},
		ProfileCreate: shaping.Duration{Duration: 2 * time.Second},
		ProfileDelete: shaping.Duration{Duration: 2 * time.Second},
		Latency:       map[string]shaping.Duration{"ListClusters": {Duration: 300 * time.Millisecond}},
	})

	t.Run("latency per operation", func(t *testing.T) {
		start := time.Now()
		_, err := e.ListClusters(ctx, &eks.ListClustersInput{})
		must(t, err)
		if d := time.Since(start); d < 300*time.Millisecond {
			t.Fatalf("ListClusters took %s, want at least the 300ms set", d)
		}
	})

	start := time.Now()
	_, err := e.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String(role),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-a"}}})
	must(t, err)
	d, err := e.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
	must(t, err)
	if d.Cluster.Status != ekstypes.ClusterStatusCreating || d.Cluster.Endpoint != nil {
		t.Fatalf("a new cluster is %s with endpoint %v, want CREATING and none", d.Cluster.Status, d.Cluster.Endpoint)
	}
	_, err = eks.NewClusterActiveWaiter(e, func(o *eks.ClusterActiveWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 500*time.Millisecond
	}).
		WaitForOutput(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, time.Minute)
	must(t, err)
	if took := time.Since(start); took < 3*time.Second {
		t.Fatalf("the cluster was ACTIVE after %s, before its 3s CREATING window", took)
	}

	t.Run("one Fargate profile operation at a time", func(t *testing.T) {
		mk := func(n string) error {
			_, err := e.CreateFargateProfile(ctx, &eks.CreateFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String(n),
				PodExecutionRoleArn: aws.String(role), Selectors: []ekstypes.FargateProfileSelector{{Namespace: aws.String(n)}}}, noRetry)
			return err
		}
		must(t, mk("first"))
		err := mk("second")
		if code(err) != "ResourceInUseException" || !strings.Contains(err.Error(), "currently has Fargate profile first in status CREATING") {
			t.Fatalf("second concurrent profile: %v, want ResourceInUseException naming the first", err)
		}
		fp, err := e.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String("first")})
		must(t, err)
		if fp.FargateProfile.Status != ekstypes.FargateProfileStatusCreating {
			t.Fatalf("profile status %s, want CREATING", fp.FargateProfile.Status)
		}
		time.Sleep(2100 * time.Millisecond)
		must(t, mk("second"))
		time.Sleep(2100 * time.Millisecond)
		_, err = e.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String("first")})
		must(t, err)
		fp, err = e.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String("first")})
		must(t, err)
		if fp.FargateProfile.Status != ekstypes.FargateProfileStatusDeleting {
			t.Fatalf("a deleted profile is %s, want DELETING for its window", fp.FargateProfile.Status)
		}
		list, err := e.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: aws.String(name)})
		must(t, err)
		if len(list.FargateProfileNames) != 2 {
			t.Fatalf("while DELETING the profile is still listed: %v", list.FargateProfileNames)
		}
		_, err = e.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String("second")}, noRetry)
		if code(err) != "ResourceInUseException" {
			t.Fatalf("deleting during another deletion: %v, want ResourceInUseException", err)
		}
		time.Sleep(2100 * time.Millisecond)
		if _, err := e.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String("first")}); code(err) != "ResourceNotFoundException" {
			t.Fatalf("after its window the profile should be gone: %v", err)
		}
	})

	t.Run("IAM propagation", func(t *testing.T) {
		setShaping(t, shaping.Config{IAMPropagation: shaping.Duration{Duration: 2 * time.Second}})
		im := iam.New(iam.Options{Region: "eu-west-1", BaseEndpoint: aws.String(env.URL), Credentials: e.Options().Credentials})
		r, err := im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fresh"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`)})
		must(t, err)
		in := &eks.CreateNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String("ng"), NodeRole: r.Role.Arn, Subnets: []string{"subnet-a"}}
		_, err = e.CreateNodegroup(ctx, in, noRetry)
		if code(err) != "InvalidParameterException" || !strings.Contains(err.Error(), "could not be assumed") {
			t.Fatalf("a fresh role: %v, want InvalidParameterException (could not be assumed)", err)
		}
		time.Sleep(2100 * time.Millisecond)
		_, err = e.CreateNodegroup(ctx, in)
		must(t, err)
	})

	t.Run("throttling and server errors", func(t *testing.T) {
		setShaping(t, shaping.Config{ThrottleRate: 1})
		_, err := e.ListClusters(ctx, &eks.ListClustersInput{}, noRetry)
		if code(err) != "ThrottlingException" {
			t.Fatalf("err = %v, want ThrottlingException", err)
		}
		env.Server.Shaper.Set(shaping.Config{ErrorRate: 1})
		_, err = e.ListClusters(ctx, &eks.ListClustersInput{}, noRetry)
		var re interface{ HTTPStatusCode() int }
		if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
			t.Fatalf("err = %v, want HTTP 500", err)
		}
		env.Server.Shaper.Set(shaping.Config{ThrottleRate: 0.3, Seed: 7})
		// With retries (the provider allows 10 attempts) calls get through 30% throttling.
		for i := 0; i < 10; i++ {
			_, err := e.ListClusters(ctx, &eks.ListClustersInput{}, func(o *eks.Options) { o.RetryMaxAttempts = 10 })
			must(t, err)
		}
	})

	t.Run("calls are counted", func(t *testing.T) {
		resp, err := http.Get(env.URL + "/_localeks/calls")
		must(t, err)
		defer resp.Body.Close()
		var calls map[string]int
		must(t, json.NewDecoder(resp.Body).Decode(&calls))
		if calls["eks:CreateCluster"] < 1 || calls["eks:DescribeFargateProfile"] < 3 || calls["iam:CreateRole"] != 1 {
			t.Fatalf("counts %v", calls)
		}
	})
}
