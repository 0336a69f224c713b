package reliability_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/acctest"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
)

// Scenario 9: security. No credential or token reaches the state, the plan
// or the logs; the roles made (the cluster's three, and the EBS CSI driver's)
// carry only the managed policies EKS needs and trust only their service;
// the cluster endpoint's TLS is verified.
func TestSecurity_noSecretsLeastPrivilegeVerifiedTLS(t *testing.T) {
	c := acctest.Client(t)
	const name = "secure"
	// Terraform runs as an IAM user of its own, with the random secret IAM
	// made for its key (localeks checks token signatures, as STS does, with
	// the secrets IAM hands out): that secret must appear nowhere.
	const user = "secure-deployer"
	if _, err := c.IAM.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String(user)}); err != nil {
		t.Fatal(err)
	}
	key, err := c.IAM.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.IAM.DeleteAccessKey(bg, &iam.DeleteAccessKeyInput{UserName: aws.String(user), AccessKeyId: key.AccessKey.AccessKeyId})
		_, _ = c.IAM.DeleteUser(bg, &iam.DeleteUserInput{UserName: aws.String(user)})
	})
	secret := aws.ToString(key.AccessKey.SecretAccessKey)
	w := blogWorkdir(t, name, "10.69.0.0/16")
	// The EBS CSI driver, whose role the provider makes too (Pod Identity:
	// the blog has a node group).
	if cfg := blog(t, name, "10.69.0.0/16"); !strings.Contains(cfg, "aws-ebs-csi-driver") {
		w.SetConfig(strings.Replace(cfg, `kubernetes_version = "1.35"`, `kubernetes_version = "1.35"
  addons             = { vpc-cni = {}, kube-proxy = {}, coredns = {}, aws-ebs-csi-driver = {} }`, 1))
	}
	// Secrets encrypted with a key the provider makes (its key policy is checked).
	w.SetConfig(strings.Replace(blog(t, name, "10.69.0.0/16"), `tags = { team = "brewers" }`, "secrets_encryption = true\n  tags = { team = \"brewers\" }", 1))
	w.Env = []string{"AWS_ACCESS_KEY_ID=" + aws.ToString(key.AccessKey.AccessKeyId), "AWS_SECRET_ACCESS_KEY=" + secret,
		"AWS_SESSION_TOKEN=terrax-test-session-token-5b2a"}
	outputs := []string{w.Apply()}
	outputs = append(outputs, w.Must("plan", "-input=false", "-no-color", "-var", "service_replicas=3", "-out", "tfplan"))
	outputs = append(outputs, w.Must("show", "-json", "tfplan"), w.Must("output", "-json"))

	// The roles: exactly the managed policies of their purpose, no inline
	// policy, trusted by their service only.
	want := map[string]struct {
		service  string
		policies []string
	}{
		"-cluster-":               {"eks.amazonaws.com", []string{"AmazonEKSClusterPolicy"}},
		"-node-":                  {"ec2.amazonaws.com", []string{"AmazonEC2ContainerRegistryReadOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy"}},
		"-fargate-pod-execution-": {"eks-fargate-pods.amazonaws.com", []string{"AmazonEKSFargatePodExecutionRolePolicy"}},
		"-ebs-csi-":               {"pods.eks.amazonaws.com", []string{"AmazonEBSCSIDriverPolicy"}},
	}
	roles := acctest.Take(t, c, name).Roles
	if len(roles) != len(want) {
		t.Fatalf("roles: %v", roles)
	}
	for _, role := range roles {
		kind := ""
		for k := range want {
			if strings.Contains(role, k) {
				kind = k
			}
		}
		if kind == "" {
			t.Fatalf("role %s is none of the four the cluster needs", role)
		}
		attached, err := c.IAM.ListAttachedRolePolicies(bg, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range attached.AttachedPolicies {
			if !strings.HasPrefix(aws.ToString(p.PolicyArn), "arn:aws:iam::aws:policy/") {
				t.Fatalf("role %s has a policy that is not AWS-managed: %s", role, aws.ToString(p.PolicyArn))
			}
			got = append(got, aws.ToString(p.PolicyName))
		}
		slices.Sort(got)
		if !slices.Equal(got, want[kind].policies) {
			t.Fatalf("role %s has policies %v, want exactly %v", role, got, want[kind].policies)
		}
		checkInlinePolicies(t, c, name, role, kind == "-fargate-pod-execution-")
		r, err := c.IAM.GetRole(bg, &iam.GetRoleInput{RoleName: aws.String(role)})
		if err != nil {
			t.Fatal(err)
		}
		trust, _ := url.QueryUnescape(aws.ToString(r.Role.AssumeRolePolicyDocument))
		services := regexp.MustCompile(`"Service":\s*"([^"]+)"`).FindAllStringSubmatch(trust, -1)
		if len(services) != 1 || services[0][1] != want[kind].service || strings.Contains(trust, `"AWS"`) {
			t.Fatalf("role %s trusts %s; want only %s", role, trust, want[kind].service)
		}
	}

	// TLS: a client that does not trust the cluster's CA is refused; the
	// provider never turns verification off.
	cl, err := c.EKS.DescribeCluster(bg, &eks.DescribeClusterInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	kc, err := kubeclient.New(c.STS, name, aws.ToString(cl.Cluster.Endpoint), otherCA(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Kube.CoreV1().Namespaces().List(bg, metav1.ListOptions{}); err == nil || !strings.Contains(err.Error(), "certificate signed by unknown authority") {
		t.Fatalf("a client trusting another CA reached the cluster endpoint: %v", err)
	}

	keyARN := checkSecretsKey(t, c, name)

	outputs = append(outputs, w.Must("destroy", "-auto-approve", "-input=false", "-no-color", "-var", "service_replicas=2"))
	wantGone(t, c, name)
	checkKeyPendingDeletion(t, c, name, keyARN)

	// Scan what Terraform keeps and shows: state, plan, outputs, debug log.
	scanned := map[string][]byte{"terraform output": []byte(strings.Join(outputs, "\n"))}
	for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup", "tfplan", "terraform.log"} {
		b, err := os.ReadFile(filepath.Join(w.Dir, f))
		if err != nil {
			t.Fatal(err)
		}
		scanned[f] = b
	}
	if len(scanned["terraform.log"]) < 100000 {
		t.Fatalf("the debug log is too short (%d bytes) to prove anything", len(scanned["terraform.log"]))
	}
	forbidden := map[string]*regexp.Regexp{
		"the AWS secret access key":  regexp.MustCompile(regexp.QuoteMeta(secret)),
		"the AWS session token":      regexp.MustCompile(`terrax-test-session-token`),
		"an EKS bearer token":        regexp.MustCompile(`k8s-aws-v1\.[A-Za-z0-9_-]{20,}`),
		"a request signature":        regexp.MustCompile(`Signature=[0-9a-f]{64}`),
		"a private key":              regexp.MustCompile(`PRIVATE KEY-----`),
		"a Kubernetes Authorization": regexp.MustCompile(`(?i)authorization: bearer`),
	}
	for file, b := range scanned {
		for what, re := range forbidden {
			if loc := re.FindIndex(b); loc != nil {
				t.Errorf("%s contains %s: …%s…", file, what, b[max(0, loc[0]-80):min(len(b), loc[1]+20)])
			}
		}
	}
	if !bytes.Contains(scanned["terraform.log"], []byte("fargate")) {
		t.Fatal("the log holds nothing of the provider")
	}
}

// otherCA is the base64 PEM of a CA that signed nothing the cluster uses.
func otherCA(t *testing.T) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "not the cluster's CA"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
