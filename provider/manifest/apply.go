package manifest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
)

// FieldManager is this provider's server-side apply field manager.
const FieldManager = "terraform-provider-fargate"

// Delays of the applier unless its timing says otherwise.
const (
	// defaultPoll is how often readiness and deletion are checked.
	defaultPoll = 500 * time.Millisecond
	// A fresh cluster settles within seconds: retry soon, then every 3 s.
	defaultRetryMin, defaultRetryMax = 200 * time.Millisecond, 3 * time.Second
	// defaultStranded: nodes of a node group just made ACTIVE join within
	// seconds; a pod with nowhere to go for longer will not get one.
	defaultStranded = 30 * time.Second
)

// timing is how often the applier polls and retries; a zero field takes
// its default.
type timing struct {
	// Poll paces the waits for readiness and deletion.
	Poll wait.Delays
	// Retry paces the retries of what a fresh cluster refuses while it
	// settles (see transient).
	Retry wait.Delays
	// Stranded is how long a pod may be unschedulable, off Fargate,
	// before a rollout waiting for it fails (see strandedPod).
	Stranded time.Duration
}

func (t timing) poll() wait.Delays {
	if t.Poll == (wait.Delays{}) {
		return wait.Fixed(defaultPoll)
	}
	return t.Poll
}

func (t timing) stranded() time.Duration {
	if t.Stranded == 0 {
		return defaultStranded
	}
	return t.Stranded
}

func (t timing) retry() wait.Delays {
	if t.Retry == (wait.Delays{}) {
		return wait.Delays{Min: defaultRetryMin, Max: defaultRetryMax}
	}
	return t.Retry
}

type applier struct {
	kc     *kubeclient.Client
	force  bool
	timing timing
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
	err := a.retryTransient(ctx, func(ctx context.Context) error {
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

// transient reports whether err is what a fresh cluster answers while it
// settles (a namespace not yet there, an apiserver not yet ready, discovery
// lagging): worth another try.
func transient(err error) bool {
	return apierrors.IsNotFound(err) || apierrors.IsServiceUnavailable(err) || apierrors.IsTooManyRequests(err) ||
		apierrors.IsServerTimeout(err) || meta.IsNoMatchError(err) || strings.Contains(err.Error(), "connection refused")
}

// retryTransient calls f until it succeeds or fails for good (see
// transient); when ctx ends first, the last error says so.
func (a *applier) retryTransient(ctx context.Context, f func(context.Context) error) error {
	var last error
	err := wait.Until(ctx, a.timing.retry(), func(ctx context.Context) (bool, error) {
		if last = f(ctx); last != nil && !transient(last) {
			return false, wait.Stop(last)
		}
		return last == nil, nil
	})
	if errors.Is(err, wait.ErrGaveUp) && last != nil {
		return fmt.Errorf("%w (gave up: %v)", last, context.Cause(ctx))
	}
	return err
}

func (a *applier) waitEstablished(ctx context.Context, name string) error {
	gvr := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	return a.poll(ctx, "CustomResourceDefinition "+name+" to be established", func() (bool, string, error) {
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
	return a.poll(ctx, id.Short()+" to be deleted", func() (bool, string, error) {
		_, err := ri.Get(ctx, id.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, "", nil
		}
		return false, "still there", err
	})
}
