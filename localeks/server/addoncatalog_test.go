package server

import (
	"net/url"
	"testing"
)

// EKS marks exactly one version of each add-on the default for each
// Kubernetes version, and a default is compatible with its version.
func TestAddonCatalogDefaults(t *testing.T) {
	for _, k := range addonCatalog {
		for _, kv := range kubernetesVersions {
			n := 0
			for _, r := range k.releases {
				for _, d := range r.defaults {
					if d == kv {
						n++
						if v, err := addonVersionFor(&k, kv, r.version); err != nil || v != r.version {
							t.Errorf("%s %s: the default for %s is not compatible with it", k.name, r.version, kv)
						}
					}
				}
			}
			if n != 1 {
				t.Errorf("%s has %d default versions for Kubernetes %s, want 1", k.name, n, kv)
			}
		}
	}
}

func TestAddonVersionFor(t *testing.T) {
	coredns := findAddonKind("coredns")
	for _, c := range []struct{ cluster, requested, want string }{
		{"1.31", "", "v1.11.3-eksbuild.1"},
		{"1.35", "", "v1.12.1-eksbuild.2"},
		{"1.35", "v1.12.4-eksbuild.1", "v1.12.4-eksbuild.1"},
		{"1.31", "v1.12.4-eksbuild.1", ""}, // not compatible
		{"1.35", "v9.9.9-eksbuild.1", ""},  // no such version
		{"1.19", "", "v1.12.1-eksbuild.2"}, // unknown: localeks' own Kubernetes
	} {
		got, err := addonVersionFor(coredns, c.cluster, c.requested)
		if got != c.want || (c.want == "") != (err == errAddonVersion) {
			t.Errorf("coredns on %s, asked %q: got %q, %v; want %q", c.cluster, c.requested, got, err, c.want)
		}
	}
}

func TestPaginate(t *testing.T) {
	q := url.Values{"maxResults": {"2"}}
	var seen []int
	for {
		page, next, err := paginate(q, 5)
		if err != nil {
			t.Fatal(err)
		}
		for i := page[0]; i < page[1]; i++ {
			seen = append(seen, i)
		}
		if next == "" {
			break
		}
		q.Set("nextToken", next)
	}
	if len(seen) != 5 || seen[4] != 4 {
		t.Fatalf("pages covered %v, want 0..4 once", seen)
	}
	for _, bad := range []url.Values{{"maxResults": {"0"}}, {"maxResults": {"101"}}, {"nextToken": {"!!"}}} {
		if _, _, err := paginate(bad, 5); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
