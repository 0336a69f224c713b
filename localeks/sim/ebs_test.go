package sim

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestVolumeZoneIsDeterministicPerClaim(t *testing.T) {
	zones := []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}
	seen := map[string]bool{}
	for _, uid := range []string{"0b1c", "5e6f", "9a8b", "c3d4", "f00d", "beef"} {
		z := VolumeZone(uid, zones)
		if again := VolumeZone(uid, zones); again != z {
			t.Fatalf("claim %s: %s, then %s", uid, z, again)
		}
		seen[z] = true
	}
	if len(seen) < 2 {
		t.Errorf("six claims all in %v: the choice should spread over the zones", seen)
	}
}

func TestEBSControllerCrashLoopsOnFargate(t *testing.T) {
	pod := func(ns, app string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Labels: map[string]string{"app": app}}}
	}
	node := func(compute string) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{LabelComputeType: compute}}}
	}
	for _, c := range []struct {
		pod   *corev1.Pod
		node  *corev1.Node
		crash bool
	}{
		{pod("kube-system", EBSController), node("fargate"), true},
		{pod("kube-system", EBSController), node(""), false},
		{pod("default", EBSController), node("fargate"), false},
		{pod("kube-system", "other"), node("fargate"), false},
	} {
		if got := crashLoop(c.pod, c.node) != ""; got != c.crash {
			t.Errorf("%s/%s on %q: crash-loops %v, want %v", c.pod.Namespace, c.pod.Labels["app"], c.node.Labels[LabelComputeType], got, c.crash)
		}
	}
}
