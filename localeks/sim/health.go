package sim

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// addonWorkloads are the kube-system workloads of each EKS add-on.
var addonWorkloads = map[string]struct{ deployments, daemonSets []string }{
	"coredns":                   {deployments: []string{"coredns"}},
	"kube-proxy":                {daemonSets: []string{"kube-proxy"}},
	"vpc-cni":                   {daemonSets: []string{"aws-node"}},
	placement.EBSCSIDriverAddon: {deployments: []string{EBSController}, daemonSets: []string{EBSNode}},
	PodIdentityAgentName:        {daemonSets: []string{PodIdentityAgentName}},
}

// Health is what EKS's add-on health check sees of an add-on's workloads.
type Health struct {
	// Ready: every workload exists, is rolled out and has all its replicas ready.
	Ready bool
	// Failing: a pod of a rolled-out workload cannot be scheduled, or
	// crash-loops; EKS reports InsufficientNumberOfReplicas.
	Failing bool
}

// AddonHealth reads the health of the add-on's workloads.
func AddonHealth(ctx context.Context, c kubernetes.Interface, addon string) (Health, error) {
	w := addonWorkloads[addon]
	h := Health{Ready: true}
	for _, name := range w.deployments {
		d, err := c.AppsV1().Deployments("kube-system").Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			h.Ready = false
			continue
		}
		if err != nil {
			return Health{}, err
		}
		want := int32(1)
		if d.Spec.Replicas != nil {
			want = *d.Spec.Replicas
		}
		rolledOut := d.Status.ObservedGeneration >= d.Generation && d.Status.UpdatedReplicas >= want
		h.Ready = h.Ready && rolledOut && d.Status.ReadyReplicas >= want && d.Status.Replicas == want
		// A rollout stuck on pods that cannot run fails too (pods of the
		// revision it rolls away from do not count).
		if d.Status.ReadyReplicas < want {
			failing, err := podsFailing(ctx, c, d)
			if err != nil {
				return Health{}, err
			}
			h.Failing = h.Failing || failing
		}
	}
	for _, name := range w.daemonSets {
		ds, err := c.AppsV1().DaemonSets("kube-system").Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			h.Ready = false
			continue
		}
		if err != nil {
			return Health{}, err
		}
		h.Ready = h.Ready && daemonSetReady(ds)
	}
	return h, nil
}

func daemonSetReady(ds *appsv1.DaemonSet) bool {
	st := ds.Status
	return st.ObservedGeneration >= ds.Generation && st.NumberReady >= st.DesiredNumberScheduled && st.UpdatedNumberScheduled >= st.DesiredNumberScheduled
}

// podsFailing reports a live pod of the Deployment's current revision
// (pods of the one it rolls away from do not count) that kube-scheduler
// (or the fargate-scheduler) found no place for, or whose containers
// crash-loop.
func podsFailing(ctx context.Context, c kubernetes.Interface, d *appsv1.Deployment) (bool, error) {
	s, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return false, err
	}
	rss, err := c.AppsV1().ReplicaSets(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: s.String()})
	if err != nil {
		return false, err
	}
	const revision = "deployment.kubernetes.io/revision"
	hash := ""
	for _, rs := range rss.Items {
		if rs.Annotations[revision] == d.Annotations[revision] {
			hash = rs.Labels[appsv1.DefaultDeploymentUniqueLabelKey]
		}
	}
	pods, err := c.CoreV1().Pods(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: s.String()})
	if err != nil {
		return false, err
	}
	for _, p := range pods.Items {
		if p.DeletionTimestamp != nil || p.Labels[appsv1.DefaultDeploymentUniqueLabelKey] != hash {
			continue
		}
		for _, cond := range p.Status.Conditions {
			if cond.Type == corev1.PodScheduled && cond.Status == corev1.ConditionFalse && cond.Reason == corev1.PodReasonUnschedulable {
				return true, nil
			}
		}
		for _, cs := range p.Status.ContainerStatuses {
			if cs.State.Waiting != nil && cs.State.Waiting.Reason == "CrashLoopBackOff" {
				return true, nil
			}
		}
	}
	return false, nil
}
