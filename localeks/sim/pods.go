package sim

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// FargateScheduler is the scheduler name EKS's admission webhook gives the
// pods a Fargate profile selects.
const FargateScheduler = "fargate-scheduler"

func (s *Simulator) isSimulatedNode(name string) bool {
	n, err := s.factory.Core().V1().Nodes().Lister().Get(name)
	return err == nil && n.Annotations["localeks.terrax.io/simulated"] == "true"
}

func (s *Simulator) syncPod(ctx context.Context, key string) error {
	ns, name, _ := cache.SplitMetaNamespaceKey(key)
	p, err := s.podLister()(ns, name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case p.DeletionTimestamp != nil && p.Spec.NodeName != "":
		// The kubelet stops the containers and removes the pod.
		zero := int64(0)
		err := s.cfg.Client.CoreV1().Pods(ns).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	case p.DeletionTimestamp != nil:
		return nil
	case p.Spec.NodeName == "" && p.Spec.SchedulerName == FargateScheduler:
		return s.scheduleOnFargate(ctx, p)
	case p.Spec.NodeName != "" && p.Status.Phase == corev1.PodPending && s.isSimulatedNode(p.Spec.NodeName):
		return s.markRunning(ctx, p)
	}
	return nil
}

// markRunning reports the pod Running and Ready, as a kubelet would once
// its containers started.
func (s *Simulator) markRunning(ctx context.Context, p *corev1.Pod) error {
	// Volumes must be attached: wait until every claim is bound.
	for _, v := range p.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		c, err := s.factory.Core().V1().PersistentVolumeClaims().Lister().PersistentVolumeClaims(p.Namespace).Get(v.PersistentVolumeClaim.ClaimName)
		if err != nil || c.Status.Phase != corev1.ClaimBound {
			return fmt.Errorf("pod %s/%s waits for claim %s to be bound", p.Namespace, p.Name, v.PersistentVolumeClaim.ClaimName)
		}
	}
	if err := s.mountSecrets(ctx, p); err != nil {
		return err
	}
	node, err := s.factory.Core().V1().Nodes().Lister().Get(p.Spec.NodeName)
	if err != nil {
		return err
	}
	hostIP := ""
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			hostIP = a.Address
		}
	}
	podIP := hostIP
	if !p.Spec.HostNetwork && node.Labels[LabelComputeType] != "fargate" {
		h := hash(string(p.UID))
		podIP = fmt.Sprintf("192.168.%d.%d", 64+h%128, 2+(h>>8)%250)
	}
	now := metav1.Now()
	q := p.DeepCopy()
	q.Status.Phase = corev1.PodRunning
	q.Status.HostIP, q.Status.PodIP = hostIP, podIP
	q.Status.HostIPs, q.Status.PodIPs = []corev1.HostIP{{IP: hostIP}}, []corev1.PodIP{{IP: podIP}}
	q.Status.StartTime = &now
	crash := crashLoop(p, node)
	if isLBCPod(p) {
		crash = lbcCrash(p, node, s.irsaRegion(ctx, p))
	}
	cond := func(t corev1.PodConditionType, ok bool) corev1.PodCondition {
		if !ok {
			return corev1.PodCondition{Type: t, Status: corev1.ConditionFalse, Reason: "ContainersNotReady", LastTransitionTime: now}
		}
		return corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: now}
	}
	q.Status.Conditions = []corev1.PodCondition{cond(corev1.PodScheduled, true), cond(corev1.PodInitialized, true), cond(corev1.PodReadyToStartContainers, true),
		cond(corev1.ContainersReady, crash == ""), cond(corev1.PodReady, crash == "")}
	q.Status.ContainerStatuses = nil
	started := true
	for _, c := range p.Spec.Containers {
		st := corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: "docker.io/" + c.Image + "@sha256:" + strings.Repeat("0", 64),
			ContainerID: fmt.Sprintf("containerd://%064x", hash(string(p.UID)+c.Name)),
			Ready:       true, Started: &started,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
		}
		if crash != "" {
			notStarted := false
			st.Ready, st.Started, st.RestartCount = false, &notStarted, 5
			st.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
				Message: "back-off 2m40s restarting failed container=" + c.Name + " pod=" + p.Name + "_" + p.Namespace + "(" + string(p.UID) + ")"}}
			st.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", Message: crash}}
		}
		q.Status.ContainerStatuses = append(q.Status.ContainerStatuses, st)
	}
	_, err = s.cfg.Client.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, q, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil // gone, or changed: the informer brings the new version
	}
	return err
}

// claimProvisioner resolves a claim to the provisioner of its StorageClass.
func (s *Simulator) claimProvisioner(ns string) func(string) string {
	return func(claim string) string {
		c, err := s.factory.Core().V1().PersistentVolumeClaims().Lister().PersistentVolumeClaims(ns).Get(claim)
		if err != nil {
			return ""
		}
		if sc := s.storageClass(c); sc != nil {
			return sc.Provisioner
		}
		return ""
	}
}

// fargatePodAnnotation names, on a Fargate node, the pod it runs.
const fargatePodAnnotation = "localeks.terrax.io/fargate-pod"

func fargateNodeName(ip, region string) string {
	return fmt.Sprintf("fargate-ip-%s.%s.compute.internal", ip, region)
}

// fargateIP is the address of the pod's own Fargate node (its name says it),
// as pickFargateIP draws it against the cluster's nodes. Pods are scheduled
// one at a time, so no other pod takes it meanwhile.
func (s *Simulator) fargateIP(ctx context.Context, p *corev1.Pod) (string, error) {
	return pickFargateIP(string(p.UID), func(ip string) (string, error) {
		n, err := s.cfg.Client.CoreV1().Nodes().Get(ctx, fargateNodeName(ip, s.cfg.Region), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return n.Annotations[fargatePodAnnotation], nil
	}, p.Namespace+"/"+p.Name)
}

// pickFargateIP draws an address from the pod's UID, and draws again while
// holder (the pod whose node has the address, "" for none) names another
// pod: Fargate gives every pod an address of its own.
func pickFargateIP(uid string, holder func(ip string) (string, error), pod string) (string, error) {
	for try := 0; try < 100; try++ {
		h := hash(uid)
		if try > 0 {
			h = hash(fmt.Sprintf("%s/%d", uid, try))
		}
		ip := fmt.Sprintf("192-168-%d-%d", 128+h%96, 2+(h>>8)%250)
		who, err := holder(ip)
		if err != nil {
			return "", err
		}
		if who == "" || who == pod { // free, or its own from an earlier attempt
			return ip, nil
		}
	}
	return "", fmt.Errorf("no free Fargate address for pod %s", pod)
}

// scheduleOnFargate is EKS's fargate-scheduler: a node of its own for each
// pod it can run; an event in Fargate's words for each it cannot.
func (s *Simulator) scheduleOnFargate(ctx context.Context, p *corev1.Pod) error {
	if problems := placement.FargateProblems(&p.Spec, s.claimProvisioner(p.Namespace)); len(problems) > 0 {
		return s.refuse(ctx, p, placement.NotSupportedPrefix+strings.Join(problems, "; "))
	}
	if wait := s.fargateWait(p); wait > 0 {
		s.pods.AddAfter(p.Namespace+"/"+p.Name, wait)
		return nil
	}
	profile := p.Labels[placement.ProfileLabel]
	ip, err := s.fargateIP(ctx, p)
	if err != nil {
		return err
	}
	name := fargateNodeName(ip, s.cfg.Region)
	zone := s.cfg.Region + string(rune('a'+hash(string(p.UID))%3))
	l := map[string]string{
		LabelComputeType: "fargate", LabelZone: zone, LabelRegion: s.cfg.Region, "kubernetes.io/hostname": name,
		"kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "eks.amazonaws.com/fargate-profile": profile,
	}
	taints := []corev1.Taint{{Key: LabelComputeType, Value: "fargate", Effect: corev1.TaintEffectNoSchedule}}
	n := s.node(name, l, taints, resource.MustParse("0.25"), resource.MustParse("0.5Gi"), "1", strings.ReplaceAll(ip, "-", "."))
	n.Annotations[fargatePodAnnotation] = p.Namespace + "/" + p.Name
	if err := s.createNode(ctx, n); err != nil {
		return err
	}
	s.logf("fargate: pod %s/%s (profile %s) gets node %s", p.Namespace, p.Name, profile, name)
	err = s.cfg.Client.CoreV1().Pods(p.Namespace).Bind(ctx, &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: p.Name, UID: p.UID},
		Target:     corev1.ObjectReference{Kind: "Node", Name: name},
	}, metav1.CreateOptions{})
	if apierrors.IsNotFound(err) {
		return s.deleteNode(ctx, name)
	}
	if err == nil {
		s.warnPodIdentityOnFargate(ctx, p)
	}
	return err
}

// fargateWait is how much longer the pod waits for its Fargate node: EKS
// provisions one per pod, which takes 30-60 s (compressed as localeks' pace).
func (s *Simulator) fargateWait(p *corev1.Pod) time.Duration {
	if s.cfg.FargateStart == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	due, ok := s.fargateDue[string(p.UID)]
	if !ok {
		due = p.CreationTimestamp.Add(s.cfg.FargateStart())
		s.fargateDue[string(p.UID)] = due
	}
	return time.Until(due)
}

// refuse leaves the pod Pending and says why, once, as fargate-scheduler does.
func (s *Simulator) refuse(ctx context.Context, p *corev1.Pod, msg string) error {
	s.mu.Lock()
	done := s.reported[string(p.UID)]
	s.reported[string(p.UID)] = true
	s.mu.Unlock()
	if done {
		return nil
	}
	s.logf("fargate: %s/%s: %s", p.Namespace, p.Name, msg)
	now := metav1.Now()
	_, err := s.cfg.Client.CoreV1().Events(p.Namespace).Create(ctx, &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: p.Name + ".", Namespace: p.Namespace},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID, APIVersion: "v1"},
		Reason:         "FailedScheduling", Message: msg, Type: corev1.EventTypeWarning,
		Source:         corev1.EventSource{Component: FargateScheduler},
		FirstTimestamp: now, LastTimestamp: now, Count: 1,
		ReportingController: FargateScheduler, ReportingInstance: FargateScheduler,
	}, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	q := p.DeepCopy()
	q.Status.Conditions = append(q.Status.Conditions, corev1.PodCondition{
		Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable, Message: msg, LastTransitionTime: now,
	})
	_, err = s.cfg.Client.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, q, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}

// podGone removes the Fargate node of a pod that is gone.
func (s *Simulator) podGone(obj any) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			p, _ = d.Obj.(*corev1.Pod)
		}
	}
	if p == nil {
		return
	}
	s.mu.Lock()
	delete(s.fargateDue, string(p.UID))
	s.mu.Unlock()
	s.lbcCerts.Delete(p.UID)
	if p.Spec.NodeName == "" {
		return
	}
	n, err := s.factory.Core().V1().Nodes().Lister().Get(p.Spec.NodeName)
	if err != nil || n.Annotations[fargatePodAnnotation] != p.Namespace+"/"+p.Name {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.logf("fargate: pod %s/%s gone; removing node %s", p.Namespace, p.Name, n.Name)
	if err := s.deleteNode(ctx, n.Name); err != nil {
		s.logf("removing Fargate node %s: %v", n.Name, err)
	}
}
