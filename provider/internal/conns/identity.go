package conns

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// identityCheck is the STS check of the credentials running beside the
// provider (Config.CheckLater): done closes when err is known.
type identityCheck struct {
	done chan struct{}
	err  error
}

// middleware lets every AWS call go at once (the check does not delay
// them), but a call that fails while the check failed fails with the
// check's error, which says what to do about the credentials.
func (k *identityCheck) middleware(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("CheckCredentials",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			if err == nil {
				return out, md, nil
			}
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
	client.CallerARN = aws.ToString(id.Arn)
	client.AccountID = aws.ToString(id.Account)
	client.Partition = "aws"
	if parts := strings.SplitN(client.CallerARN, ":", 3); len(parts) == 3 && parts[1] != "" {
		client.Partition = parts[1]
	}
	return nil
}

// Caller is the caller's account and partition, once the STS check is done
// ("" if it failed: the AWS call that follows fails with its error).
func (c *Client) Caller() (account, partition string) {
	if c.identity != nil {
		<-c.identity.done
	}
	return c.AccountID, c.Partition
}
