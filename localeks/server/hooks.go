package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	authv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/localeks/sim"
	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

var metaGet = metav1.GetOptions{}

// authenticate answers the apiserver's TokenReviews as EKS does: the token
// must be a presigned STS GetCallerIdentity for this cluster that STS
// (moto) accepts, from the identity that created the cluster, which is its
// admin (system:masters). Like EKS without an access entry, any other
// identity is not let in (401).
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) {
	cluster := r.PathValue("cluster")
	var review authv1.TokenReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	review.Status = authv1.TokenReviewStatus{}
	id, err := eksauth.Verify(r.Context(), review.Spec.Token, cluster, eksauth.VerifyOptions{Endpoint: s.opt.MotoURL})
	if err != nil {
		review.Status.Error = err.Error()
		writeJSON(w, http.StatusOK, review)
		return
	}
	s.mu.Lock()
	c := s.clusters[cluster]
	s.mu.Unlock()
	if c == nil || accessKey(review.Spec.Token) != c.creatorKey {
		review.Status.Error = fmt.Sprintf("%s has no access entry in cluster %s", id.ARN, cluster)
		writeJSON(w, http.StatusOK, review)
		return
	}
	groups := []string{"system:authenticated", "system:masters"}
	review.Status.Authenticated = true
	review.Status.User = authv1.UserInfo{Username: id.ARN, UID: "aws-iam-authenticator:" + id.Account + ":" + id.UserID, Groups: groups,
		Extra: map[string]authv1.ExtraValue{"arn": {id.ARN}}}
	writeJSON(w, http.StatusOK, review)
}

// accessKey is the access key ID that signed a token.
func accessKey(token string) string {
	raw, err := eksauth.URL(token)
	if err != nil {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	cred := u.Query().Get("X-Amz-Credential")
	return strings.SplitN(cred, "/", 2)[0]
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
