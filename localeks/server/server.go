// Package server is localeks: one AWS endpoint in front of moto that gives
// every EKS cluster a real Kubernetes control plane and a simulated data
// plane, answers the EKS add-on and Pod Identity APIs, shapes traffic and counts calls.
package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	clb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
	"github.com/terrax/terraform-provider-fargate/localeks/pki"
	"github.com/terrax/terraform-provider-fargate/localeks/shaping"
)

// Options configure a Server.
type Options struct {
	MotoURL string
	Addr    string // AWS endpoint address, default 127.0.0.1:0
	Binary  string // the localeks binary, for control plane children
	DataDir string
	Region  string // default eu-west-1
	Log     io.Writer
}

// Server is a running localeks.
type Server struct {
	opt     Options
	URL     string // the AWS endpoint
	hooks   string // https base URL of the webhooks
	hookCA  *pki.CA
	front   *http.Server
	hookSrv *http.Server
	moto    *http.Client
	eks     *eks.Client // localeks' own view of moto's EKS
	ec2     *ec2.Client // ... EC2, and load balancers, for what the simulated controllers make
	elb     *elb.Client
	clb     *clb.Client // Classic ELBs, which EKS's legacy cloud controller makes
	iam     *iam.Client // ... and IAM, for the roles EKS checks
	Shaper  *shaping.Shaper

	mu       sync.Mutex
	clusters map[string]*Cluster
	objects  map[string]*lifecycle
	history  []*lifecycle
	roles    map[string]time.Time // IAM role ARN -> created
	roleKeys map[string]string    // IAM role ARN -> access key that created it
	// nats are the NAT gateways made through localeks, by ID; eniSubnets
	// the subnets each cluster's network interfaces are in.
	nats       map[string]*natGateway
	eniSubnets map[string][]string
	// refusals counts the IAM-propagation refusals per role field and ARN: EKS's
	// message for a role it cannot see yet varies from call to call.
	refusals map[string]int
	calls    map[string]int
	// callsByKey counts per caller access key, so benchmarks running side
	// by side can tell their calls apart.
	callsByKey map[string]map[string]int
	addons     map[string]map[string]*addon
	// podIdentities: cluster -> association ID -> Pod Identity association.
	podIdentities map[string]map[string]*podIdentity
	replies       map[string]*answer // idempotency token -> first answer
	lbs           map[string]*loadBalancer
	eksUpdates    []*eksUpdate // cluster and node group updates, oldest first
	acc           *accessStore // accessConfig, access entries, known secrets
}

// New starts localeks' listeners; clusters start as EKS creates them.
func New(opt Options) (*Server, error) {
	if opt.Addr == "" {
		opt.Addr = "127.0.0.1:0"
	}
	if opt.Region == "" {
		opt.Region = "eu-west-1"
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	if err := os.MkdirAll(opt.DataDir, 0o700); err != nil {
		return nil, err
	}
	s := &Server{
		opt: opt, moto: &http.Client{Timeout: 60 * time.Second}, Shaper: shaping.New(),
		clusters: map[string]*Cluster{}, objects: map[string]*lifecycle{}, roles: map[string]time.Time{}, roleKeys: map[string]string{}, refusals: map[string]int{},
		calls: map[string]int{}, callsByKey: map[string]map[string]int{}, addons: map[string]map[string]*addon{},
		podIdentities: map[string]map[string]*podIdentity{}, nats: map[string]*natGateway{}, eniSubnets: map[string][]string{},
		replies: map[string]*answer{}, lbs: map[string]*loadBalancer{}, acc: newAccessStore(),
	}
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "localeks", SecretAccessKey: "localeks"}, nil
	})
	s.eks = eks.New(eks.Options{Region: opt.Region, BaseEndpoint: aws.String(opt.MotoURL), Credentials: creds})
	s.ec2 = ec2.New(ec2.Options{Region: opt.Region, BaseEndpoint: aws.String(opt.MotoURL), Credentials: creds})
	s.elb = elb.New(elb.Options{Region: opt.Region, BaseEndpoint: aws.String(opt.MotoURL), Credentials: creds})
	s.clb = clb.New(clb.Options{Region: opt.Region, BaseEndpoint: aws.String(opt.MotoURL), Credentials: creds})
	s.iam = iam.New(iam.Options{Region: opt.Region, BaseEndpoint: aws.String(opt.MotoURL), Credentials: creds})

	var err error
	if s.hookCA, err = pki.NewCA("localeks-webhooks"); err != nil {
		return nil, err
	}
	hookPair, err := s.hookCA.Issue("localeks", nil, "127.0.0.1", "localhost")
	if err != nil {
		return nil, err
	}
	cert, err := hookPair.TLS()
	if err != nil {
		return nil, err
	}
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.hooks = "https://" + hl.Addr().String()
	hmux := http.NewServeMux()
	hmux.HandleFunc("/authenticate/{cluster}", s.authenticate)
	hmux.HandleFunc("/mutate/{cluster}", s.mutate)
	s.hookSrv = &http.Server{Handler: hmux, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.hookSrv.ServeTLS(hl, "", "") }() // ends with Close

	fl, err := net.Listen("tcp", opt.Addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", opt.Addr, err)
	}
	s.URL = "http://" + fl.Addr().String()
	s.front = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.front.Serve(fl) }() // ends with Close
	return s, nil
}

func (s *Server) logf(format string, args ...any) {
	fmt.Fprintf(s.opt.Log, "[localeks] "+format+"\n", args...)
}

// Close stops every cluster and the listeners, and removes the data.
func (s *Server) Close() error {
	s.mu.Lock()
	cs := make([]*Cluster, 0, len(s.clusters))
	for _, c := range s.clusters {
		cs = append(cs, c)
	}
	s.clusters = map[string]*Cluster{}
	s.mu.Unlock()
	for _, c := range cs {
		c.stop()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.front.Shutdown(ctx)
	_ = s.hookSrv.Shutdown(ctx)
	return os.RemoveAll(filepath.Join(s.opt.DataDir, "clusters"))
}

// ServeHTTP is the AWS endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.Path) > 10 && r.URL.Path[:11] == "/_localeks/" {
		s.admin(w, r)
		return
	}
	call := awsproxy.Classify(r)
	s.mu.Lock()
	s.calls[call.Service+":"+call.Op]++
	if s.callsByKey[call.AccessKey] == nil {
		s.callsByKey[call.AccessKey] = map[string]int{}
	}
	s.callsByKey[call.AccessKey][call.Service+":"+call.Op]++
	s.mu.Unlock()
	if d := s.Shaper.Delay(call.Op); d > 0 {
		time.Sleep(d)
	}
	r = r.WithContext(context.WithValue(r.Context(), arrivedKey{}, time.Now()))
	switch s.Shaper.Draw(call.Service) {
	case shaping.Throttle:
		s.count("localeks:injected-throttling")
		awsError(w, call.Service, http.StatusBadRequest, "throttle", "Rate exceeded")
		return
	case shaping.ServerError:
		s.count("localeks:injected-5xx")
		awsError(w, call.Service, http.StatusInternalServerError, "internal", "We encountered an internal error. Please try again.")
		return
	}
	token, tokened := idempotencyToken(call)
	if tokened {
		if token == "" {
			s.count("localeks:missing-token:" + call.Op)
		} else if a := s.replay(replayKey(call, token)); a != nil {
			// AWS answers a repeated token with the first call's result.
			s.count("localeks:idempotent-replay")
			a.send(w)
			return
		}
	}
	a := newAnswer()
	s.serve(a, r, call)
	if a.status/100 == 2 {
		if tokened && token != "" {
			s.mu.Lock()
			s.replies[replayKey(call, token)] = a.copy()
			s.mu.Unlock()
		}
		if s.Shaper.LoseResponse(call.Op) {
			s.count("localeks:injected-lost-response")
			awsError(w, call.Service, http.StatusInternalServerError, "internal", "We encountered an internal error. Please try again.")
			return
		}
	}
	a.send(w)
}

// arrivedKey holds, in a request's context, when the request reached AWS
// (after its latency): EKS's clock for what the request starts runs from
// then, not from when localeks has finished checking it with moto (the
// emulator's own time, which real EKS does not add to a create's length).
type arrivedKey struct{}

// arrivedAt is when r reached AWS, or else now.
func arrivedAt(r *http.Request, now time.Time) time.Time {
	if t, ok := r.Context().Value(arrivedKey{}).(time.Time); ok {
		return t
	}
	return now
}

func (s *Server) replay(key string) *answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.replies[key]; a != nil {
		return a.copy()
	}
	return nil
}

// serve answers a call: localeks' own answers, or moto's, rewritten.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, call awsproxy.Call) {
	// AWS finishes a request it has received even if the caller goes away
	// (a killed terraform): so must localeks, or moto would make a cluster
	// that localeks never starts a control plane for.
	r = r.WithContext(context.WithoutCancel(r.Context()))
	if call.Service == "eks" && call.Op == "CreateCluster" {
		call.Body = withDefaultVersion(call.Body)
	}
	if call.Service == "eks" && s.eksBefore(w, r, call) {
		return
	}
	if call.Service == "ec2" && (s.ec2Before(w, call) || s.networkBefore(w, call)) {
		return
	}
	status, header, body, err := s.forward(r, call.Body)
	if err != nil {
		awsError(w, call.Service, http.StatusBadGateway, "internal", "localeks could not reach moto: "+err.Error())
		return
	}
	switch call.Service {
	case "eks":
		status, body = s.eksAfter(r, call, status, body)
	case "iam":
		if call.Op == "CreateRole" && status == http.StatusOK {
			s.roleCreated(body, call.AccessKey)
		}
	case "ec2":
		body = s.networkAfter(call, status, body)
	case "elasticloadbalancing":
		body = s.elbAfter(call, status, body)
	}
	s.learnSecrets(call, status, body)
	for k, vs := range header {
		if k == "Content-Length" {
			continue
		}
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(status)
	w.Write(body)
}

// forward sends the request to moto unchanged. AWS carries out a request
// it has received even when the caller goes away (a killed terraform), so
// the call to moto, and what localeks does with its answer (a cluster's
// control plane), must not end with the caller's connection.
func (s *Server) forward(r *http.Request, body []byte) (int, http.Header, []byte, error) {
	out, err := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, s.opt.MotoURL+r.URL.RequestURI(), bytesReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	out.Header = r.Header.Clone()
	resp, err := s.moto.Do(out)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// awsError answers in the service's own error format.
func awsError(w http.ResponseWriter, service string, status int, kind, msg string) {
	codes := map[string]map[string]string{
		"throttle": {"eks": "ThrottlingException", "iam": "Throttling", "ec2": "RequestLimitExceeded", "": "Throttling"},
		"internal": {"eks": "ServerException", "iam": "ServiceFailure", "ec2": "InternalError", "": "InternalFailure"},
	}
	code := codes[kind][service]
	if code == "" {
		code = codes[kind][""]
	}
	switch service {
	case "eks":
		if kind == "throttle" {
			status = http.StatusTooManyRequests // EKS's ThrottlingException is a 429 (its API model)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"message": msg})
	case "ec2":
		if kind == "throttle" {
			status = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>localeks</RequestID></Response>`, code, msg)
	default:
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>localeks</RequestId></ErrorResponse>`, code, msg)
	}
}

// eksError answers an EKS error.
func eksError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
