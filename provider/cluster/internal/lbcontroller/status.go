package lbcontroller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	k8serrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// currentCerts reads the TLS Secret and the webhooks' caBundle: the
// certificates there and when the serving one expires, or why they cannot
// serve.
func (l *Controller) currentCerts(ctx context.Context, kc *kubeclient.Client) (Certs, time.Time, error) {
	s, err := kc.Kube.CoreV1().Secrets(placement.LBCNamespace).Get(ctx, placement.LBCTLSSecret, metav1.GetOptions{})
	if err != nil {
		return Certs{}, time.Time{}, fmt.Errorf("Secret %s/%s: %w", placement.LBCNamespace, placement.LBCTLSSecret, err)
	}
	certs := Certs{CA: s.Data["ca.crt"], Cert: s.Data["tls.crt"], Key: s.Data["tls.key"]}
	m, err := kc.Kube.AdmissionregistrationV1().MutatingWebhookConfigurations().Get(ctx, placement.LBCWebhookConfig, metav1.GetOptions{})
	if err != nil {
		return certs, time.Time{}, fmt.Errorf("MutatingWebhookConfiguration %s: %w", placement.LBCWebhookConfig, err)
	}
	v, err := kc.Kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, placement.LBCWebhookConfig, metav1.GetOptions{})
	if err != nil {
		return certs, time.Time{}, fmt.Errorf("ValidatingWebhookConfiguration %s: %w", placement.LBCWebhookConfig, err)
	}
	var bundles [][]byte
	for _, w := range m.Webhooks {
		bundles = append(bundles, w.ClientConfig.CABundle)
	}
	for _, w := range v.Webhooks {
		bundles = append(bundles, w.ClientConfig.CABundle)
	}
	if len(bundles) == 0 {
		return certs, time.Time{}, errors.New("the webhook configurations have no webhook")
	}
	var expires time.Time
	for _, b := range bundles {
		if expires, err = certs.Check(b, l.now()); err != nil {
			return certs, time.Time{}, err
		}
	}
	return certs, expires, nil
}

// applyCRDs applies the CRDs of version and waits until the API server
// serves them (Established), so the IngressClassParams can follow.
func (l *Controller) applyCRDs(ctx context.Context, kc *kubeclient.Client, version string) error {
	objs, err := crds(version)
	if err != nil {
		return err
	}
	if err := apply(ctx, kc, objs); err != nil {
		return err
	}
	for _, o := range objs {
		err := wait.Until(ctx, l.c.Timing.Poll, func(ctx context.Context) (bool, error) {
			got, err := kc.Dynamic.Resource(resources["CustomResourceDefinition"]).Get(ctx, o.GetName(), metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
			for _, c := range conds {
				if m, ok := c.(map[string]any); ok && m["type"] == "Established" && m["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return fmt.Errorf("waiting for CRD %s of the AWS Load Balancer Controller to be established: %w", o.GetName(), err)
		}
	}
	return nil
}

// waitAvailable waits until the controller's Deployment has rolled out:
// every replica updated and available, so the webhook serves.
func (l *Controller) waitAvailable(ctx context.Context, kc *kubeclient.Client) error {
	var why string
	err := wait.Until(ctx, l.c.Timing.Poll, func(ctx context.Context) (bool, error) {
		d, err := kc.Kube.AppsV1().Deployments(placement.LBCNamespace).Get(ctx, placement.LBCName, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		want := int32(1)
		if d.Spec.Replicas != nil {
			want = *d.Spec.Replicas
		}
		st := d.Status
		why = fmt.Sprintf("%d of %d replicas updated, %d available", st.UpdatedReplicas, want, st.AvailableReplicas)
		return st.ObservedGeneration >= d.Generation && st.UpdatedReplicas == want && st.AvailableReplicas >= want && st.Replicas == want, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for Deployment %s/%s (the AWS Load Balancer Controller) to be available (%s); its pods need a node group, "+
			"or a Fargate profile selecting namespace %s: %w", placement.LBCNamespace, placement.LBCName, why, placement.LBCNamespace, err)
	}
	return nil
}

// Observe records what of the controller exists; roleARN is the role the
// state holds ("" when none).
func (l *Controller) Observe(ctx context.Context, ob *observed.Record, roleARN string) error {
	kc, err := Kube(l.c, ob)
	if err != nil {
		return err
	}
	var st observed.LoadBalancerController
	d, err := kc.Kube.AppsV1().Deployments(placement.LBCNamespace).Get(ctx, placement.LBCName, metav1.GetOptions{})
	switch {
	case k8serrors.IsNotFound(err):
		ob.SetLoadBalancerController(st)
		return nil
	case err != nil:
		return fmt.Errorf("reading Deployment %s/%s: %w", placement.LBCNamespace, placement.LBCName, err)
	}
	for _, c := range d.Spec.Template.Spec.Containers {
		if i := strings.LastIndex(c.Image, ":"); c.Name == placement.LBCName && i > 0 {
			st.Version = c.Image[i+1:]
		}
	}
	sa, err := kc.Kube.CoreV1().ServiceAccounts(placement.LBCNamespace).Get(ctx, placement.LBCName, metav1.GetOptions{})
	if err != nil && !k8serrors.IsNotFound(err) {
		return fmt.Errorf("reading ServiceAccount %s/%s: %w", placement.LBCNamespace, placement.LBCName, err)
	}
	if err == nil {
		st.RoleARN = sa.Annotations["eks.amazonaws.com/role-arn"]
	}
	if st.RoleARN != "" && st.RoleARN == roleARN {
		gone, err := l.roles.MadeAndGone(ctx, roles.LoadBalancerController, roleARN)
		if err != nil && !apierr.NotFound(err) {
			return err
		}
		if gone {
			st.RoleARN = ""
		}
	}
	_, expires, cerr := l.currentCerts(ctx, kc)
	if cerr == nil {
		st.CertExpires = expires
	}
	// Missing webhook configurations show as a certificate that cannot
	// serve, and as a controller not installed.
	st.Installed = st.RoleARN != "" && !(cerr != nil && webhookMissing(cerr))
	ob.SetLoadBalancerController(st)
	return nil
}

func webhookMissing(err error) bool {
	return k8serrors.IsNotFound(err) && strings.Contains(err.Error(), "WebhookConfiguration")
}
