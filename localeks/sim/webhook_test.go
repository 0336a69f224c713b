package sim

import (
	"encoding/json"
	"testing"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

type associations map[string]bool

func (a associations) HasPodIdentity(ns, sa string) bool { return a[ns+"/"+sa] }

// mutated admits the pod and applies the webhook's patch, as the apiserver does.
func mutated(t *testing.T, pod *corev1.Pod, profiles []placement.Profile, ids PodIdentities) *corev1.Pod {
	t.Helper()
	raw, _ := json.Marshal(pod)
	out := Mutate(&admissionv1.AdmissionReview{Request: &admissionv1.AdmissionRequest{Namespace: pod.Namespace, Object: runtime.RawExtension{Raw: raw}}},
		profiles, ids, "eu-west-1", t.Logf)
	if out.Response.Patch == nil {
		return pod
	}
	p, err := jsonpatch.DecodePatch(out.Response.Patch)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Apply(raw)
	if err != nil {
		t.Fatalf("the patch %s does not apply: %v", out.Response.Patch, err)
	}
	var got corev1.Pod
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	return &got
}

func env(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func TestMutatePodIdentity(t *testing.T) {
	ids := associations{"apps/app": true}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "apps"}, Spec: corev1.PodSpec{ServiceAccountName: "app",
		Containers: []corev1.Container{
			{Name: "bare"},
			{Name: "with-env", Env: []corev1.EnvVar{{Name: "X", Value: "1"}}, VolumeMounts: []corev1.VolumeMount{{Name: "v", MountPath: "/v"}}},
			{Name: "own-credentials", Env: []corev1.EnvVar{{Name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", Value: "http://mine"}}},
		}}}
	profiles := []placement.Profile{{Name: "fp", Selectors: []placement.Selector{{Namespace: "apps"}}}}
	got := mutated(t, pod, profiles, ids)
	if got.Spec.SchedulerName != FargateScheduler || got.Labels[placement.ProfileLabel] != "fp" {
		t.Errorf("the Fargate part is missing: scheduler %q labels %v", got.Spec.SchedulerName, got.Labels)
	}
	if len(got.Spec.Volumes) != 1 || got.Spec.Volumes[0].Projected.Sources[0].ServiceAccountToken.Audience != PodIdentityAudience {
		t.Fatalf("volumes %+v", got.Spec.Volumes)
	}
	c := got.Spec.Containers
	if env(c[0], "AWS_CONTAINER_CREDENTIALS_FULL_URI") != PodIdentityURI || env(c[1], "AWS_CONTAINER_CREDENTIALS_FULL_URI") != PodIdentityURI || env(c[1], "X") != "1" ||
		env(c[2], "AWS_CONTAINER_CREDENTIALS_FULL_URI") != "http://mine" || len(c[1].VolumeMounts) != 2 || len(c[2].VolumeMounts) != 0 {
		t.Fatalf("containers %+v", c)
	}
	if env(c[0], "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") != "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token" {
		t.Fatalf("token file %q", env(c[0], "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"))
	}

	other := pod.DeepCopy()
	other.Spec.ServiceAccountName = ""
	if got := mutated(t, other, nil, ids); len(got.Spec.Volumes) != 0 || env(got.Spec.Containers[0], "AWS_REGION") != "" {
		t.Fatalf("the default service account has no association, yet: %+v", got.Spec)
	}
	if got := mutated(t, pod, nil, nil); len(got.Spec.Volumes) != 0 {
		t.Fatalf("without associations: %+v", got.Spec.Volumes)
	}
}
