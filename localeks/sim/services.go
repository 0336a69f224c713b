package sim

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// syncService gives a LoadBalancer Service an ingress host name shaped
// like an AWS one, as the load balancer controller would.
func (s *Simulator) syncService(ctx context.Context, key string) error {
	ns, name, _ := cache.SplitMetaNamespaceKey(key)
	svc, err := s.factory.Core().V1().Services().Lister().Services(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil || svc.Spec.Type != corev1.ServiceTypeLoadBalancer || len(svc.Status.LoadBalancer.Ingress) > 0 {
		return err
	}
	h := hash(string(svc.UID))
	host := fmt.Sprintf("a%08x%08x%08x%08x-%010d.%s.elb.amazonaws.com", h, hash(name), hash(ns), hash(s.cfg.Cluster), uint64(h)*7%10000000000, s.cfg.Region)
	q := svc.DeepCopy()
	q.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{Hostname: host}}
	_, err = s.cfg.Client.CoreV1().Services(ns).UpdateStatus(ctx, q, metav1.UpdateOptions{})
	if err == nil {
		s.logf("load balancer %s for service %s/%s", host, ns, name)
	}
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
