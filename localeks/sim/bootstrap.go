package sim

import (
	"context"
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// bootstrap puts in a new cluster what EKS puts there: the Fargate
// admission webhook, CoreDNS, the kube-proxy and aws-node DaemonSets (never on Fargate)
// and the gp2 StorageClass (WaitForFirstConsumer; the default class only
// before Kubernetes 1.30).
func (s *Simulator) bootstrap(ctx context.Context) error {
	c := s.cfg.Client
	create := func(what string, err error) error {
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("bootstrapping %s: %w", what, err)
		}
		return nil
	}
	none, ignore := admissionregistrationv1.SideEffectClassNone, admissionregistrationv1.Ignore
	url := s.cfg.WebhookURL
	_, err := c.AdmissionregistrationV1().MutatingWebhookConfigurations().Create(ctx, &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "0500-amazon-eks-fargate-mutation.amazonaws.com"},
		Webhooks: []admissionregistrationv1.MutatingWebhook{{
			Name:                    "0500-amazon-eks-fargate-mutation.amazonaws.com",
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: s.cfg.WebhookCA},
			Rules:                   []admissionregistrationv1.RuleWithOperations{{Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create}, Rule: admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}}}},
			SideEffects:             &none,
			FailurePolicy:           &ignore,
			AdmissionReviewVersions: []string{"v1"},
		}},
	}, metav1.CreateOptions{})
	if err := create("the Fargate webhook", err); err != nil {
		return err
	}

	wffc := storagev1.VolumeBindingWaitForFirstConsumer
	del := corev1.PersistentVolumeReclaimDelete
	_, err = c.StorageV1().StorageClasses().Create(ctx, &storagev1.StorageClass{
		ObjectMeta:        metav1.ObjectMeta{Name: "gp2", Annotations: gp2Annotations(s.cfg.Version)},
		Provisioner:       "kubernetes.io/aws-ebs",
		Parameters:        map[string]string{"type": "gp2", "fsType": "ext4"},
		VolumeBindingMode: &wffc,
		ReclaimPolicy:     &del,
	}, metav1.CreateOptions{})
	if err := create("StorageClass gp2", err); err != nil {
		return err
	}

	image := func(name, tag string) string {
		return fmt.Sprintf("602401143452.dkr.ecr.%s.amazonaws.com/eks/%s:%s", s.cfg.Region, name, tag)
	}
	replicas := int32(2)
	dnsLabels := map[string]string{"k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns"}
	_, err = c.AppsV1().Deployments("kube-system").Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "coredns", Namespace: "kube-system", Labels: dnsLabels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: dnsLabels},
			Template: corev1.PodTemplateSpec{
				// No compute-type annotation, as current EKS makes it: the
				// pods go where their creation puts them, on Fargate once a
				// profile selects them and they are restarted (EKS user
				// guide, "Get started with AWS Fargate for your cluster",
				// step 4: a profile, then `kubectl rollout restart`).
				ObjectMeta: metav1.ObjectMeta{Labels: dnsLabels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "coredns", Image: image("coredns", "v1.12.1-eksbuild.2"), Args: []string{"-conf", "/etc/coredns/Corefile"},
					Ports: []corev1.ContainerPort{{Name: "dns", ContainerPort: 53, Protocol: corev1.ProtocolUDP}, {Name: "dns-tcp", ContainerPort: 53, Protocol: corev1.ProtocolTCP}},
				}}},
			},
		},
	}, metav1.CreateOptions{})
	if err := create("CoreDNS", err); err != nil {
		return err
	}
	_, err = c.CoreV1().Services("kube-system").Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "kube-dns", Namespace: "kube-system", Labels: dnsLabels},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"k8s-app": "kube-dns"}, Ports: []corev1.ServicePort{
			{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromInt32(53)},
			{Name: "dns-tcp", Port: 53, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(53)},
		}},
	}, metav1.CreateOptions{})
	if err := create("the kube-dns Service", err); err != nil {
		return err
	}

	privileged := true
	for _, ds := range []struct{ name, image string }{{"kube-proxy", image("kube-proxy", "v1.37.2-minimal-eksbuild.1")}, {"aws-node", image("amazon-k8s-cni", "v1.20.0-eksbuild.1")}} {
		l := map[string]string{"k8s-app": ds.name}
		_, err = c.AppsV1().DaemonSets("kube-system").Create(ctx, &appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Name: ds.name, Namespace: "kube-system", Labels: l},
			Spec: appsv1.DaemonSetSpec{
				Selector: &metav1.LabelSelector{MatchLabels: l},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: l},
					Spec: corev1.PodSpec{HostNetwork: true, Affinity: notFargate, Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
						Containers: []corev1.Container{{Name: ds.name, Image: ds.image, SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}},
				},
			},
		}, metav1.CreateOptions{})
		if err := create("DaemonSet "+ds.name, err); err != nil {
			return err
		}
	}
	return nil
}

// gp2Annotations: from Kubernetes 1.30 on, EKS makes the gp2 StorageClass
// of a new cluster without the default-class annotation, so a claim
// without storageClassName gets no class and stays Pending (EKS user
// guide, "Review release notes for Kubernetes versions on standard
// support", Kubernetes 1.30:
// https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html#kubernetes-1-30).
// Earlier versions keep gp2 the default class.
func gp2Annotations(version string) map[string]string {
	var major, minor int
	if n, _ := fmt.Sscanf(version, "%d.%d", &major, &minor); n == 2 && major == 1 && minor < 30 {
		return map[string]string{defaultClassAnn: "true"}
	}
	return nil
}
