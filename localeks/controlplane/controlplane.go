// Package controlplane runs one EKS cluster's Kubernetes control plane on
// loopback: etcd, kube-apiserver, kube-controller-manager and kube-scheduler,
// each a child process of the localeks binary (`localeks etcd|apiserver|...`),
// with certificates of its own CA. Callers authenticate as EKS does, through
// a token webhook that localeks serves.
package controlplane

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"

	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/terrax/terraform-provider-fargate/localeks/pki"
)

// Config says how to start a control plane.
type Config struct {
	Name    string // EKS cluster name
	Binary  string // the localeks multi-call binary
	DataDir string // removed on Stop
	// AuthWebhookURL receives the apiserver's TokenReviews (EKS-style tokens).
	AuthWebhookURL string
	AuthWebhookCA  []byte
	// ServiceCIDR is the cluster's service range.
	ServiceCIDR string
	// ServiceAccountIssuer, when set, is the issuer of the service account
	// tokens (EKS: the cluster's OIDC issuer URL).
	ServiceAccountIssuer string
	// ClusterNetwork, when set, is the Unix socket of an HTTP CONNECT proxy
	// through which the apiserver reaches the cluster's network: admission
	// webhooks backed by a Service go to one of its Ready endpoints
	// (pod IP:port), as on EKS, and the proxy decides what answers there.
	ClusterNetwork string
	Log            io.Writer
}

// ControlPlane is a running control plane.
type ControlPlane struct {
	Name     string
	Endpoint string // https://127.0.0.1:port
	CA       *pki.CA
	Admin    pki.Pair // client certificate in system:masters
	// Kubeconfig is an admin kubeconfig file.
	Kubeconfig string
	Ports      []int
	dir        string
	procs      []*exec.Cmd
	exited     []chan struct{}
}

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func kubeconfig(server string, caPEM []byte, cert pki.Pair) string {
	b64 := func(b []byte) string { return base64Std(b) }
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: cluster
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: user
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: default
  context: {cluster: cluster, user: user}
current-context: default
`, server, b64(caPEM), b64(cert.CertPEM), b64(cert.KeyPEM))
}

// errExitedEarly is a process of the control plane ending while it starts.
var errExitedEarly = errors.New("exited while the control plane started")

// Start brings up the control plane and waits until the apiserver is ready.
// Its ports are picked free and then bound by the child processes, so
// another process starting at the same moment (a second cluster, another
// test binary) can take one in between: a start whose process exits early
// is tried again, on new ports, up to three times.
func Start(ctx context.Context, c Config) (cp *ControlPlane, err error) {
	for range 3 {
		if cp, err = start(ctx, c); !errors.Is(err, errExitedEarly) || ctx.Err() != nil {
			break
		}
	}
	return cp, err
}

func start(ctx context.Context, c Config) (_ *ControlPlane, err error) {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, err
	}
	cp := &ControlPlane{Name: c.Name, dir: c.DataDir}
	defer func() {
		if err != nil {
			_ = cp.Stop()
		}
	}()
	ports := make([]int, 3)
	for i := range ports {
		if ports[i], err = FreePort(); err != nil {
			return nil, err
		}
	}
	cp.Ports = ports
	etcdPort, etcdPeer, apiPort := ports[0], ports[1], ports[2]
	cp.Endpoint = fmt.Sprintf("https://127.0.0.1:%d", apiPort)

	if cp.CA, err = pki.NewCA("localeks-" + c.Name); err != nil {
		return nil, err
	}
	serving, err := cp.CA.Issue("kube-apiserver", nil, "127.0.0.1", "localhost", "kubernetes", "kubernetes.default",
		"kubernetes.default.svc", "kubernetes.default.svc.cluster.local", firstServiceIP(c.ServiceCIDR))
	if err != nil {
		return nil, err
	}
	if cp.Admin, err = cp.CA.Issue("localeks-admin", []string{"system:masters"}); err != nil {
		return nil, err
	}
	saKey, saPub, err := pki.ServiceAccountKey()
	if err != nil {
		return nil, err
	}
	authn := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: localeks
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: apiserver
contexts:
- name: webhook
  context: {cluster: localeks, user: apiserver}
current-context: webhook
`, c.AuthWebhookURL, base64Std(c.AuthWebhookCA))
	cp.Kubeconfig = filepath.Join(c.DataDir, "admin.kubeconfig")
	files := map[string][]byte{
		"ca.crt": cp.CA.CertPEM, "apiserver.crt": serving.CertPEM, "apiserver.key": serving.KeyPEM,
		"sa.key": saKey, "sa.pub": saPub, "authn.kubeconfig": []byte(authn),
		"admin.kubeconfig": []byte(kubeconfig(cp.Endpoint, cp.CA.CertPEM, cp.Admin)),
	}
	if err := pki.WriteFiles(c.DataDir, files); err != nil {
		return nil, err
	}
	f := func(n string) string { return filepath.Join(c.DataDir, n) }

	if err := cp.spawn(c, "etcd", "--name", c.Name, "--data-dir", f("etcd"),
		"--listen-client-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPort),
		"--advertise-client-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPort),
		"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPeer)); err != nil {
		return nil, err
	}
	args := []string{
		"--etcd-servers", fmt.Sprintf("http://127.0.0.1:%d", etcdPort),
		"--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", fmt.Sprint(apiPort),
		"--tls-cert-file", f("apiserver.crt"), "--tls-private-key-file", f("apiserver.key"),
		"--client-ca-file", f("ca.crt"),
		"--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file", f("sa.pub"), "--service-account-signing-key-file", f("sa.key"),
		"--service-cluster-ip-range", c.ServiceCIDR,
		"--authorization-mode", "Node,RBAC",
		"--anonymous-auth=false",
		"--authentication-token-webhook-config-file", f("authn.kubeconfig"),
		"--authentication-token-webhook-cache-ttl", "30s",
		"--allow-privileged=true",
		"--profiling=false",
		"--enable-priority-and-fairness=false",
		// The kubernetes Service's endpoint would be 127.0.0.1, which the
		// lease reconciler refuses; nothing in the simulation needs it.
		"--endpoint-reconciler-type=none",
		"--watch-cache=true",
		"--v=0",
	}
	if c.ServiceAccountIssuer != "" {
		// The first issuer signs new tokens, every one is accepted: as on
		// EKS, tokens carry the cluster's OIDC issuer and, unless asked for
		// another, the audience https://kubernetes.default.svc.
		args = append([]string{"--service-account-issuer", c.ServiceAccountIssuer}, args...)
		args = append(args, "--api-audiences", "https://kubernetes.default.svc,https://kubernetes.default.svc.cluster.local")
	}
	if c.ClusterNetwork != "" {
		// Webhook Services resolve to their endpoints (no Ready endpoint:
		// "no endpoints available for service"), dialled through the proxy.
		egress := fmt.Sprintf(`apiVersion: apiserver.k8s.io/v1beta1
kind: EgressSelectorConfiguration
egressSelections:
- name: cluster
  connection:
    proxyProtocol: HTTPConnect
    transport:
      uds:
        udsName: %s
`, c.ClusterNetwork)
		if err := pki.WriteFiles(c.DataDir, map[string][]byte{"egress.yaml": []byte(egress)}); err != nil {
			return nil, err
		}
		args = append(args, "--enable-aggregator-routing=true", "--egress-selector-config-file", f("egress.yaml"))
	}
	if err := cp.spawn(c, "apiserver", args...); err != nil {
		return nil, err
	}
	if err := cp.waitReady(ctx); err != nil {
		return nil, err
	}
	if err := cp.spawn(c, "controller-manager",
		"--kubeconfig", f("admin.kubeconfig"),
		"--authentication-kubeconfig", f("admin.kubeconfig"), "--authorization-kubeconfig", f("admin.kubeconfig"),
		"--bind-address", "127.0.0.1", "--secure-port", "0",
		"--leader-elect=false",
		"--controllers", "*,-nodeipam,-csrsigning,-csrapproving,-bootstrapsigner,-tokencleaner",
		"--service-account-private-key-file", f("sa.key"), "--root-ca-file", f("ca.crt"),
		"--use-service-account-credentials=false",
		"--node-monitor-grace-period", "40s",
		"--concurrent-deployment-syncs", "10", "--concurrent-replicaset-syncs", "10",
		"--profiling=false", "--v=0"); err != nil {
		return nil, err
	}
	if err := cp.spawn(c, "scheduler",
		"--kubeconfig", f("admin.kubeconfig"),
		"--authentication-kubeconfig", f("admin.kubeconfig"), "--authorization-kubeconfig", f("admin.kubeconfig"),
		"--bind-address", "127.0.0.1", "--secure-port", "0",
		"--leader-elect=false", "--profiling=false", "--v=0"); err != nil {
		return nil, err
	}
	return cp, nil
}

func (cp *ControlPlane) spawn(c Config, component string, args ...string) error {
	cmd := exec.Command(c.Binary, append([]string{component}, args...)...)
	out := c.Log
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout, cmd.Stderr = prefixed(out, c.Name+"/"+component), prefixed(out, c.Name+"/"+component)
	// The children die with localeks, whatever kills it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s of cluster %s: %w", component, c.Name, err)
	}
	done := make(chan struct{})
	cp.procs, cp.exited = append(cp.procs, cmd), append(cp.exited, done)
	go func() { _ = cmd.Wait(); close(done) }()
	return nil
}

// HTTPClient is an admin client for the apiserver.
func (cp *ControlPlane) HTTPClient() (*http.Client, error) {
	cert, err := cp.Admin.TLS()
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cp.CA.Cert)
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}},
	}}, nil
}

func (cp *ControlPlane) waitReady(ctx context.Context) error {
	client, err := cp.HTTPClient()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		for i, done := range cp.exited {
			select {
			case <-done:
				return fmt.Errorf("%s of %s %w (run localeks with -v to see why)", cp.procs[i].Args[1], cp.Name, errExitedEarly)
			default:
			}
		}
		resp, err := client.Get(cp.Endpoint + "/readyz")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b)))
		} else {
			last = err.Error()
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("the apiserver of %s was not ready within 60s: %s", cp.Name, last)
}

// Stop kills the control plane's processes and removes its data.
func (cp *ControlPlane) Stop() error {
	for i := len(cp.procs) - 1; i >= 0; i-- {
		if p := cp.procs[i].Process; p != nil {
			_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
		}
	}
	// Wait until they are gone, so their ports are free.
	for _, done := range cp.exited {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
	if cp.dir != "" {
		return os.RemoveAll(cp.dir)
	}
	return nil
}

// firstServiceIP is the kubernetes Service's address: the range's first host.
func firstServiceIP(cidr string) string {
	_, n, err := net.ParseCIDR(cidr)
	if err != nil {
		return "10.100.0.1"
	}
	ip := n.IP.To4()
	return net.IPv4(ip[0], ip[1], ip[2], ip[3]+1).String()
}
