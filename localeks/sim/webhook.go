package sim

import (
	"encoding/json"
	"fmt"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// ComputeTypeAnnotation with value "ec2" keeps a pod off Fargate; EKS puts
// it on CoreDNS until CoreDNS is told to run on Fargate.
const ComputeTypeAnnotation = "eks.amazonaws.com/compute-type"

// Mutate is EKS's Fargate admission webhook: a new pod that a Fargate
// profile selects gets the fargate-scheduler and the profile's label.
func Mutate(review *admissionv1.AdmissionReview, profiles []placement.Profile, logf func(string, ...any)) *admissionv1.AdmissionReview {
	req := review.Request
	resp := &admissionv1.AdmissionResponse{UID: req.UID, Allowed: true}
	out := &admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: resp}
	var pod corev1.Pod
	if err := json.Unmarshal(req.Object.Raw, &pod); err != nil {
		return out
	}
	if pod.Annotations[ComputeTypeAnnotation] == "ec2" || pod.Spec.NodeName != "" {
		return out
	}
	d := placement.Place(profiles, req.Namespace, pod.Labels)
	if !d.OnFargate() {
		return out
	}
	if len(d.Candidates) > 1 {
		logf("fargate: pod %s/%s matches profiles %s; EKS picks one at random, localeks takes %s", req.Namespace, podName(&pod),
			strings.Join(d.Candidates, ", "), d.Profile)
	}
	patch := []map[string]any{{"op": "add", "path": "/spec/schedulerName", "value": FargateScheduler}}
	if pod.Labels == nil {
		patch = append(patch, map[string]any{"op": "add", "path": "/metadata/labels", "value": map[string]string{placement.ProfileLabel: d.Profile}})
	} else {
		patch = append(patch, map[string]any{"op": "add", "path": "/metadata/labels/" + strings.ReplaceAll(placement.ProfileLabel, "/", "~1"), "value": d.Profile})
	}
	b, _ := json.Marshal(patch)
	pt := admissionv1.PatchTypeJSONPatch
	resp.Patch, resp.PatchType = b, &pt
	return out
}

func podName(p *corev1.Pod) string {
	if p.Name != "" {
		return p.Name
	}
	return fmt.Sprintf("%s<generated>", p.GenerateName)
}
