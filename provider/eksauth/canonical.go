package eksauth

import (
	"fmt"
	"strings"
)

// Canonical is the principal an identity's rights follow, as
// aws-iam-authenticator and EKS access entries see it: an assumed-role
// session arn:aws:sts::<acct>:assumed-role/<role>/<session> is its role
// arn:aws:iam::<acct>:role/<role>; users and roles are themselves.
func Canonical(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", fmt.Errorf("%q is not an ARN", arn)
	}
	partition, service, account, resource := parts[1], parts[2], parts[4], parts[5]
	if service == "sts" && strings.HasPrefix(resource, "assumed-role/") {
		f := strings.Split(resource, "/")
		if len(f) < 3 {
			return "", fmt.Errorf("assumed-role ARN %q has no role and session", arn)
		}
		return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, f[1]), nil
	}
	return arn, nil
}
