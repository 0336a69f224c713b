package sim

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
)

// EKS applies a node group's taints to its nodes, and changes them on the
// nodes when the node group's change (UpdateNodegroupConfig taints)
// succeeds; what keeps pods without a toleration off them is kube-scheduler.

// kubernetesTaint reports a taint Kubernetes itself manages (not-ready,
// unreachable, ...), which the node group's taints never replace.
func kubernetesTaint(t corev1.Taint) bool {
	return strings.HasPrefix(t.Key, "node.kubernetes.io/") || strings.HasPrefix(t.Key, "node.cloudprovider.kubernetes.io/")
}

// syncTaints gives node n the node group's taints want, keeping Kubernetes' own.
func (s *Simulator) syncTaints(ctx context.Context, n *corev1.Node, want []corev1.Taint) error {
	var have []corev1.Taint
	for _, t := range n.Spec.Taints {
		if !kubernetesTaint(t) {
			have = append(have, t)
		}
	}
	same := func(a, b corev1.Taint) bool { return a.Key == b.Key && a.Value == b.Value && a.Effect == b.Effect }
	if slices.EqualFunc(have, want, same) {
		return nil
	}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := s.cfg.Client.CoreV1().Nodes().Get(ctx, n.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		taints := slices.DeleteFunc(slices.Clone(cur.Spec.Taints), func(t corev1.Taint) bool { return !kubernetesTaint(t) })
		cur.Spec.Taints = append(taints, want...)
		_, err = s.cfg.Client.CoreV1().Nodes().Update(ctx, cur, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("setting the taints of node %s: %w", n.Name, err)
	}
	s.logf("node %s: taints now %v", n.Name, want)
	return nil
}

// Taints turns EKS's node group taints into Kubernetes taints.
func Taints(eks []struct{ Key, Value, Effect string }) []corev1.Taint {
	effects := map[string]corev1.TaintEffect{"NO_SCHEDULE": corev1.TaintEffectNoSchedule, "NO_EXECUTE": corev1.TaintEffectNoExecute,
		"PREFER_NO_SCHEDULE": corev1.TaintEffectPreferNoSchedule}
	var out []corev1.Taint
	for _, t := range eks {
		out = append(out, corev1.Taint{Key: t.Key, Value: t.Value, Effect: effects[t.Effect]})
	}
	return out
}
