package sim

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// The cluster's network as the apiserver sees it. The apiserver dials
// admission webhooks through an HTTP CONNECT proxy (its egress selector)
// and, with aggregator routing, a webhook Service resolves to one of its
// Ready endpoints, a pod IP:port, as on EKS. ServeClusterNetwork is that
// proxy: what answers at a pod's address is what localeks runs there (the
// AWS Load Balancer Controller's webhook server, with the certificate of the
// Secret its pod mounts); loopback addresses (localeks' own webhooks) are
// passed through; nothing else is reachable. No socket is opened on a pod
// address: the controller's TLS is served on the tunnelled connection.

// ServeClusterNetwork serves the proxy on ln until ctx ends.
func (s *Simulator) ServeClusterNetwork(ctx context.Context, ln net.Listener) {
	go func() {
		<-ctx.Done()
		_ = ln.Close()
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go s.tunnel(ctx, conn)
	}
}

func (s *Simulator) tunnel(ctx context.Context, conn net.Conn) {
	br := bufio.NewReader(conn)
	req, err := http.ReadRequest(br)
	if err != nil || req.Method != http.MethodConnect {
		_ = conn.Close()
		return
	}
	target := req.Host
	host, portStr, err := net.SplitHostPort(target)
	ip := net.ParseIP(host)
	if err != nil || ip == nil {
		refuse(conn, http.StatusBadGateway, "dial tcp "+target+": no such host")
		return
	}
	if ip.IsLoopback() {
		up, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", target)
		if err != nil {
			refuse(conn, http.StatusBadGateway, err.Error())
			return
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
		pipe(conn, br, up)
		return
	}
	port, _ := strconv.Atoi(portStr)
	pod := s.lbcServing(host, port)
	if pod == nil {
		refuse(conn, http.StatusBadGateway, "dial tcp "+target+": connect: connection refused")
		return
	}
	_, _ = io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
	s.serveLBCWebhooks(ctx, &bufferedConn{Conn: conn, r: br}, pod)
}

func refuse(conn net.Conn, code int, msg string) {
	fmt.Fprintf(conn, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\n\r\n", code, msg)
	_ = conn.Close()
}

func pipe(down net.Conn, br *bufio.Reader, up net.Conn) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _, _ = io.Copy(up, br); _ = up.Close() }()
	go func() { defer wg.Done(); _, _ = io.Copy(down, up); _ = down.Close() }()
	wg.Wait()
}

// bufferedConn reads what the CONNECT request's reader already buffered.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// lbcPods are the pods of the controller's Deployment.
func (s *Simulator) lbcPods() []*corev1.Pod {
	d, err := s.factory.Apps().V1().Deployments().Lister().Deployments(placement.LBCNamespace).Get(placement.LBCName)
	if err != nil {
		return nil
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return nil
	}
	pods, _ := s.factory.Core().V1().Pods().Lister().Pods(placement.LBCNamespace).List(sel)
	return pods
}

// lbcServing is the controller pod whose webhook server answers at
// ip:port: a Ready pod of the controller's Deployment with that IP, on its
// webhook port.
func (s *Simulator) lbcServing(ip string, port int) *corev1.Pod {
	if port != placement.LBCWebhookPort {
		return nil
	}
	for _, p := range s.lbcPods() {
		if p.Status.PodIP == ip && p.DeletionTimestamp == nil && podReady(p) {
			return p
		}
	}
	return nil
}

// lbcCertDir is where the controller's webhook server reads its
// certificate (controller-runtime's default; the chart mounts the TLS
// Secret there).
const lbcCertDir = "/tmp/k8s-webhook-server/serving-certs"

// lbcCertSecret is the Secret the pod mounts at lbcCertDir, "" if none.
func lbcCertSecret(p *corev1.Pod) string {
	vols := map[string]string{}
	for _, v := range p.Spec.Volumes {
		if v.Secret != nil {
			vols[v.Name] = v.Secret.SecretName
		}
	}
	for _, c := range p.Spec.Containers {
		for _, m := range c.VolumeMounts {
			if m.MountPath == lbcCertDir || m.MountPath == lbcCertDir+"/" {
				return vols[m.Name]
			}
		}
	}
	return ""
}

// serveLBCWebhooks is the controller's webhook server on one connection:
// TLS with the key pair of the Secret the pod mounts, read at each
// handshake (the controller reloads its certificate when the files change).
func (s *Simulator) serveLBCWebhooks(ctx context.Context, conn net.Conn, pod *corev1.Pod) {
	secret := lbcCertSecret(pod)
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		sec, err := s.cfg.Client.CoreV1().Secrets(pod.Namespace).Get(ctx, secret, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			// The kubelet keeps a deleted Secret's last files in the volume.
			if c, ok := s.lbcCerts.Load(pod.UID); ok {
				return c.(*tls.Certificate), nil
			}
		}
		if err != nil {
			return nil, err
		}
		c, err := tls.X509KeyPair(sec.Data[corev1.TLSCertKey], sec.Data[corev1.TLSPrivateKeyKey])
		if err != nil {
			return nil, err
		}
		s.lbcCerts.Store(pod.UID, &c)
		return &c, nil
	}}
	srv := &http.Server{Handler: http.HandlerFunc(s.lbcWebhook), ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	_ = srv.Serve(&oneConn{conn: tls.Server(conn, cfg)})
}

// oneConn is a listener that hands out one connection, then waits until
// that connection is closed.
type oneConn struct {
	conn net.Conn
	once sync.Once
	done chan struct{}
	mu   sync.Mutex
}

func (l *oneConn) Accept() (net.Conn, error) {
	l.mu.Lock()
	if l.done == nil {
		l.done = make(chan struct{})
	}
	done := l.done
	l.mu.Unlock()
	var c net.Conn
	l.once.Do(func() { c = &closeNotify{Conn: l.conn, done: done} })
	if c != nil {
		return c, nil
	}
	<-done
	return nil, errors.New("connection closed")
}

func (l *oneConn) Close() error   { return nil }
func (l *oneConn) Addr() net.Addr { return l.conn.LocalAddr() }

type closeNotify struct {
	net.Conn
	done chan struct{}
	once sync.Once
}

func (c *closeNotify) Close() error {
	c.once.Do(func() { close(c.done) })
	return c.Conn.Close()
}
