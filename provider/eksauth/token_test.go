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
	id, err := eksauth.Verify(context.Background(), tok.Value, "terrax-fargate", local())
	if err != nil {
		t.Fatalf("STS did not accept the token: %v", err)
	}
	if id.Account != "123456789012" || id.ARN == "" || id.Canonical != id.ARN || id.AccessKey != "testing" {
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
	at := func(d time.Duration) eksauth.VerifyOptions {
		o := local()
		o.Now = func() time.Time { return time.Now().Add(d) }
		return o
	}
	u, _ := url.Parse(raw)
	cases := map[string]struct {
		token, cluster string
		opts           eksauth.VerifyOptions
		want           string
	}{
		"not a token":        {"Bearer abc", "", local(), "does not start with"},
		"another action":     {encode(strings.Replace(raw, "Action=GetCallerIdentity", "Action=AssumeRole", 1)), "", local(), "not GetCallerIdentity"},
		"another version":    {encode(strings.Replace(raw, "Version=2011-06-15", "Version=2011-06-16", 1)), "", local(), "not 2011-06-15"},
		"cluster not signed": {encode(strings.Replace(raw, "x-k8s-aws-id", "x-other", 1)), "", local(), "header is not signed"},
		"extra parameter":    {encode(raw + "&RoleArn=x"), "", local(), `"RoleArn" is not allowed`},
		"twice":              {encode(raw + "&Action=GetCallerIdentity"), "", local(), "given 2 times"},
		"other host":         {encode(strings.Replace(raw, u.Host, "sts.evil.example.com", 1)), "", local(), "not an STS endpoint"},
		"plain http to AWS":  {encode(strings.Replace(raw, "http://"+u.Host, "http://sts.amazonaws.com", 1)), "", local(), `scheme "http"`},
		"other path":         {encode(strings.Replace(raw, u.Host+"/", u.Host+"/x/", 1)), "", local(), `path "/x/"`},
		"long expiry":        {encode(strings.Replace(raw, "X-Amz-Expires=60", "X-Amz-Expires=3600", 1)), "", local(), "X-Amz-Expires"},
		"too old":            {tok.Value, "", at(16 * time.Minute), "older than 15m0s"},
		"another cluster":    {tok.Value, "another-cluster", local(), "SignatureDoesNotMatch"},
		"expiry changed":     {encode(strings.Replace(raw, "X-Amz-Expires=60", "X-Amz-Expires=600", 1)), "", local(), "SignatureDoesNotMatch"},
		"unknown key": {tok.Value, "", func() eksauth.VerifyOptions {
			o := local()
			o.Secret = func(string) (string, bool) { return "", false }
			return o
		}(), "InvalidClientTokenId"},
	}
	for name, c := range cases {
		cluster := c.cluster
		if cluster == "" {
			cluster = "terrax-fargate"
		}
		if _, err := eksauth.Verify(context.Background(), c.token, cluster, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}

// local verifies as localeks does.
func local() eksauth.VerifyOptions { return acctest.VerifyOptions() }

func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:sts::123456789012:assumed-role/deployer/terraform": "arn:aws:iam::123456789012:role/deployer",
		"arn:aws-cn:sts::123456789012:assumed-role/ci/s-1":          "arn:aws-cn:iam::123456789012:role/ci",
		"arn:aws:iam::123456789012:user/alice":                      "arn:aws:iam::123456789012:user/alice",
		"arn:aws:iam::123456789012:role/admin":                      "arn:aws:iam::123456789012:role/admin",
	} {
		if got, err := eksauth.Canonical(in); err != nil || got != want {
			t.Errorf("Canonical(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "role/x", "arn:aws:sts::1:assumed-role/only"} {
		if _, err := eksauth.Canonical(bad); err == nil {
			t.Errorf("Canonical(%q) accepted it", bad)
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
