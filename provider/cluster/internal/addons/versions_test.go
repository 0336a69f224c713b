package addons

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
)

func info(name string, versions ...ekstypes.AddonVersionInfo) ekstypes.AddonInfo {
	return ekstypes.AddonInfo{AddonName: aws.String(name), AddonVersions: versions}
}

func version(v string, compat ...ekstypes.Compatibility) ekstypes.AddonVersionInfo {
	return ekstypes.AddonVersionInfo{AddonVersion: aws.String(v), Compatibilities: compat}
}

func compat(k8s string, def bool) ekstypes.Compatibility {
	return ekstypes.Compatibility{ClusterVersion: aws.String(k8s), DefaultVersion: def}
}

// EKS lists versions newest first; the default for the cluster's version
// wins over newer ones, else the newest compatible one.
func TestPickDefault(t *testing.T) {
	infos := []ekstypes.AddonInfo{
		info("kube-proxy", version("v1.35.0", compat("1.35", true))),
		info("coredns",
			version("v1.12.4", compat("1.35", false), compat("1.36", false)),
			version("v1.12.1", compat("1.35", true), compat("1.36", true)),
			version("v1.11.4", compat("1.34", true))),
	}
	for _, c := range []struct{ name, k8s, want string }{
		{"coredns", "1.35", "v1.12.1"},
		{"coredns", "1.34", "v1.11.4"},
		{"coredns", "1.33", ""},
		{"kube-proxy", "1.36", ""},
	} {
		if got := pickDefault(infos, c.name, c.k8s); got != c.want {
			t.Errorf("pickDefault(%s, %s) = %q, want %q", c.name, c.k8s, got, c.want)
		}
	}
	noDefault := []ekstypes.AddonInfo{info("vpc-cni", version("v1.20.4", compat("1.37", false)), version("v1.20.0", compat("1.37", false)))}
	if got := pickDefault(noDefault, "vpc-cni", "1.37"); got != "v1.20.4" {
		t.Errorf("without a default, want the newest compatible version, got %q", got)
	}
}

// coredns_compute_type owns computeType in CoreDNS's configuration: merged
// in for EKS, taken out again for the state, the rest as the user wrote it.
func TestConfigurationJSON(t *testing.T) {
	merged := MergeJSON(`{"replicaCount": 3}`, "computeType", "Fargate")
	if merged != `{"computeType":"Fargate","replicaCount":3}` {
		t.Fatalf("MergeJSON = %s", merged)
	}
	if got := WithoutKey(merged, "computeType"); !SameJSON(got, `{"replicaCount": 3}`) {
		t.Fatalf("WithoutKey = %s", got)
	}
	if got := WithoutKey(MergeJSON("", "computeType", "ec2"), "computeType"); got != "" {
		t.Fatalf("nothing but computeType should read as unset, got %q", got)
	}
	for _, c := range []struct {
		a, b string
		same bool
	}{{"", "{}", true}, {`{"a":1,"b":2}`, `{ "b": 2, "a": 1 }`, true}, {`{"a":1}`, `{"a":2}`, false}, {"", `{"a":1}`, false}} {
		if SameJSON(c.a, c.b) != c.same {
			t.Errorf("SameJSON(%s, %s) != %v", c.a, c.b, c.same)
		}
	}
}
