package eksauth_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// A token made here is accepted by STS (moto): executing its presigned
// request, with the cluster header, returns the caller's identity.
func TestTokenVerifiesAgainstSTS(t *testing.T) {
	c := acctest.Client(t)
	tok, err := eksauth.NewToken(context.Background(), c.STS, "terrax-fargate")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.Value, "k8s-aws-v1.") || strings.ContainsAny(tok.Value, "=+/") {
		t.Fatalf("token %q is not k8s-aws-v1. + unpadded base64url", tok.Value)
	}
	if d := time.Until(tok.Expiration); d < 13*time.Minute || d > 15*time.Minute {
		t.Fatalf("expiration in %v, want about 14 minutes", d)
	}
	raw, err := eksauth.URL(tok.Value)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("Action") != "GetCallerIdentity" || q.Get("X-Amz-Expires") != "60" || q.Get("X-Amz-Signature") == "" ||
		!strings.Contains(q.Get("X-Amz-SignedHeaders"), "x-k8s-aws-id") {
		t.Fatalf("presigned URL lacks what EKS checks: %s", raw)
	}
	id, err := eksauth.Verify(context.Background(), tok.Value, "terrax-fargate", eksauth.VerifyOptions{Endpoint: acctest.MotoURL})
	if err != nil {
		t.Fatalf("STS did not accept the token: %v", err)
	}
	if id.Account != "123456789012" || id.ARN == "" {
		t.Fatalf("identity %+v", id)
	}
}

// Verify refuses what EKS refuses, before asking STS.
func TestVerifyRefuses(t *testing.T) {
	c := acctest.Client(t)
	tok, err := eksauth.NewToken(context.Background(), c.STS, "terrax-fargate")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := eksauth.URL(tok.Value)
	encode := func(u string) string { return "k8s-aws-v1." + base64.RawURLEncoding.EncodeToString([]byte(u)) }
	cases := map[string]struct {
		token string
		opts  eksauth.VerifyOptions
		want  string
	}{
		"not a token":        {"Bearer abc", eksauth.VerifyOptions{Endpoint: acctest.MotoURL}, "does not start with"},
		"another action":     {encode(strings.Replace(raw, "Action=GetCallerIdentity", "Action=AssumeRole", 1)), eksauth.VerifyOptions{Endpoint: acctest.MotoURL}, "not GetCallerIdentity"},
		"cluster not signed": {encode(strings.Replace(raw, "x-k8s-aws-id", "x-other", 1)), eksauth.VerifyOptions{Endpoint: acctest.MotoURL}, "header is not signed"},
		"too old": {tok.Value, eksauth.VerifyOptions{Endpoint: acctest.MotoURL, Now: func() time.Time { return time.Now().Add(16 * time.Minute) }},
			"older than 15m0s"},
	}
	for name, c := range cases {
		if _, err := eksauth.Verify(context.Background(), c.token, "terrax-fargate", c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}

func TestURLRejectsOtherTokens(t *testing.T) {
	for _, bad := range []string{"", "Bearer x", "k8s-aws-v1.%%%"} {
		if _, err := eksauth.URL(bad); err == nil {
			t.Errorf("URL(%q) accepted a token that is not an EKS token", bad)
		}
	}
}
