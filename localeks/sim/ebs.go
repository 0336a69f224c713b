package sim

import (
	"context"
	"errors"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// What the aws-ebs-csi-driver add-on installs in kube-system.
const (
	EBSController        = "ebs-csi-controller"
	EBSControllerAccount = "ebs-csi-controller-sa"
	EBSNode              = "ebs-csi-node"
	// LabelEBSZone is the topology key of the driver: nodes carry it, and
	// the volumes it makes require it.
	LabelEBSZone = "topology.ebs.csi.aws.com/zone"
	// RoleARNAnnotation on a service account names its IRSA role.
	RoleARNAnnotation = "eks.amazonaws.com/role-arn"
	// EBSCreateVolume is the permission the driver's controller needs.
	EBSCreateVolume = "ec2:CreateVolume"
)

// EnsureEBSCSIDriver installs what the add-on installs: the controller
// Deployment (kept off Fargate by its compute-type annotation, as the add-on
// does), its service account (with the add-on's serviceAccountRoleArn as
// IRSA annotation, as EKS puts it) and the node DaemonSet (EC2 nodes only).
func EnsureEBSCSIDriver(ctx context.Context, c kubernetes.Interface, region, roleARN string) error {
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: EBSControllerAccount, Namespace: "kube-system",
		Labels: map[string]string{"app.kubernetes.io/name": placement.EBSCSIDriverAddon}}}
	if roleARN != "" {
		sa.Annotations = map[string]string{RoleARNAnnotation: roleARN}
	}
	_, err := c.CoreV1().ServiceAccounts("kube-system").Create(ctx, sa, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) && roleARN != "" {
		old, gerr := c.CoreV1().ServiceAccounts("kube-system").Get(ctx, EBSControllerAccount, metav1.GetOptions{})
		if gerr != nil {
			return gerr
		}
		if old.Annotations == nil {
			old.Annotations = map[string]string{}
		}
		old.Annotations[RoleARNAnnotation] = roleARN
		_, err = c.CoreV1().ServiceAccounts("kube-system").Update(ctx, old, metav1.UpdateOptions{})
	}
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	image := fmt.Sprintf("602401143452.dkr.ecr.%s.amazonaws.com/eks/aws-ebs-csi-driver:v1.48.0", region)
	l := map[string]string{"app": EBSController, "app.kubernetes.io/name": placement.EBSCSIDriverAddon}
	replicas := int32(2)
	_, err = c.AppsV1().Deployments("kube-system").Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: EBSController, Namespace: "kube-system", Labels: l},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: l},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: l, Annotations: map[string]string{ComputeTypeAnnotation: "ec2"}},
				Spec: corev1.PodSpec{ServiceAccountName: EBSControllerAccount, NodeSelector: map[string]string{"kubernetes.io/os": "linux"},
					Tolerations: []corev1.Toleration{{Key: "CriticalAddonsOnly", Operator: corev1.TolerationOpExists}},
					Containers:  []corev1.Container{{Name: "ebs-plugin", Image: image, Args: []string{"controller", "--endpoint=unix:///var/lib/csi/sockets/pluginproxy/csi.sock"}}}},
			}},
	}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	nl := map[string]string{"app": EBSNode, "app.kubernetes.io/name": placement.EBSCSIDriverAddon}
	privileged := true
	_, err = c.AppsV1().DaemonSets("kube-system").Create(ctx, &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: EBSNode, Namespace: "kube-system", Labels: nl},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: nl}, Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: nl},
			Spec: corev1.PodSpec{Affinity: notFargate, Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
				Containers: []corev1.Container{{Name: "ebs-plugin", Image: image, Args: []string{"node"}, SecurityContext: &corev1.SecurityContext{Privileged: &privileged}}}},
		}},
	}, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// RemoveEBSCSIDriver removes the driver with its add-on.
func RemoveEBSCSIDriver(ctx context.Context, c kubernetes.Interface) error {
	errs := []error{
		c.AppsV1().Deployments("kube-system").Delete(ctx, EBSController, metav1.DeleteOptions{}),
		c.AppsV1().DaemonSets("kube-system").Delete(ctx, EBSNode, metav1.DeleteOptions{}),
		c.CoreV1().ServiceAccounts("kube-system").Delete(ctx, EBSControllerAccount, metav1.DeleteOptions{}),
	}
	for i, err := range errs {
		if apierrors.IsNotFound(err) {
			errs[i] = nil
		}
	}
	return errors.Join(errs...)
}

// errNoController: the claim waits, with only the PV controller's
// ExternalProvisioning event, as on EKS when no provisioner runs.
var errNoController = errors.New("no ebs-csi-controller pod Running on an EC2 node")

// ebsProvisioner says whether the driver can make volumes now: nil, or
// errNoController (nothing runs to try), or why its attempts fail.
func (s *Simulator) ebsProvisioner(ctx context.Context) error {
	if s.cfg.AWS == nil || !s.cfg.AWS.AddonActive(placement.EBSCSIDriverAddon) {
		return errNoController
	}
	if !s.runningOnEC2("kube-system", labels.SelectorFromSet(labels.Set{"app": EBSController})) {
		return errNoController
	}
	sa, err := s.serviceAccount(ctx, "kube-system", EBSControllerAccount, true)
	if err != nil {
		return err
	}
	return s.cfg.AWS.CredentialsAllow(ctx, sa, EBSCreateVolume)
}

// runningOnEC2 reports whether a pod of the selector is Running and Ready on an EC2 node.
func (s *Simulator) runningOnEC2(ns string, sel labels.Selector) bool {
	pods, _ := s.factory.Core().V1().Pods().Lister().Pods(ns).List(sel)
	for _, p := range pods {
		if p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil || !podReady(p) {
			continue
		}
		if n, err := s.factory.Core().V1().Nodes().Lister().Get(p.Spec.NodeName); err == nil && n.Labels[LabelComputeType] != "fargate" {
			return true
		}
	}
	return false
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// serviceAccount reads who a controller runs as.
func (s *Simulator) serviceAccount(ctx context.Context, ns, name string, podIdentityUsable bool) (ServiceAccount, error) {
	sa, err := s.cfg.Client.CoreV1().ServiceAccounts(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return ServiceAccount{}, fmt.Errorf("service account %s/%s: %w", ns, name, err)
	}
	return ServiceAccount{Namespace: ns, Name: name, RoleARN: sa.Annotations[RoleARNAnnotation], PodIdentityUsable: podIdentityUsable}, nil
}

// crashLoop is why a container cannot run where it was placed, "" when it
// can: the EBS CSI controller on Fargate has no instance metadata to learn
// its region and instance from, and exits, over and over, as on EKS.
func crashLoop(p *corev1.Pod, node *corev1.Node) string {
	if p.Namespace == "kube-system" && p.Labels["app"] == EBSController && node.Labels[LabelComputeType] == "fargate" {
		return "ebs-plugin: could not get metadata from AWS: EC2 instance metadata is not available on Fargate"
	}
	return ""
}

// recordEvent records a Warning on an object once per distinct message.
func (s *Simulator) recordEvent(ctx context.Context, obj corev1.ObjectReference, reason, component, msg string) {
	key := string(obj.UID) + "/" + reason + "/" + msg
	s.mu.Lock()
	done := s.reported[key]
	s.reported[key] = true
	s.mu.Unlock()
	if done {
		return
	}
	s.logf("%s %s/%s: %s: %s", obj.Kind, obj.Namespace, obj.Name, reason, msg)
	now := metav1.Now()
	_, err := s.cfg.Client.CoreV1().Events(obj.Namespace).Create(ctx, &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{GenerateName: obj.Name + ".", Namespace: obj.Namespace}, InvolvedObject: obj,
		Reason: reason, Message: msg, Type: corev1.EventTypeWarning, Source: corev1.EventSource{Component: component},
		FirstTimestamp: now, LastTimestamp: now, Count: 1, ReportingController: component, ReportingInstance: component,
	}, metav1.CreateOptions{})
	if err != nil {
		s.logf("recording event %s on %s/%s: %v", reason, obj.Namespace, obj.Name, err)
	}
}
