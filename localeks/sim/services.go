package sim

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// A Service keeps its load balancer maker's finalizer until the load
// balancer is deleted: the AWS Load Balancer Controller's, or the legacy
// cloud controller's (Kubernetes' service controller).
const (
	lbFinalizer       = placement.LBCServiceFinalizer
	legacyLBFinalizer = "service.kubernetes.io/load-balancer-cleanup"
)

// syncService plays EKS's legacy cloud controller for LoadBalancer
// Services (the AWS Load Balancer Controller's go to reconcileLBC): it
// makes the load balancer and publishes its host name, and on deletion
// removes the load balancer before letting the Service go.
func (s *Simulator) syncService(ctx context.Context, key string) error {
	ns, name, _ := cache.SplitMetaNamespaceKey(key)
	svc, err := s.factory.Core().V1().Services().Lister().Services(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	lbc := placement.ServiceNeedsLoadBalancerController(svc) != ""
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer || !lbc {
		// No longer the controller's: it deletes what it made for it.
		if slices.Contains(svc.Finalizers, lbFinalizer) {
			o := s.serviceObject(svc)
			o.deleting = true
			return s.reconcileLBC(ctx, o)
		}
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
			return nil
		}
	}
	if lbc {
		return s.reconcileLBC(ctx, s.serviceObject(svc))
	}
	lbs, finalizer := s.cfg.LoadBalancers, legacyLBFinalizer
	if svc.DeletionTimestamp != nil {
		if lbs == nil || !slices.Contains(svc.Finalizers, finalizer) {
			return nil
		}
		if err := lbs.DeleteLoadBalancer(ctx, svc); err != nil {
			return fmt.Errorf("deleting the load balancer of %s: %w", key, err)
		}
		q := svc.DeepCopy()
		q.Finalizers = slices.DeleteFunc(q.Finalizers, func(f string) bool { return f == finalizer })
		_, err := s.cfg.Client.CoreV1().Services(ns).Update(ctx, q, metav1.UpdateOptions{})
		return ignoreGoneOrStale(err)
	}
	if len(svc.Status.LoadBalancer.Ingress) == 0 {
		s.warnNoInstanceTargets(ctx, svc)
	}
	if lbs != nil && !slices.Contains(svc.Finalizers, finalizer) {
		q := svc.DeepCopy()
		q.Finalizers = append(q.Finalizers, finalizer)
		_, err := s.cfg.Client.CoreV1().Services(ns).Update(ctx, q, metav1.UpdateOptions{})
		return ignoreGoneOrStale(err) // the update brings the Service back here
	}
	if len(svc.Status.LoadBalancer.Ingress) > 0 {
		return nil
	}
	h := hash(string(svc.UID))
	host := fmt.Sprintf("a%08x%08x%08x%08x-%010d.%s.elb.amazonaws.com", h, hash(name), hash(ns), hash(s.cfg.Cluster), uint64(h)*7%10000000000, s.cfg.Region)
	if lbs != nil {
		dns, err := lbs.EnsureLoadBalancer(ctx, svc, s.instanceTargets(svc))
		if err != nil {
			return fmt.Errorf("making the load balancer of %s: %w", key, err)
		}
		if dns != "" {
			host = dns
		}
	}
	q := svc.DeepCopy()
	q.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{Hostname: host}}
	_, err = s.cfg.Client.CoreV1().Services(ns).UpdateStatus(ctx, q, metav1.UpdateOptions{})
	if err == nil {
		s.logf("load balancer %s for service %s/%s", host, ns, name)
	}
	return ignoreGoneOrStale(err)
}

func ignoreGoneOrStale(err error) error {
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
