package sim

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// PodIdentities tells the simulator which service accounts have an EKS Pod
// Identity association.
type PodIdentities interface {
	HasPodIdentity(namespace, serviceAccount string) bool
}

// PodIdentityAgentName is the eks-pod-identity-agent add-on's DaemonSet.
const PodIdentityAgentName = "eks-pod-identity-agent"

// ReasonPodIdentityUnavailable is the reason of the event localeks records
// on a Fargate pod whose service account has a Pod Identity association.
const ReasonPodIdentityUnavailable = "PodIdentityUnavailable"

// notFargate keeps DaemonSets that EKS never runs on Fargate off Fargate nodes.
var notFargate = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
	NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{
		{Key: LabelComputeType, Operator: corev1.NodeSelectorOpNotIn, Values: []string{"fargate"}},
	}}},
}}}

// EnsurePodIdentityAgent installs what the eks-pod-identity-agent add-on
// installs: a DaemonSet on the host network of every EC2 node, never on
// Fargate (EKS Pod Identity is not available to Fargate pods).
func EnsurePodIdentityAgent(ctx context.Context, c kubernetes.Interface, region string) error {
	l := map[string]string{"app.kubernetes.io/name": PodIdentityAgentName, "app.kubernetes.io/instance": PodIdentityAgentName}
	_, err := c.AppsV1().DaemonSets("kube-system").Create(ctx, &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: PodIdentityAgentName, Namespace: "kube-system", Labels: l},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: l},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: l},
				Spec: corev1.PodSpec{HostNetwork: true, Affinity: notFargate, Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
					Containers: []corev1.Container{{Name: PodIdentityAgentName,
						Image: fmt.Sprintf("602401143452.dkr.ecr.%s.amazonaws.com/eks/eks-pod-identity-agent:0.1.30", region),
						Args:  []string{"--port", "80", "--cluster-name", "localeks", "--probe-port", "2703"}}}},
			},
		},
	}, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// RemovePodIdentityAgent removes the agent with its add-on.
func RemovePodIdentityAgent(ctx context.Context, c kubernetes.Interface) error {
	err := c.AppsV1().DaemonSets("kube-system").Delete(ctx, PodIdentityAgentName, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// warnPodIdentityOnFargate records, once per pod, that a pod placed on
// Fargate gets no credentials from its service account's Pod Identity
// association. EKS accepts the association and runs the pod, but the agent
// that serves the credentials never runs on Fargate, so the pod's AWS SDK
// finds none; localeks says so where users look.
func (s *Simulator) warnPodIdentityOnFargate(ctx context.Context, p *corev1.Pod) {
	sa := p.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	if s.cfg.PodIdentity == nil || !s.cfg.PodIdentity.HasPodIdentity(p.Namespace, sa) {
		return
	}
	key := string(p.UID) + "/pod-identity"
	s.mu.Lock()
	done := s.reported[key]
	s.reported[key] = true
	s.mu.Unlock()
	if done {
		return
	}
	msg := fmt.Sprintf("EKS Pod Identity is not available on Fargate: service account %s/%s has a Pod Identity association, "+
		"but the %s that serves its credentials does not run on Fargate nodes, so this pod gets no AWS credentials from it; "+
		"use IAM roles for service accounts (IRSA) for pods on Fargate", p.Namespace, sa, PodIdentityAgentName)
	s.logf("fargate: %s/%s: %s", p.Namespace, p.Name, msg)
	now := metav1.Now()
	_, err := s.cfg.Client.CoreV1().Events(p.Namespace).Create(ctx, &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: p.Name + ".", Namespace: p.Namespace},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID, APIVersion: "v1"},
		Reason:         ReasonPodIdentityUnavailable, Message: msg, Type: corev1.EventTypeWarning,
		Source:         corev1.EventSource{Component: "localeks"},
		FirstTimestamp: now, LastTimestamp: now, Count: 1,
		ReportingController: "localeks", ReportingInstance: "localeks",
	}, metav1.CreateOptions{})
	if err != nil {
		s.logf("recording the Pod Identity event of %s/%s: %v", p.Namespace, p.Name, err)
	}
}
