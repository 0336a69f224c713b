package sim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// ComputeTypeAnnotation with value "ec2" keeps a pod off Fargate; EKS puts
// it on CoreDNS until CoreDNS is told to run on Fargate.
const ComputeTypeAnnotation = "eks.amazonaws.com/compute-type"

// Mutate is EKS's admission webhooks for pods: a new pod that a Fargate
// profile selects gets the fargate-scheduler and the profile's label; a pod
// whose service account has a Pod Identity association (ids, may be nil)
// gets what EKS's Pod Identity webhook injects.
func Mutate(review *admissionv1.AdmissionReview, profiles []placement.Profile, ids PodIdentities, region string, logf func(string, ...any)) *admissionv1.AdmissionReview {
	req := review.Request
	resp := &admissionv1.AdmissionResponse{UID: req.UID, Allowed: true}
	out := &admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: resp}
	var pod corev1.Pod
	if err := json.Unmarshal(req.Object.Raw, &pod); err != nil {
		return out
	}
	patch := podIdentityPatch(&pod, req.Namespace, ids, region)
	// A DaemonSet's pod belongs to one node, never Fargate ("DaemonSets
	// aren't supported on Fargate", EKS user guide, Fargate considerations):
	// a profile selecting its namespace leaves it to its node.
	if pod.Annotations[ComputeTypeAnnotation] != "ec2" && pod.Spec.NodeName == "" && !ownedByDaemonSet(&pod) {
		patch = append(patch, fargatePatch(&pod, req.Namespace, profiles, logf)...)
	}
	if len(patch) == 0 {
		return out
	}
	b, _ := json.Marshal(patch)
	pt := admissionv1.PatchTypeJSONPatch
	resp.Patch, resp.PatchType = b, &pt
	return out
}

func fargatePatch(pod *corev1.Pod, namespace string, profiles []placement.Profile, logf func(string, ...any)) []map[string]any {
	d := placement.Place(profiles, namespace, pod.Labels)
	if !d.OnFargate() {
		return nil
	}
	if len(d.Candidates) > 1 {
		logf("fargate: pod %s/%s matches profiles %s; EKS picks one at random, localeks takes %s", namespace, podName(pod),
			strings.Join(d.Candidates, ", "), d.Profile)
	}
	patch := []map[string]any{{"op": "add", "path": "/spec/schedulerName", "value": FargateScheduler}}
	if pod.Labels == nil {
		patch = append(patch, map[string]any{"op": "add", "path": "/metadata/labels", "value": map[string]string{placement.ProfileLabel: d.Profile}})
	} else {
		patch = append(patch, map[string]any{"op": "add", "path": "/metadata/labels/" + strings.ReplaceAll(placement.ProfileLabel, "/", "~1"), "value": d.Profile})
	}
	return patch
}

// What EKS's Pod Identity webhook gives a pod: a token for the agent and
// the variables that point the AWS SDKs at the agent's endpoint.
const (
	PodIdentityVolume   = "eks-pod-identity-token"
	PodIdentityAudience = "pods.eks.amazonaws.com"
	PodIdentityURI      = "http://169.254.170.23/v1/credentials"
	podIdentityDir      = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount"
)

// podIdentityPatch injects Pod Identity into a pod whose service account has
// an association, into every container that does not set the variables itself.
func podIdentityPatch(pod *corev1.Pod, namespace string, ids PodIdentities, region string) []map[string]any {
	sa := pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	if ids == nil || !ids.HasPodIdentity(namespace, sa) {
		return nil
	}
	for _, v := range pod.Spec.Volumes {
		if v.Name == PodIdentityVolume {
			return nil
		}
	}
	expiry := int64(86400)
	vol := corev1.Volume{Name: PodIdentityVolume, VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
		Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{
			Audience: PodIdentityAudience, ExpirationSeconds: &expiry, Path: PodIdentityVolume}}}}}}
	env := []corev1.EnvVar{{Name: "AWS_STS_REGIONAL_ENDPOINTS", Value: "regional"}, {Name: "AWS_DEFAULT_REGION", Value: region},
		{Name: "AWS_REGION", Value: region}, {Name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", Value: PodIdentityURI},
		{Name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", Value: podIdentityDir + "/" + PodIdentityVolume}}
	mount := corev1.VolumeMount{Name: PodIdentityVolume, MountPath: podIdentityDir, ReadOnly: true}
	patch := []map[string]any{appendTo("/spec/volumes", pod.Spec.Volumes == nil, vol)}
	for kind, cs := range map[string][]corev1.Container{"containers": pod.Spec.Containers, "initContainers": pod.Spec.InitContainers} {
		for i, c := range cs {
			if slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "AWS_CONTAINER_CREDENTIALS_FULL_URI" }) {
				continue
			}
			base := fmt.Sprintf("/spec/%s/%d", kind, i)
			if c.Env == nil {
				patch = append(patch, map[string]any{"op": "add", "path": base + "/env", "value": env})
			} else {
				for _, e := range env {
					patch = append(patch, appendTo(base+"/env", false, e))
				}
			}
			patch = append(patch, appendTo(base+"/volumeMounts", c.VolumeMounts == nil, mount))
		}
	}
	return patch
}

// appendTo is the JSON patch that appends v to the list at path (made when missing).
func appendTo(path string, missing bool, v any) map[string]any {
	if missing {
		return map[string]any{"op": "add", "path": path, "value": []any{v}}
	}
	return map[string]any{"op": "add", "path": path + "/-", "value": v}
}

func podName(p *corev1.Pod) string {
	if p.Name != "" {
		return p.Name
	}
	return fmt.Sprintf("%s<generated>", p.GenerateName)
}

func ownedByDaemonSet(pod *corev1.Pod) bool {
	for _, o := range pod.OwnerReferences {
		if o.Kind == "DaemonSet" {
			return true
		}
	}
	return false
}
