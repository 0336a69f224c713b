package oidc

import (
	"context"
	"testing"
)

// Where the issuer's chain cannot be fetched, the thumbprint is the one AWS
// documents for its OIDC endpoints (which IAM ignores for them anyway).
func TestThumbprintOffline(t *testing.T) {
	for _, issuer := range []string{"https://127.0.0.1:1/id/EXAMPLE", "not a URL", ""} {
		if got := Thumbprint(context.Background(), issuer); got != awsThumbprint {
			t.Errorf("Thumbprint(%q) = %s, want %s", issuer, got, awsThumbprint)
		}
	}
}
