package eksauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// allowedParams are the only query parameters aws-iam-authenticator lets a
// presigned URL carry (compared in lower case): anything else could make STS
// answer something other than the caller's identity.
var allowedParams = []string{
	"action", "version", "x-amz-algorithm", "x-amz-credential", "x-amz-date",
	"x-amz-expires", "x-amz-security-token", "x-amz-signature", "x-amz-signedheaders",
}

// stsHost matches AWS's STS endpoints: global, regional, FIPS, China.
var stsHost = regexp.MustCompile(`^sts(-fips)?(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$`)

const (
	// stsVersion is the only STS API version.
	stsVersion = "2011-06-15"
	// maxExpires bounds X-Amz-Expires, in seconds, as the authenticator does.
	maxExpires = 900
	dateFormat = "20060102T150405Z"
)

// presigned is a token's presigned request, checked for shape.
type presigned struct {
	url    *url.URL
	query  url.Values
	key    string // the access key ID that signed it
	region string // of the credential scope
	signed time.Time
}

// checkPresigned refuses a token whose URL is not exactly a presigned STS
// GetCallerIdentity, as aws-iam-authenticator does before it asks STS.
func checkPresigned(raw string, o VerifyOptions) (*presigned, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("EKS token: bad URL: %w", err)
	}
	local := slices.Contains(o.STSHosts, u.Host)
	switch {
	case !local && !stsHost.MatchString(u.Host):
		return nil, fmt.Errorf("EKS token: unexpected host %q in the presigned URL: not an STS endpoint", u.Host)
	case !local && u.Scheme != "https":
		return nil, fmt.Errorf("EKS token: unexpected scheme %q in the presigned URL", u.Scheme)
	case u.Path != "/":
		return nil, fmt.Errorf("EKS token: unexpected path %q in the presigned URL, want /", u.Path)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("EKS token: malformed query: %w", err)
	}
	for k, vs := range q {
		if !slices.Contains(allowedParams, strings.ToLower(k)) {
			return nil, fmt.Errorf("EKS token: query parameter %q is not allowed in the presigned URL", k)
		}
		if len(vs) != 1 {
			return nil, fmt.Errorf("EKS token: query parameter %q given %d times", k, len(vs))
		}
	}
	switch {
	case q.Get("Action") != "GetCallerIdentity":
		return nil, fmt.Errorf("EKS token: presigned action is %q, not GetCallerIdentity", q.Get("Action"))
	case q.Get("Version") != stsVersion:
		return nil, fmt.Errorf("EKS token: presigned STS version is %q, not %s", q.Get("Version"), stsVersion)
	case !slices.Contains(strings.Split(strings.ToLower(q.Get("X-Amz-SignedHeaders")), ";"), ClusterHeader):
		return nil, fmt.Errorf("EKS token: the %s header is not signed", ClusterHeader)
	case q.Get("X-Amz-Signature") == "" || q.Get("X-Amz-Credential") == "":
		return nil, fmt.Errorf("EKS token: the URL is not presigned")
	}
	if exp, err := strconv.Atoi(q.Get("X-Amz-Expires")); err != nil || exp < 0 || exp > maxExpires {
		return nil, fmt.Errorf("EKS token: X-Amz-Expires %q is not between 0 and %d seconds", q.Get("X-Amz-Expires"), maxExpires)
	}
	signed, err := time.Parse(dateFormat, q.Get("X-Amz-Date"))
	if err != nil {
		return nil, fmt.Errorf("EKS token: bad X-Amz-Date: %w", err)
	}
	scope := strings.Split(q.Get("X-Amz-Credential"), "/") // key/date/region/service/aws4_request
	if len(scope) != 5 || scope[3] != "sts" {
		return nil, fmt.Errorf("EKS token: X-Amz-Credential %q is not an STS credential scope", q.Get("X-Amz-Credential"))
	}
	return &presigned{url: u, query: q, key: scope[0], region: scope[2], signed: signed}, nil
}

// emptyHash is the SHA-256 of the empty body a presigned GET carries.
var emptyHash = func() string { h := sha256.Sum256(nil); return hex.EncodeToString(h[:]) }()

// checkSignature does what STS does with the request aws-iam-authenticator
// sends (the cluster header set to its own cluster): it signs the request
// again with the key's secret and compares. A token signed for another
// cluster, or whose parameters were changed, fails here.
func (p *presigned) checkSignature(ctx context.Context, cluster, secret string) error {
	q := url.Values{}
	for k, v := range p.query {
		if k != "X-Amz-Signature" {
			q[k] = v
		}
	}
	u := *p.url
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set(ClusterHeader, cluster)
	creds := aws.Credentials{AccessKeyID: p.key, SecretAccessKey: secret, SessionToken: p.query.Get("X-Amz-Security-Token")}
	uri, _, err := v4.NewSigner().PresignHTTP(ctx, creds, req, emptyHash, "sts", p.region, p.signed)
	if err != nil {
		return fmt.Errorf("EKS token: signing it again: %w", err)
	}
	again, err := url.Parse(uri)
	if err != nil {
		return err
	}
	if again.Query().Get("X-Amz-Signature") != p.query.Get("X-Amz-Signature") {
		return fmt.Errorf("EKS token: the signature does not match (SignatureDoesNotMatch): made for another cluster than %s, or changed", cluster)
	}
	return nil
}
