package conns

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// identityCheck is the STS check of the credentials made when first
// needed (Config.CheckLater): to know the caller's account (unless an ARN
// already said it), or to explain a call refused for its credentials.
// done closes when err is known; mu guards the Client's identity fields.
type identityCheck struct {
	mu      sync.Mutex
	started bool
	done    chan struct{}
	err     error
	run     func(context.Context) error
}

func (k *identityCheck) start() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.started {
		return
	}
	k.started = true
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		k.err = k.run(ctx)
		close(k.done)
	}()
}

// credentialCodes are the errors AWS answers a call whose credentials it
// does not accept.
var credentialCodes = []string{"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch",
	"InvalidSignatureException", "IncompleteSignature", "ExpiredToken", "ExpiredTokenException", "AuthFailure",
	"MissingAuthenticationToken", "InvalidAccessKeyId"}

// middleware lets every AWS call go without a check first; one refused for
// its credentials runs the check and fails with its error, which says what
// to do about them.
func (k *identityCheck) middleware(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("CheckCredentials",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			var ae smithy.APIError
			refused := err != nil && ((errors.As(err, &ae) && slices.Contains(credentialCodes, ae.ErrorCode())) ||
				strings.Contains(err.Error(), "failed to retrieve credentials"))
			if !refused {
				return out, md, err
			}
			k.start()
			select {
			case <-k.done:
				if k.err != nil {
					return out, md, k.err
				}
			case <-ctx.Done():
			}
			return out, md, err
		}), middleware.Before)
}

// identify asks STS who the caller is and records it in client.
func identify(ctx context.Context, conn *sts.Client, c Config, client *Client) error {
	id, err := conn.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return credentialsError(err, c)
	}
	if client.identity != nil {
		client.identity.mu.Lock()
		defer client.identity.mu.Unlock()
	}
	client.CallerARN = aws.ToString(id.Arn)
	client.AccountID = aws.ToString(id.Account)
	return nil
}

// partitionOf is the partition of region (ARNs start arn:<partition>:),
// known without asking AWS.
func partitionOf(region string) string {
	for _, p := range []struct{ prefix, partition string }{
		{"cn-", "aws-cn"}, {"us-gov-", "aws-us-gov"}, {"us-isob-", "aws-iso-b"}, {"us-iso-", "aws-iso"},
		{"eu-isoe-", "aws-iso-e"}, {"us-isof-", "aws-iso-f"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}

// Caller is the caller's account ("" if the STS check failed: the AWS call
// that follows fails with its error) and partition.
func (c *Client) Caller() (account, partition string) {
	k := c.identity
	if k == nil {
		return c.AccountID, c.Partition
	}
	k.mu.Lock()
	account = c.AccountID
	k.mu.Unlock()
	if account == "" {
		k.start()
		<-k.done
		k.mu.Lock()
		account = c.AccountID
		k.mu.Unlock()
	}
	return account, c.Partition
}

// LearnAccount takes the caller's account from the ARN of something of
// theirs (their EKS cluster), so that Caller needs no STS call.
func (c *Client) LearnAccount(arn string) {
	parts := strings.SplitN(arn, ":", 6)
	if c.identity == nil || len(parts) < 5 || parts[4] == "" {
		return
	}
	c.identity.mu.Lock()
	defer c.identity.mu.Unlock()
	if c.AccountID == "" {
		c.AccountID = parts[4]
	}
}
