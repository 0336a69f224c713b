package server

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
)

// tokenOps are the operations whose retries AWS makes safe with an
// idempotency token, and the request field that carries it.
var tokenOps = map[string]string{
	"eks:CreateCluster":                "clientRequestToken",
	"eks:CreateNodegroup":              "clientRequestToken",
	"eks:CreateFargateProfile":         "clientRequestToken",
	"eks:CreateAddon":                  "clientRequestToken",
	"eks:UpdateClusterConfig":          "clientRequestToken",
	"eks:AssociateEncryptionConfig":    "clientRequestToken",
	"eks:UpdateClusterVersion":         "clientRequestToken",
	"eks:UpdateNodegroupConfig":        "clientRequestToken",
	"eks:UpdateNodegroupVersion":       "clientRequestToken",
	"eks:UpdateAddon":                  "clientRequestToken",
	"eks:CreatePodIdentityAssociation": "clientRequestToken",
	"eks:UpdatePodIdentityAssociation": "clientRequestToken",
	"ec2:CreateNatGateway":             "ClientToken",
}

// idempotencyToken returns the call's token; ok is false for operations
// without one. moto ignores tokens, so localeks keeps the answers itself.
func idempotencyToken(c awsproxy.Call) (token string, ok bool) {
	field, ok := tokenOps[c.Service+":"+c.Op]
	if !ok {
		return "", false
	}
	if c.Service == "eks" {
		t, _ := decode(c.Body)[field].(string)
		return t, true
	}
	v, _ := url.ParseQuery(string(c.Body))
	return v.Get(field), true
}

// answer is a response kept whole until localeks decides what the caller sees.
type answer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newAnswer() *answer { return &answer{header: http.Header{}, status: http.StatusOK} }

func (a *answer) Header() http.Header         { return a.header }
func (a *answer) Write(b []byte) (int, error) { return a.body.Write(b) }
func (a *answer) WriteHeader(status int)      { a.status = status }

func (a *answer) send(w http.ResponseWriter) {
	for k, vs := range a.header {
		if k == "Content-Length" {
			continue
		}
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(a.status)
	w.Write(a.body.Bytes())
}

func (a *answer) copy() *answer {
	c := &answer{header: a.header.Clone(), status: a.status}
	c.body.Write(a.body.Bytes())
	return c
}

// replayKey names a tokened call: the same token on the same operation of
// the same cluster is the same request.
func replayKey(c awsproxy.Call, token string) string {
	return c.Service + ":" + c.Op + ":" + c.Cluster + ":" + token
}
