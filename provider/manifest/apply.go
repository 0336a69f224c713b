package manifest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// FieldManager is this provider's server-side apply field manager.
const FieldManager = "terraform-provider-fargate"

// pollEvery is how often readiness and deletion are checked.
var pollEvery = 500 * time.Millisecond

type applier struct {
	kc    *kubeclient.Client
	force bool
}

// resourceFor maps an object's kind to its API resource, refreshing
// discovery once when the kind is new (a CRD applied just before).
func (a *applier) resourceFor(gvk schema.GroupVersionKind, ns string) (dynamic.ResourceInterface, error) {
	m, err := a.kc.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		a.kc.Mapper.Reset()
		m, err = a.kc.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, fmt.Errorf("the cluster does not serve %s: %w", gvk, err)
	}
	r := a.kc.Dynamic.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return r.Namespace(ns), nil
	}
	return r, nil
}

func gvkOf(id kubeobj.ID) schema.GroupVersionKind {
	return schema.FromAPIVersionAndKind(id.APIVersion, id.Kind)
}

// apply server-side applies one object and returns what the server kept.
func (a *applier) apply(ctx context.Context, o kubeobj.Object) (*unstructured.Unstructured, error) {
	id := o.ID()
	var out *unstructured.Unstructured
	err := retryTransient(ctx, func() error {
		ri, err := a.resourceFor(o.GVK(), o.GetNamespace())
		if err != nil {
			return err
		}
		out, err = ri.Apply(ctx, o.GetName(), o.Unstructured, metav1.ApplyOptions{FieldManager: FieldManager, Force: a.force})
		return err
	})
	if apierrors.IsConflict(err) {
		return nil, fmt.Errorf("applying %s: another field manager owns fields this manifest sets: %v; set force_conflicts = true to take them over", id.Short(), err)
	}
	if err != nil {
		return nil, fmt.Errorf("applying %s (document %d): %w", id.Short(), o.Doc, err)
	}
	if o.GetKind() == "CustomResourceDefinition" {
		return out, a.waitEstablished(ctx, o.GetName())
	}
	return out, nil
}

// retryTransient retries what a fresh cluster answers while it settles (a
// namespace not yet there, an apiserver not yet ready, discovery lagging).
func retryTransient(ctx context.Context, f func() error) error {
	delay := 200 * time.Millisecond
	for {
		err := f()
		if err == nil || !(apierrors.IsNotFound(err) || apierrors.IsServiceUnavailable(err) || apierrors.IsTooManyRequests(err) ||
			apierrors.IsServerTimeout(err) || meta.IsNoMatchError(err) || strings.Contains(err.Error(), "connection refused")) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (gave up: %v)", err, context.Cause(ctx))
		case <-time.After(delay):
		}
		delay = min(2*delay, 3*time.Second)
	}
}

func (a *applier) waitEstablished(ctx context.Context, name string) error {
	gvr := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	return poll(ctx, "CustomResourceDefinition "+name+" to be established", func() (bool, string, error) {
		crd, err := a.kc.Dynamic.Resource(gvr).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, "", err
		}
		conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
		for _, c := range conds {
			if m, ok := c.(map[string]any); ok && m["type"] == "Established" && m["status"] == "True" {
				a.kc.Mapper.Reset()
				return true, "", nil
			}
		}
		return false, "not established", nil
	})
}

// get returns the live object, or nil when it does not exist.
func (a *applier) get(ctx context.Context, id kubeobj.ID) (*unstructured.Unstructured, error) {
	ri, err := a.resourceFor(gvkOf(id), id.Namespace)
	if err != nil {
		if meta.IsNoMatchError(errors.Unwrap(err)) {
			return nil, nil // its CRD is gone, so is it
		}
		return nil, err
	}
	u, err := ri.Get(ctx, id.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	return u, err
}

// remove deletes an object and waits until it is gone.
func (a *applier) remove(ctx context.Context, id kubeobj.ID) error {
	ri, err := a.resourceFor(gvkOf(id), id.Namespace)
	if err != nil {
		if meta.IsNoMatchError(errors.Unwrap(err)) {
			return nil
		}
		return err
	}
	bg := metav1.DeletePropagationBackground
	err = ri.Delete(ctx, id.Name, metav1.DeleteOptions{PropagationPolicy: &bg})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting %s: %w", id.Short(), err)
	}
	return poll(ctx, id.Short()+" to be deleted", func() (bool, string, error) {
		_, err := ri.Get(ctx, id.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, "", nil
		}
		return false, "still there", err
	})
}

// verdict is a failure no waiting can cure, said in full by itself.
type verdict struct{ error }

// poll calls f until it is done, fails, or ctx ends; the error says what
// was awaited and the last state seen.
func poll(ctx context.Context, what string, f func() (bool, string, error)) error {
	var last string
	for {
		done, state, err := f()
		var v verdict
		if errors.As(err, &v) {
			return v.error
		}
		if err != nil {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		if done {
			return nil
		}
		last = state
		select {
		case <-ctx.Done():
			return fmt.Errorf("timed out waiting for %s: %s; raise the resource's timeouts, or set wait = false", what, last)
		case <-time.After(pollEvery):
		}
	}
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
		return poll(ctx, id.Short()+" to roll out", func() (bool, string, error) {
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
		return poll(ctx, id.Short()+" to roll out", func() (bool, string, error) {
			u, err := get()
			if err != nil {
				return false, "", err
			}
			want, ready := i64(u, "status", "desiredNumberScheduled"), i64(u, "status", "numberReady")
			return i64(u, "status", "observedGeneration") >= u.GetGeneration() && ready == want, fmt.Sprintf("%d of %d pods ready", ready, want), nil
		})
	case "PersistentVolumeClaim":
		return poll(ctx, id.Short()+" to be bound", func() (bool, string, error) {
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
		return poll(ctx, id.Short()+" to get a load balancer", func() (bool, string, error) {
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

// podTrouble is a reason no wait can cure: Fargate refused a pod.
func (a *applier) podTrouble(ctx context.Context, o kubeobj.Object) string {
	for _, p := range a.pods(ctx, o) {
		if p.Status.Phase != corev1.PodPending {
			continue
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
