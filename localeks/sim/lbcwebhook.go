package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	admissionv1 "k8s.io/api/admission/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The AWS Load Balancer Controller's webhook paths, as its chart registers
// them (the Service mutator is off: --enable-service-mutator-webhook=false).
const (
	LBCPathMutatePod       = "/mutate-v1-pod"
	LBCPathMutateTGB       = "/mutate-elbv2-k8s-aws-v1beta1-targetgroupbinding"
	LBCPathValidateTGB     = "/validate-elbv2-k8s-aws-v1beta1-targetgroupbinding"
	LBCPathValidateIngress = "/validate-networking-v1-ingress"
)

// lbcWebhook answers AdmissionReviews as the controller does: pods and
// TargetGroupBindings are allowed unchanged (localeks injects no
// readiness gate), an Ingress naming an IngressClass that does not exist is
// refused (the controller's ingress validator loads the class).
func (s *Simulator) lbcWebhook(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case LBCPathMutatePod, LBCPathMutateTGB, LBCPathValidateTGB, LBCPathValidateIngress:
	default:
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	var review admissionv1.AdmissionReview
	if err == nil {
		err = json.Unmarshal(body, &review)
	}
	if err != nil || review.Request == nil {
		http.Error(w, "bad AdmissionReview", http.StatusBadRequest)
		return
	}
	resp := &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}
	if r.URL.Path == LBCPathValidateIngress {
		if msg := s.validateIngress(r, review.Request); msg != "" {
			resp.Allowed = false
			resp.Result = &metav1.Status{Status: metav1.StatusFailure, Code: http.StatusForbidden, Reason: metav1.StatusReasonForbidden, Message: msg}
		}
	}
	out, _ := json.Marshal(admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: resp})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

func (s *Simulator) validateIngress(r *http.Request, req *admissionv1.AdmissionRequest) string {
	var ing networkingv1.Ingress
	if err := json.Unmarshal(req.Object.Raw, &ing); err != nil {
		return ""
	}
	if ing.Spec.IngressClassName == nil {
		return ""
	}
	name := *ing.Spec.IngressClassName
	if _, err := s.cfg.Client.NetworkingV1().IngressClasses().Get(r.Context(), name, metav1.GetOptions{}); err != nil {
		return fmt.Sprintf("invalid ingress class: %v", err)
	}
	return ""
}
