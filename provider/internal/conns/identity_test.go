package conns

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
)

// With CheckLater, STS is asked only for the caller's account when no ARN
// said it, or when a call is refused for its credentials, which then fails
// with the check's error.
func TestCheckLater_stsOnlyWhenNeeded(t *testing.T) {
	var stsCalls atomic.Int32
	var refuse atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/clusters/") {
			if refuse.Load() {
				w.Header().Set("X-Amzn-ErrorType", "UnrecognizedClientException")
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`{"message":"The security token included in the request is invalid."}`))
				return
			}
			_, _ = w.Write([]byte(`{"cluster":{"name":"c","arn":"arn:aws:eks:eu-west-1:111122223333:cluster/c"}}`))
			return
		}
		stsCalls.Add(1)
		if refuse.Load() {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>`))
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(`<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::444455556666:user/u</Arn>` +
			`<UserId>U</UserId><Account>444455556666</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`))
	}))
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	ctx := context.Background()
	client := func() *Client {
		c, err := New(ctx, Config{Region: "eu-west-1", Endpoints: Endpoints{URL: srv.URL}, CheckLater: true, MaxRetries: 1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	describe := func(c *Client) error {
		_, err := c.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("c")})
		return err
	}

	c := client()
	if err := describe(c); err != nil {
		t.Fatal(err)
	}
	c.LearnAccount("arn:aws:eks:eu-west-1:111122223333:cluster/c")
	if account, partition := c.Caller(); account != "111122223333" || partition != "aws" || stsCalls.Load() != 0 {
		t.Fatalf("Caller = %s, %s after %d STS calls; want the cluster's account and aws, without STS", account, partition, stsCalls.Load())
	}

	if account, _ := client().Caller(); account != "444455556666" || stsCalls.Load() != 1 {
		t.Fatalf("Caller = %s after %d STS calls; want STS's account, asked once", account, stsCalls.Load())
	}

	refuse.Store(true)
	err := describe(client())
	if err == nil || !strings.Contains(err.Error(), "checking AWS credentials with STS GetCallerIdentity failed") || stsCalls.Load() != 2 {
		t.Fatalf("a call refused for its credentials failed with %v after %d STS calls; want the check's error", err, stsCalls.Load())
	}
}
