package eksauth

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Identity is who a verified token speaks for.
type Identity struct {
	ARN     string
	Account string
	UserID  string
}

// VerifyOptions says where to execute a token's request.
type VerifyOptions struct {
	// Endpoint, when set, is an STS emulator (moto, localeks) to send the
	// request to instead of the URL's own host. Emulators serve every service
	// on one address and pick the service from the Authorization header, so
	// the query-string signature is sent as that header.
	Endpoint string
	Client   *http.Client
	// Now is the current time (tests set it).
	Now func() time.Time
}

// MaxAge is how long after signing EKS accepts a token.
const MaxAge = 15 * time.Minute

// Verify checks a token the way EKS's authenticator does: it must be a
// presigned STS GetCallerIdentity request that signs the cluster header for
// this cluster and is at most 15 minutes old; STS must then accept it.
func Verify(ctx context.Context, token, cluster string, o VerifyOptions) (Identity, error) {
	raw, err := URL(token)
	if err != nil {
		return Identity{}, err
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Identity{}, fmt.Errorf("EKS token: bad URL: %w", err)
	}
	q := u.Query()
	switch {
	case q.Get("Action") != "GetCallerIdentity":
		return Identity{}, fmt.Errorf("EKS token: presigned action is %q, not GetCallerIdentity", q.Get("Action"))
	case !strings.Contains(";"+q.Get("X-Amz-SignedHeaders")+";", ";"+ClusterHeader+";"):
		return Identity{}, fmt.Errorf("EKS token: the %s header is not signed", ClusterHeader)
	case q.Get("X-Amz-Signature") == "" || q.Get("X-Amz-Credential") == "":
		return Identity{}, fmt.Errorf("EKS token: the URL is not presigned")
	}
	signed, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return Identity{}, fmt.Errorf("EKS token: bad X-Amz-Date: %w", err)
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	if age := now().Sub(signed); age > MaxAge || age < -5*time.Minute {
		return Identity{}, fmt.Errorf("EKS token: signed %s ago, older than %s: make a new one", age.Round(time.Second), MaxAge)
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
	return Identity{ARN: out.Result.Arn, Account: out.Result.Account, UserID: out.Result.UserID}, nil
}
