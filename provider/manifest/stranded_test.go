package manifest

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A pod kube-scheduler has had no node for since longer than the grace is
// stranded; one just made, one on Fargate's way, or one bound is not.
func TestStrandedPod(t *testing.T) {
	a := &applier{timing: timing{Stranded: time.Minute}}
	pod := func(scheduler string, since time.Duration) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop"},
			Spec:       corev1.PodSpec{SchedulerName: scheduler},
			Status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
				Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable,
				Message: "no nodes available to schedule pods", LastTransitionTime: metav1.NewTime(time.Now().Add(-since)),
			}}},
		}
	}
	if got := a.strandedPod(pod("default-scheduler", 2*time.Minute)); !strings.Contains(got, "no Fargate profile selects it") ||
		!strings.Contains(got, "no nodes available to schedule pods") || !strings.Contains(got, `namespace "shop"`) {
		t.Errorf("stranded for 2 minutes: %q", got)
	}
	for name, p := range map[string]*corev1.Pod{
		"just now":   pod("default-scheduler", time.Second),
		"on Fargate": pod(fargateScheduler, 2*time.Minute),
	} {
		if got := a.strandedPod(p); got != "" {
			t.Errorf("%s: %q, want none", name, got)
		}
	}
}
