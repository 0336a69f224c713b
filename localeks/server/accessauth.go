package server

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

// motoDefaultSecret is the secret localeks takes for an access key it has
// not seen made: moto answers any unknown key as its default user, and
// internal/launch gives every test and tool the key pair testing/testing.
const motoDefaultSecret = "testing"

// verifyOptions is how the token webhook checks tokens: against moto's
// STS, tokens presigned for localeks' or moto's own address, and the
// signature checked with the key's secret as STS would (moto does not
// check signatures; the signature is what binds a token to its cluster).
func (s *Server) verifyOptions() eksauth.VerifyOptions {
	var hosts []string
	for _, raw := range []string{s.URL, s.opt.MotoURL} {
		if u, err := url.Parse(raw); err == nil {
			hosts = append(hosts, u.Host)
		}
	}
	return eksauth.VerifyOptions{Endpoint: s.opt.MotoURL, STSHosts: hosts, Secret: s.acc.secret}
}

func (a *accessStore) secret(key string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if s, ok := a.secrets[key]; ok {
		return s, true
	}
	return motoDefaultSecret, true
}

var (
	keyIDTag  = regexp.MustCompile(`<AccessKeyId>([^<]+)</AccessKeyId>`)
	secretTag = regexp.MustCompile(`<SecretAccessKey>([^<]+)</SecretAccessKey>`)
)

// learnSecrets notes the secret of each access key IAM or STS hands out
// through localeks (CreateAccessKey, AssumeRole, GetSessionToken ...).
func (s *Server) learnSecrets(call awsproxy.Call, status int, body []byte) {
	// AssumeRoleWithWebIdentity is not signed: its service is not known.
	sts := call.Service == "sts" || call.Service == "unknown"
	if status != http.StatusOK || !(call.Service == "iam" && call.Op == "CreateAccessKey" ||
		sts && (strings.HasPrefix(call.Op, "AssumeRole") || strings.HasSuffix(call.Op, "Token"))) {
		return
	}
	k, sec := keyIDTag.FindSubmatch(body), secretTag.FindSubmatch(body)
	if k == nil || sec == nil {
		return
	}
	s.acc.mu.Lock()
	s.acc.secrets[string(k[1])] = string(sec[1])
	s.acc.mu.Unlock()
}

var arnTag = regexp.MustCompile(`<Arn>([^<]+)</Arn>`)

// callerPrincipal is the canonical principal of an access key, as STS
// (moto) knows it: what EKS makes the cluster creator's access entry for.
func (s *Server) callerPrincipal(ctx context.Context, key string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.opt.MotoURL+"/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s/%s/sts/aws4_request, SignedHeaders=host, Signature=0",
		key, time.Now().UTC().Format("20060102"), s.opt.Region))
	resp, err := s.moto.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	m := arnTag.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("STS did not name the caller of key %s: %.200s", key, b)
	}
	return eksauth.Canonical(string(m[1]))
}

// sessionName is the session of an assumed-role ARN, "" otherwise.
func sessionName(arn string) string {
	if !strings.Contains(arn, ":assumed-role/") {
		return ""
	}
	return arn[strings.LastIndex(arn, "/")+1:]
}

// namespaceGroups are the groups of a grant's namespace-scoped policies,
// a prefix (dev-*) matching the cluster's namespaces now.
func namespaceGroups(ctx context.Context, k kubernetes.Interface, g *grant) []string {
	var out, existing []string
	listed := false
	for _, policy := range slices.Sorted(maps.Keys(g.namespaces)) {
		for _, ns := range g.namespaces[policy] {
			prefix, wild := strings.CutSuffix(ns, "*")
			if !wild {
				out = append(out, policyGroup(policy, ns))
				continue
			}
			if !listed && k != nil {
				if l, err := k.CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); err == nil {
					for _, n := range l.Items {
						existing = append(existing, n.Name)
					}
				}
				listed = true
			}
			for _, n := range existing {
				if strings.HasPrefix(n, prefix) {
					out = append(out, policyGroup(policy, n))
				}
			}
		}
	}
	return out
}

// accessRBAC keeps in the cluster the bindings that give the policy groups
// their ClusterRoles: cluster-wide ones for cluster-scoped associations, and
// one RoleBinding per policy in every namespace, made as namespaces appear.
// Rights themselves are decided at authentication (grantFor): the bindings
// never change with the access entries.
func (s *Server) accessRBAC(ctx context.Context, cluster string, k kubernetes.Interface) {
	label := map[string]string{"app.kubernetes.io/managed-by": "eks"}
	for policy, role := range eksauth.AccessPolicies {
		if policy == "AmazonEKSClusterAdminPolicy" {
			continue // system:masters
		}
		crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: policyGroup(policy, ""), Labels: label},
			RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role},
			Subjects: []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "Group", Name: policyGroup(policy, "")}}}
		for ctx.Err() == nil {
			_, err := k.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{})
			if err == nil || apierrors.IsAlreadyExists(err) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	bind := func(ns string) {
		for policy, role := range eksauth.AccessPolicies {
			rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "eks:access-policy:" + policy, Namespace: ns, Labels: label},
				RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role},
				Subjects: []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "Group", Name: policyGroup(policy, ns)}}}
			if _, err := k.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) && ctx.Err() == nil {
				s.logf("cluster %s: access policy binding in %s: %v", cluster, ns, err)
			}
		}
	}
	for ctx.Err() == nil {
		l, err := k.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		if err != nil {
			time.Sleep(time.Second)
			continue
		}
		for _, n := range l.Items {
			bind(n.Name)
		}
		w, err := k.CoreV1().Namespaces().Watch(ctx, metav1.ListOptions{ResourceVersion: l.ResourceVersion})
		if err != nil {
			time.Sleep(time.Second)
			continue
		}
		for ev := range w.ResultChan() {
			if ns, ok := ev.Object.(interface{ GetName() string }); ok && ev.Type == watch.Added {
				bind(ns.GetName())
			}
		}
		w.Stop()
	}
}
