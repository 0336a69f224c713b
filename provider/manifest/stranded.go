package manifest

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// fargateScheduler is the scheduler EKS gives the pods a Fargate profile selects.
const fargateScheduler = "fargate-scheduler"

// strandedPod says why a pod will not run when no Fargate profile selected
// it (it went to kube-scheduler) and kube-scheduler has found no node for
// it for timing.stranded: e.g. its profile was deleted, which deletes the
// pods it placed; their controllers make them again, Pending ("Delete a
// Fargate profile", EKS user guide). "" when the pod may still run.
func (a *applier) strandedPod(p *corev1.Pod) string {
	if p.Spec.SchedulerName == fargateScheduler || p.Spec.NodeName != "" || p.DeletionTimestamp != nil {
		return ""
	}
	for _, c := range p.Status.Conditions {
		if c.Type != corev1.PodScheduled || c.Status != corev1.ConditionFalse || c.Reason != corev1.PodReasonUnschedulable {
			continue
		}
		if time.Since(c.LastTransitionTime.Time) < a.timing.stranded() {
			return ""
		}
		return fmt.Sprintf("pod %s has nowhere to run: no Fargate profile selects it (deleting a profile deletes its pods, "+
			"which come back Pending) and no node takes it (%s); add a Fargate profile that selects namespace %q and the pod's labels, "+
			"or a node group", p.Name, c.Message, p.Namespace)
	}
	return ""
}
