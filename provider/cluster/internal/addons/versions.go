package addons

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
)

// DefaultVersion is the version EKS installs of the add-on name on a
// cluster of Kubernetes version k8s: the one DescribeAddonVersions marks
// defaultVersion for it, else the newest compatible one.
func (p *Addons) DefaultVersion(ctx context.Context, name, k8s string) (string, error) {
	key := name + "@" + k8s
	p.mu.Lock()
	v, ok := p.defaults[key]
	p.mu.Unlock()
	if ok {
		return v, nil
	}
	var infos []ekstypes.AddonInfo
	pages := eks.NewDescribeAddonVersionsPaginator(p.c.EKS, &eks.DescribeAddonVersionsInput{AddonName: aws.String(name), KubernetesVersion: aws.String(k8s)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("reading the versions of add-on %q for Kubernetes %s: %w", name, k8s, err)
		}
		infos = append(infos, page.Addons...)
	}
	v = pickDefault(infos, name, k8s)
	if v == "" {
		return "", fmt.Errorf("EKS offers no version of add-on %q for Kubernetes %s: check the add-on's name (`aws eks describe-addon-versions "+
			"--kubernetes-version %s`) or set its `version`", name, k8s, k8s)
	}
	p.mu.Lock()
	p.defaults[key] = v
	p.mu.Unlock()
	return v, nil
}

// pickDefault chooses among the versions EKS lists (newest first): the
// default for k8s, else the first compatible with k8s.
func pickDefault(infos []ekstypes.AddonInfo, name, k8s string) string {
	first := ""
	for _, info := range infos {
		if aws.ToString(info.AddonName) != name {
			continue
		}
		for _, v := range info.AddonVersions {
			for _, c := range v.Compatibilities {
				if aws.ToString(c.ClusterVersion) != k8s {
					continue
				}
				if c.DefaultVersion {
					return aws.ToString(v.AddonVersion)
				}
				if first == "" {
					first = aws.ToString(v.AddonVersion)
				}
			}
		}
	}
	return first
}

// MergeJSON sets key to value in the JSON object cfg ("" is {}), for
// settings another attribute owns (coredns_compute_type).
func MergeJSON(cfg, key string, value any) string {
	m := map[string]any{}
	if cfg != "" {
		if err := json.Unmarshal([]byte(cfg), &m); err != nil {
			return cfg // refused at validation; EKS says what is wrong
		}
	}
	m[key] = value
	b, _ := json.Marshal(m)
	return string(b)
}

// WithoutKey is cfg without key ("" when nothing else is left), the
// inverse of MergeJSON for reading back what the user configured.
func WithoutKey(cfg, key string) string {
	m := map[string]any{}
	if cfg == "" || json.Unmarshal([]byte(cfg), &m) != nil {
		return cfg
	}
	if _, ok := m[key]; !ok {
		return cfg
	}
	delete(m, key)
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// SameJSON reports whether two configurations say the same ("" is {}).
func SameJSON(a, b string) bool {
	var ma, mb map[string]any
	if (a == "" || a == "{}") && (b == "" || b == "{}") {
		return true
	}
	if json.Unmarshal([]byte(a), &ma) != nil || json.Unmarshal([]byte(b), &mb) != nil {
		return a == b
	}
	ja, _ := json.Marshal(ma)
	jb, _ := json.Marshal(mb)
	return string(ja) == string(jb)
}
