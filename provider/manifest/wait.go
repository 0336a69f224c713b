package manifest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// verdict is a failure no waiting can cure, said in full by itself.
type verdict struct{ error }

// poll calls f until it is done, fails, or ctx ends; the error says what
// was awaited and the last state seen.
func (a *applier) poll(ctx context.Context, what string, f func() (bool, string, error)) error {
	var last string
	err := wait.Until(ctx, a.timing.poll(), func(context.Context) (bool, error) {
		done, state, err := f()
		var v verdict
		if errors.As(err, &v) {
			return false, wait.Stop(v.error)
		}
		if err != nil {
			return false, wait.Stop(fmt.Errorf("waiting for %s: %w", what, err))
		}
		last = state
		return done, nil
	})
	if errors.Is(err, wait.ErrGaveUp) {
		return fmt.Errorf("timed out waiting for %s: %s; raise the resource's timeouts, or set wait = false", what, last)
	}
	return err
}

// waitReady waits until what an object asks for is there: a Deployment,
// StatefulSet or DaemonSet rolled out, a claim bound (or waiting for its
// first consumer), a LoadBalancer Service given an address. A rollout that
// cannot finish because Fargate refused its pods fails at once, with
// Fargate's own reason.
func (a *applier) waitReady(ctx context.Context, o kubeobj.Object) error {
	id := o.ID()
	get := func() (*unstructured.Unstructured, error) {
		u, err := a.get(ctx, id)
		if err == nil && u == nil {
			err = fmt.Errorf("%s disappeared", id.Short())
		}
		return u, err
	}
	i64 := func(u *unstructured.Unstructured, f ...string) int64 {
		v, _, _ := unstructured.NestedInt64(u.Object, f...)
		return v
	}
	switch o.GetKind() {
	case "Deployment", "StatefulSet":
		return a.poll(ctx, id.Short()+" to roll out", func() (bool, string, error) {
			u, err := get()
			if err != nil {
				return false, "", err
			}
			want := int64(1)
			if v, ok, _ := unstructured.NestedInt64(u.Object, "spec", "replicas"); ok {
				want = v
			}
			ready := i64(u, "status", "readyReplicas")
			state := fmt.Sprintf("%d of %d pods ready", ready, want)
			if i64(u, "status", "observedGeneration") >= u.GetGeneration() && i64(u, "status", "updatedReplicas") == want &&
				ready == want && i64(u, "status", "replicas") == want {
				return true, "", nil
			}
			if reason := a.podTrouble(ctx, o); reason != "" {
				return false, "", verdict{fmt.Errorf("%s cannot roll out: %s", id.Short(), reason)}
			}
			if pending := a.pendingReasons(ctx, o); pending != "" {
				state += "; " + pending
			}
			return false, state, nil
		})
	case "DaemonSet":
		return a.poll(ctx, id.Short()+" to roll out", func() (bool, string, error) {
			u, err := get()
			if err != nil {
				return false, "", err
			}
			want, ready := i64(u, "status", "desiredNumberScheduled"), i64(u, "status", "numberReady")
			return i64(u, "status", "observedGeneration") >= u.GetGeneration() && ready == want, fmt.Sprintf("%d of %d pods ready", ready, want), nil
		})
	case "PersistentVolumeClaim":
		return a.poll(ctx, id.Short()+" to be bound", func() (bool, string, error) {
			u, err := get()
			if err != nil {
				return false, "", err
			}
			phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
			if phase == string(corev1.ClaimBound) {
				return true, "", nil
			}
			// A claim of a WaitForFirstConsumer class binds when its pod is scheduled.
			if a.waitsForConsumer(ctx, u) {
				return true, "", nil
			}
			return false, "phase " + phase, nil
		})
	case "Service":
		if t, _, _ := unstructured.NestedString(o.Object, "spec", "type"); t != string(corev1.ServiceTypeLoadBalancer) {
			return nil
		}
		return a.poll(ctx, id.Short()+" to get a load balancer", func() (bool, string, error) {
			u, err := get()
			if err != nil {
				return false, "", err
			}
			ing, _, _ := unstructured.NestedSlice(u.Object, "status", "loadBalancer", "ingress")
			return len(ing) > 0, "no ingress yet", nil
		})
	}
	return nil
}

func (a *applier) waitsForConsumer(ctx context.Context, claim *unstructured.Unstructured) bool {
	class, _, _ := unstructured.NestedString(claim.Object, "spec", "storageClassName")
	if class == "" {
		return false
	}
	sc, err := a.kc.Kube.StorageV1().StorageClasses().Get(ctx, class, metav1.GetOptions{})
	return err == nil && sc.VolumeBindingMode != nil && string(*sc.VolumeBindingMode) == "WaitForFirstConsumer"
}

// pods lists the pods of a workload.
func (a *applier) pods(ctx context.Context, o kubeobj.Object) []corev1.Pod {
	sel, ok, _ := unstructured.NestedStringMap(o.Object, "spec", "selector", "matchLabels")
	if !ok || len(sel) == 0 {
		return nil
	}
	list, err := a.kc.Kube.CoreV1().Pods(o.GetNamespace()).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(sel).String()})
	if err != nil {
		return nil
	}
	return list.Items
}

// podTrouble is a reason no wait can cure: Fargate refused a pod, or no
// profile selects it and no node takes it (see strandedPod).
func (a *applier) podTrouble(ctx context.Context, o kubeobj.Object) string {
	for _, p := range a.pods(ctx, o) {
		if p.Status.Phase != corev1.PodPending {
			continue
		}
		if reason := a.strandedPod(&p); reason != "" {
			return reason
		}
		evs, err := a.kc.Kube.CoreV1().Events(p.Namespace).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=" + p.Name})
		if err != nil {
			continue
		}
		for _, ev := range evs.Items {
			if strings.HasPrefix(ev.Message, placement.NotSupportedPrefix) {
				return fmt.Sprintf("pod %s: %s", p.Name, ev.Message)
			}
		}
	}
	return ""
}

// pendingReasons says why pods wait, in their own words.
func (a *applier) pendingReasons(ctx context.Context, o kubeobj.Object) string {
	seen := map[string]bool{}
	var reasons []string
	for _, p := range a.pods(ctx, o) {
		for _, c := range p.Status.Conditions {
			if c.Status == corev1.ConditionFalse && c.Message != "" && !seen[c.Message] {
				seen[c.Message] = true
				reasons = append(reasons, fmt.Sprintf("pod %s: %s", p.Name, c.Message))
			}
		}
		for _, cs := range p.Status.ContainerStatuses {
			if w := cs.State.Waiting; w != nil && w.Reason != "" && !seen[w.Reason] {
				seen[w.Reason] = true
				reasons = append(reasons, fmt.Sprintf("pod %s: %s %s", p.Name, w.Reason, w.Message))
			}
		}
	}
	sort.Strings(reasons)
	if len(reasons) > 3 {
		reasons = append(reasons[:3], "...")
	}
	return strings.Join(reasons, "; ")
}
