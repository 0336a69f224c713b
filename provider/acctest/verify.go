package acctest

import (
	"net/url"

	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

// VerifyOptions verifies EKS tokens as localeks does: tokens presigned for
// the local endpoints, executed against moto's STS, the signature checked
// with the tests' secret (internal/launch gives every test testing/testing).
func VerifyOptions() eksauth.VerifyOptions {
	var hosts []string
	for _, s := range []string{MotoURL, LocalEKSURL} {
		if u, err := url.Parse(s); err == nil {
			hosts = append(hosts, u.Host)
		}
	}
	return eksauth.VerifyOptions{Endpoint: MotoURL, STSHosts: hosts,
		Secret: func(key string) (string, bool) { return "testing", key == "testing" }}
}
