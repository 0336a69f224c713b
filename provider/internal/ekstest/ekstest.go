// Package ekstest is an EKS endpoint for unit tests: an httptest server
// answering the REST-JSON calls of the finders from a handler the test
// writes, and an EKS client pointed at it. Only tests import it.
package ekstest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
)

// Reply is one answer: Status (200 when zero), Body as JSON, and for an
// error its Code, sent as EKS does in the X-Amzn-ErrorType header.
type Reply struct {
	Status int
	Code   string
	Body   any
}

// Error is EKS's answer of an error.
func Error(status int, code, message string) Reply {
	return Reply{Status: status, Code: code, Body: map[string]string{"message": message}}
}

// NotFound is EKS's answer for what does not exist.
func NotFound(what string) Reply {
	return Error(http.StatusNotFound, "ResourceNotFoundException", what+" not found")
}

// Handler answers one call. path is the request's path without its
// leading slash, split: ["clusters", "c", "fargate-profiles", "fp"].
type Handler func(path []string, query url.Values) Reply

// Server counts the calls it answers.
type Server struct {
	mu    sync.Mutex
	calls map[string]int
}

// Calls returns how many calls were made to the path ("clusters/c/fargate-profiles").
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// New starts a server answering with h, stopped when the test ends, and
// returns an EKS client for it that does not retry, so that the test sees
// every answer, and the server.
func New(t testing.TB, h Handler) (*eks.Client, *Server) {
	s := &Server{calls: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.Trim(r.URL.Path, "/")
		s.mu.Lock()
		s.calls[p]++
		s.mu.Unlock()
		reply := h(strings.Split(p, "/"), r.URL.Query())
		w.Header().Set("Content-Type", "application/json")
		if reply.Code != "" {
			w.Header().Set("X-Amzn-ErrorType", reply.Code)
		}
		if reply.Status == 0 {
			reply.Status = http.StatusOK
		}
		w.WriteHeader(reply.Status)
		_ = json.NewEncoder(w).Encode(reply.Body)
	}))
	t.Cleanup(srv.Close)
	return eks.New(eks.Options{
		BaseEndpoint: aws.String(srv.URL),
		Region:       "us-east-1",
		Credentials:  aws.AnonymousCredentials{},
		Retryer:      aws.NopRetryer{},
	}), s
}

// Profile is the answer of DescribeFargateProfile: an ACTIVE profile
// selecting each namespace, without labels.
func Profile(name string, namespaces ...string) Reply {
	return ProfileIn("ACTIVE", name, namespaces...)
}

// ProfileIn is Profile in another status.
func ProfileIn(status, name string, namespaces ...string) Reply {
	var sel []map[string]any
	for _, ns := range namespaces {
		sel = append(sel, map[string]any{"namespace": ns})
	}
	return Reply{Body: map[string]any{"fargateProfile": map[string]any{"fargateProfileName": name, "status": status, "selectors": sel}}}
}

// Names is the answer of a list call: the names under key
// ("fargateProfileNames", "nodegroups") and the token of the next page.
func Names(key string, names []string, next string) Reply {
	body := map[string]any{key: names}
	if next != "" {
		body["nextToken"] = next
	}
	return Reply{Body: body}
}
