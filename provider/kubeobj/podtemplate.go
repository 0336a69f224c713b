package kubeobj

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// PodTemplate returns the pods an object makes: its pod template (or the
// pod itself), with their namespace. ok is false for objects that make no
// pods or that cannot be read as their kind.
func (o Object) PodTemplate() (ns string, labels map[string]string, spec *corev1.PodSpec, ok bool) {
	u := o.UnstructuredContent()
	var t *corev1.PodTemplateSpec
	switch o.GetKind() {
	case "Deployment":
		t = templateOf(u, func(d *appsv1.Deployment) *corev1.PodTemplateSpec { return &d.Spec.Template })
	case "StatefulSet":
		t = templateOf(u, func(s *appsv1.StatefulSet) *corev1.PodTemplateSpec { return &s.Spec.Template })
	case "ReplicaSet":
		t = templateOf(u, func(s *appsv1.ReplicaSet) *corev1.PodTemplateSpec { return &s.Spec.Template })
	case "DaemonSet":
		t = templateOf(u, func(s *appsv1.DaemonSet) *corev1.PodTemplateSpec { return &s.Spec.Template })
	case "Job":
		t = templateOf(u, func(j *batchv1.Job) *corev1.PodTemplateSpec { return &j.Spec.Template })
	case "CronJob":
		t = templateOf(u, func(j *batchv1.CronJob) *corev1.PodTemplateSpec { return &j.Spec.JobTemplate.Spec.Template })
	case "Pod":
		t = templateOf(u, func(p *corev1.Pod) *corev1.PodTemplateSpec {
			return &corev1.PodTemplateSpec{ObjectMeta: p.ObjectMeta, Spec: p.Spec}
		})
	}
	if t == nil {
		return "", nil, nil, false
	}
	return o.GetNamespace(), t.Labels, &t.Spec, true
}

// templateOf reads u as a T and returns its pod template, or nil when u
// is not a T.
func templateOf[T any](u map[string]any, template func(*T) *corev1.PodTemplateSpec) *corev1.PodTemplateSpec {
	var v T
	if runtime.DefaultUnstructuredConverter.FromUnstructured(u, &v) != nil {
		return nil
	}
	return template(&v)
}
