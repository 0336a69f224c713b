// Package kubeclient connects to an EKS cluster's Kubernetes API the way
// EKS expects: its endpoint and CA from DescribeCluster, a bearer token made
// in-process by package eksauth and renewed a minute before it expires
// (long applies outlive one token), TLS verified against the cluster's CA.
// No kubeconfig and no kubernetes provider are involved.
package kubeclient

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

// Client talks to one cluster.
type Client struct {
	Cluster string
	Dynamic dynamic.Interface
	Kube    kubernetes.Interface
	Mapper  meta.ResettableRESTMapper
}

// New connects to the cluster at endpoint, whose CA is caData (base64, as
// EKS gives it).
func New(stsClient *sts.Client, cluster, endpoint, caData string) (*Client, error) {
	ca, err := base64.StdEncoding.DecodeString(caData)
	if err != nil || len(ca) == 0 {
		return nil, fmt.Errorf("EKS cluster %q has no usable certificate authority yet; is it ACTIVE?", cluster)
	}
	if endpoint == "" {
		return nil, fmt.Errorf("EKS cluster %q has no endpoint yet; is it ACTIVE?", cluster)
	}
	tokens := &tokenSource{sts: stsClient, cluster: cluster}
	cfg := &rest.Config{
		Host:            endpoint,
		TLSClientConfig: rest.TLSClientConfig{CAData: ca},
		QPS:             50, Burst: 100,
		UserAgent: "terraform-provider-fargate",
		Timeout:   30 * time.Second,
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
			return &bearer{base: rt, tokens: tokens}
		},
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{Cluster: cluster, Dynamic: dyn, Kube: kube,
		Mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))}, nil
}

// tokenSource keeps a current EKS token.
type tokenSource struct {
	sts     *sts.Client
	cluster string
	mu      sync.Mutex
	tok     eksauth.Token
}

// renewBefore is how long before expiry a token is replaced.
const renewBefore = time.Minute

func (t *tokenSource) token(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if time.Until(t.tok.Expiration) > renewBefore {
		return t.tok.Value, nil
	}
	tok, err := eksauth.NewToken(ctx, t.sts, t.cluster)
	if err != nil {
		return "", err
	}
	t.tok = tok
	return tok.Value, nil
}

type bearer struct {
	base   http.RoundTripper
	tokens *tokenSource
}

func (b *bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := b.tokens.token(req.Context())
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok)
	return b.base.RoundTrip(r)
}
