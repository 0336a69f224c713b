// Package eksauth makes the bearer tokens EKS accepts, the way
// aws-iam-authenticator and `aws eks get-token` do: a presigned STS
// GetCallerIdentity request, bound to one cluster by the signed header
// x-k8s-aws-id, base64url-encoded behind the prefix "k8s-aws-v1.". Tokens are
// made in-process when needed and never written to state.
package eksauth

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const (
	// Prefix starts every EKS token.
	Prefix = "k8s-aws-v1."
	// ClusterHeader binds a token to one cluster.
	ClusterHeader = "x-k8s-aws-id"
	// presignSeconds is how long the presigned URL is valid, as
	// aws-iam-authenticator sets it; EKS accepts a token for 15 minutes.
	presignSeconds = 60
	// Lifetime is how long a token may be used; callers renew before.
	Lifetime = 14 * time.Minute
)

// Token is an EKS bearer token.
type Token struct {
	Value      string
	Expiration time.Time
}

// NewToken presigns GetCallerIdentity for the cluster with the STS client's
// credentials.
func NewToken(ctx context.Context, client *sts.Client, cluster string) (Token, error) {
	presigner := sts.NewPresignClient(client)
	req, err := presigner.PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.PresignOptions) {
		o.ClientOptions = append(o.ClientOptions, sts.WithAPIOptions(
			smithyhttp.AddHeaderValue(ClusterHeader, cluster),
			smithyhttp.AddHeaderValue("X-Amz-Expires", fmt.Sprint(presignSeconds)),
		))
	})
	if err != nil {
		return Token{}, fmt.Errorf("making an EKS token for cluster %q: presigning STS GetCallerIdentity: %w", cluster, err)
	}
	return Token{
		Value:      Prefix + base64.RawURLEncoding.EncodeToString([]byte(req.URL)),
		Expiration: time.Now().Add(Lifetime),
	}, nil
}

// URL decodes a token back into its presigned URL.
func URL(token string) (string, error) {
	if !strings.HasPrefix(token, Prefix) {
		return "", fmt.Errorf("not an EKS token: it does not start with %q", Prefix)
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, Prefix))
	if err != nil {
		return "", fmt.Errorf("not an EKS token: %w", err)
	}
	return string(b), nil
}
