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
	conv := runtime.DefaultUnstructuredConverter.FromUnstructured
	u := o.UnstructuredContent()
	var t *corev1.PodTemplateSpec
	switch o.GetKind() {
	case "Deployment":
		var d appsv1.Deployment
		if conv(u, &d) != nil {
			return "", nil, nil, false
		}
		t = &d.Spec.Template
	case "StatefulSet":
		var s appsv1.StatefulSet
		if conv(u, &s) != nil {
			return "", nil, nil, false
		}
		t = &s.Spec.Template
	case "ReplicaSet":
		var s appsv1.ReplicaSet
		if conv(u, &s) != nil {
			return "", nil, nil, false
		}
		t = &s.Spec.Template
	case "DaemonSet":
		var s appsv1.DaemonSet
		if conv(u, &s) != nil {
			return "", nil, nil, false
		}
		t = &s.Spec.Template
	case "Job":
		var j batchv1.Job
		if conv(u, &j) != nil {
			return "", nil, nil, false
		}
		t = &j.Spec.Template
	case "CronJob":
		var j batchv1.CronJob
		if conv(u, &j) != nil {
			return "", nil, nil, false
		}
		t = &j.Spec.JobTemplate.Spec.Template
	case "Pod":
		var p corev1.Pod
		if conv(u, &p) != nil {
			return "", nil, nil, false
		}
		return o.GetNamespace(), p.Labels, &p.Spec, true
	default:
		return "", nil, nil, false
	}
	return o.GetNamespace(), t.Labels, &t.Spec, true
}
