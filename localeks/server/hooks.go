package server

import (
	"encoding/json"
	"fmt"
	"net/http"

	admissionv1 "k8s.io/api/admission/v1"
	authv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/localeks/sim"
	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

var metaGet = metav1.GetOptions{}

// authenticate answers the apiserver's TokenReviews as EKS does
// (aws-iam-authenticator): the token must be a presigned STS
// GetCallerIdentity signed for this cluster, which STS (moto) accepts; the
// caller's rights follow its canonical principal (a role session's role)
// through its access entry (grantFor): the username of the entry, its
// kubernetes_groups and a group per associated access policy, which
// accessRBAC binds to the policy's ClusterRole (AmazonEKSClusterAdminPolicy:
// system:masters). A principal without an access entry is not let in (401).
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) {
	cluster := r.PathValue("cluster")
	var review authv1.TokenReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	review.Status = authv1.TokenReviewStatus{}
	id, err := eksauth.Verify(r.Context(), review.Spec.Token, cluster, s.verifyOptions())
	if err != nil {
		s.logf("cluster %s: token refused: %v", cluster, err)
		review.Status.Error = err.Error()
		writeJSON(w, http.StatusOK, review)
		return
	}
	s.mu.Lock()
	c := s.clusters[cluster]
	s.mu.Unlock()
	g := s.acc.grantFor(cluster, id.Canonical, sessionName(id.ARN))
	if c == nil || g == nil {
		review.Status.Error = fmt.Sprintf("%s (%s) has no access entry in cluster %s", id.ARN, id.Canonical, cluster)
		writeJSON(w, http.StatusOK, review)
		return
	}
	groups := append([]string{"system:authenticated"}, g.groups...)
	groups = append(groups, namespaceGroups(r.Context(), c.Kube(), g)...)
	review.Status.Authenticated = true
	review.Status.User = authv1.UserInfo{Username: g.username, UID: "aws-iam-authenticator:" + id.Account + ":" + id.UserID, Groups: groups,
		Extra: map[string]authv1.ExtraValue{"arn": {id.ARN}, "canonicalArn": {id.Canonical}, "accessKeyId": {id.AccessKey}}}
	writeJSON(w, http.StatusOK, review)
}

// mutate is the pod admission webhook of one cluster: Fargate and Pod Identity.
func (s *Server) mutate(w http.ResponseWriter, r *http.Request) {
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
		http.Error(w, "bad AdmissionReview", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	c := s.clusters[r.PathValue("cluster")]
	s.mu.Unlock()
	if c == nil {
		writeJSON(w, http.StatusOK, &admissionv1.AdmissionReview{TypeMeta: review.TypeMeta,
			Response: &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}})
		return
	}
	writeJSON(w, http.StatusOK, sim.Mutate(&review, c.FreshProfiles(r.Context()), c, s.opt.Region, s.logf))
}
