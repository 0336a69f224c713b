package eksauth

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Identity is who a verified token speaks for.
type Identity struct {
	ARN string
	// Canonical is the principal rights follow: a role session's role.
	Canonical string
	Account   string
	UserID    string
	AccessKey string
}

// VerifyOptions says where to execute a token's request.
type VerifyOptions struct {
	// Endpoint, when set, is an STS emulator (moto, localeks) to send the
	// request to instead of the URL's own host. Emulators serve every service
	// on one address and pick the service from the Authorization header, so
	// the query-string signature is sent as that header.
	Endpoint string
	// STSHosts are host:port of local STS emulators a token may name besides
	// AWS's STS endpoints (plain http allowed).
	STSHosts []string
	// Secret, when set, gives the secret of an access key, and Verify checks
	// the signature itself, as STS does: emulators do not, and the signature
	// is what binds a token to its cluster.
	Secret func(accessKey string) (string, bool)
	Client *http.Client
	// Now is the current time (tests set it).
	Now func() time.Time
}

// MaxAge is how long after signing EKS accepts a token.
const MaxAge = 15 * time.Minute

// Verify checks a token the way EKS's authenticator does: it must be a
// presigned STS GetCallerIdentity request (STS host, path /, only the
// allowed parameters, X-Amz-Expires at most 15 minutes) that signs the
// cluster header for this cluster and is at most 15 minutes old; STS must
// then accept it.
func Verify(ctx context.Context, token, cluster string, o VerifyOptions) (Identity, error) {
	raw, err := URL(token)
	if err != nil {
		return Identity{}, err
	}
	p, err := checkPresigned(raw, o)
	if err != nil {
		return Identity{}, err
	}
	u, q := p.url, p.query
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	if age := now().Sub(p.signed); age > MaxAge || age < -5*time.Minute {
		return Identity{}, fmt.Errorf("EKS token: signed %s ago, older than %s (X-Amz-Date expired): make a new one", age.Round(time.Second), MaxAge)
	}
	if o.Secret != nil {
		secret, ok := o.Secret(p.key)
		if !ok {
			return Identity{}, fmt.Errorf("EKS token: STS does not know the access key %s (InvalidClientTokenId)", p.key)
		}
		if err := p.checkSignature(ctx, cluster, secret); err != nil {
			return Identity{}, err
		}
	}

	target := raw
	var auth string
	if o.Endpoint != "" {
		auth = fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, Signature=%s",
			q.Get("X-Amz-Credential"), q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Signature"))
		target = strings.TrimRight(o.Endpoint, "/") + "/?" + u.RawQuery
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return Identity{}, err
	}
	req.Header.Set(ClusterHeader, cluster)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	client := o.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return Identity{}, fmt.Errorf("EKS token: calling STS: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return Identity{}, fmt.Errorf("EKS token: STS refused it (%d): %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	var out struct {
		Result struct {
			Arn     string `xml:"Arn"`
			Account string `xml:"Account"`
			UserID  string `xml:"UserId"`
		} `xml:"GetCallerIdentityResult"`
	}
	if err := xml.Unmarshal(body, &out); err != nil || out.Result.Arn == "" {
		return Identity{}, fmt.Errorf("EKS token: STS answered something other than an identity: %.200s", body)
	}
	canonical, err := Canonical(out.Result.Arn)
	if err != nil {
		return Identity{}, fmt.Errorf("EKS token: STS answered an identity with a bad ARN: %w", err)
	}
	return Identity{ARN: out.Result.Arn, Canonical: canonical, Account: out.Result.Account, UserID: out.Result.UserID, AccessKey: p.key}, nil
}
