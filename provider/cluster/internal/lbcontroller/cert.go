package lbcontroller

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// The webhook's certificate: the chart makes a CA and a serving
// certificate for the webhook Service's DNS names, puts both in the TLS
// Secret and the CA in the webhook configurations' caBundle. The provider
// does the same, and makes them again (see Certs.Check) when they are
// missing, do not match, or expire within RenewBefore.
const (
	// CertValidity is how long a serving certificate is valid.
	CertValidity = 365 * 24 * time.Hour
	// RenewBefore: a certificate that expires sooner is replaced by the
	// next apply (the plan shows it).
	RenewBefore = 30 * 24 * time.Hour
)

// DNSNames are the names the API server dials the webhook Service by.
var DNSNames = []string{
	placement.LBCWebhookService + "." + placement.LBCNamespace + ".svc",
	placement.LBCWebhookService + "." + placement.LBCNamespace + ".svc.cluster.local",
}

// Certs are the PEM blocks of the TLS Secret.
type Certs struct{ CA, Cert, Key []byte }

// NewCerts makes a CA and a serving certificate for DNSNames signed by it,
// valid from now on for CertValidity.
func NewCerts(now time.Time) (Certs, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Certs{}, err
	}
	ca := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "aws-load-balancer-controller-ca"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(CertValidity + 24*time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return Certs{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Certs{}, err
	}
	leaf := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: DNSNames[0]}, DNSNames: DNSNames,
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(CertValidity),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return Certs{}, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return Certs{}, err
	}
	return Certs{
		CA:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		Cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		Key:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

// Check returns when the serving certificate expires, or why it cannot
// serve the webhook: it must parse, pair with its key, name DNSNames, and
// chain to the CA, and the CA must be caBundle (the webhook
// configurations').
func (c Certs) Check(caBundle []byte, now time.Time) (time.Time, error) {
	leaf, err := parseCert(c.Cert)
	if err != nil {
		return time.Time{}, fmt.Errorf("tls.crt: %w", err)
	}
	if _, err := tls.X509KeyPair(c.Cert, c.Key); err != nil {
		return time.Time{}, fmt.Errorf("tls.key does not go with tls.crt: %w", err)
	}
	if !bytes.Equal(bytes.TrimSpace(c.CA), bytes.TrimSpace(caBundle)) {
		return time.Time{}, errors.New("ca.crt is not the webhook configurations' caBundle")
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(c.CA) {
		return time.Time{}, errors.New("ca.crt holds no certificate")
	}
	for _, name := range DNSNames {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: roots, CurrentTime: now}); err != nil {
			return time.Time{}, fmt.Errorf("tls.crt does not serve %s: %w", name, err)
		}
	}
	return leaf.NotAfter, nil
}

func parseCert(p []byte) (*x509.Certificate, error) {
	b, _ := pem.Decode(p)
	if b == nil {
		return nil, errors.New("no PEM certificate")
	}
	return x509.ParseCertificate(b.Bytes)
}
