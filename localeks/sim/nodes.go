package sim

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/util/retry"
)

// Labels EKS puts on nodes.
const (
	LabelNodegroup    = "eks.amazonaws.com/nodegroup"
	LabelCapacityType = "eks.amazonaws.com/capacityType"
	LabelComputeType  = "eks.amazonaws.com/compute-type"
	LabelInstanceType = "node.kubernetes.io/instance-type"
	LabelZone         = "topology.kubernetes.io/zone"
	LabelRegion       = "topology.kubernetes.io/region"
	kubeletVersion    = "v1.37.2-eks"
)

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

func (s *Simulator) nodegroupNodeName(ng string, i int) string {
	return fmt.Sprintf("ip-192-168-%d-%d.%s.compute.internal", 32+hash(ng)%160, 10+i, s.cfg.Region)
}

// Joiner is what a Source may also be: it learns when a node group's nodes
// have joined the cluster.
type Joiner interface{ Joined(nodegroup string) }

// syncNodegroups makes each node group's nodes match its desired size.
func (s *Simulator) syncNodegroups(ctx context.Context) (err error) {
	ngs, err := s.cfg.Source.Nodegroups(ctx)
	if err != nil {
		return err
	}
	if j, ok := s.cfg.Source.(Joiner); ok {
		// Reported once every node is made: EKS makes a node group ACTIVE
		// once its nodes have joined.
		defer func() {
			if err == nil {
				for _, ng := range ngs {
					j.Joined(ng.Name)
				}
			}
		}()
	}
	want := map[string]*corev1.Node{}
	for _, ng := range ngs {
		for i := 0; i < ng.DesiredSize; i++ {
			name := s.nodegroupNodeName(ng.Name, i)
			zone := s.cfg.Region + "a"
			if len(ng.Zones) > 0 {
				zone = ng.Zones[i%len(ng.Zones)]
			}
			l := map[string]string{
				LabelNodegroup: ng.Name, LabelCapacityType: ng.CapacityType, LabelInstanceType: ng.InstanceType,
				LabelZone: zone, LabelEBSZone: zone, LabelRegion: s.cfg.Region, "kubernetes.io/hostname": name,
				"kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "eks.amazonaws.com/nodegroup-image": "ami-localeks",
			}
			for k, v := range ng.Labels {
				l[k] = v
			}
			want[name] = s.node(name, l, ng.Taints, resource.MustParse("2"), resource.MustParse("4Gi"), "17", fmt.Sprintf("192.168.%d.%d", 32+hash(ng.Name)%160, 10+i))
		}
	}
	sel := labels.SelectorFromSet(nil)
	have, err := s.factory.Core().V1().Nodes().Lister().List(sel)
	if err != nil {
		return err
	}
	for _, n := range have {
		if _, ok := n.Labels[LabelNodegroup]; !ok {
			continue
		}
		if _, keep := want[n.Name]; !keep {
			s.logf("node group scaled in: deleting node %s", n.Name)
			if err := s.deleteNode(ctx, n.Name); err != nil {
				return err
			}
		} else if err := s.syncTaints(ctx, n, want[n.Name].Spec.Taints); err != nil {
			return err
		}
		delete(want, n.Name)
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s.logf("node group node %s joins", n)
		if err := s.createNode(ctx, want[n]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Simulator) node(name string, l map[string]string, taints []corev1.Taint, cpu, mem resource.Quantity, pods, ip string) *corev1.Node {
	capacity := corev1.ResourceList{corev1.ResourceCPU: cpu, corev1.ResourceMemory: mem, corev1.ResourcePods: resource.MustParse(pods),
		corev1.ResourceEphemeralStorage: resource.MustParse("20Gi")}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l, Annotations: map[string]string{"localeks.terrax.io/simulated": "true"}},
		Spec:       corev1.NodeSpec{Taints: taints, ProviderID: "aws:///" + l[LabelZone] + "/i-" + strconv.FormatUint(uint64(hash(name)), 16)},
		Status: corev1.NodeStatus{
			Capacity: capacity, Allocatable: capacity,
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: ip}, {Type: corev1.NodeHostName, Address: name}},
			NodeInfo: corev1.NodeSystemInfo{KubeletVersion: kubeletVersion, OperatingSystem: "linux", Architecture: "amd64",
				ContainerRuntimeVersion: "containerd://2.0.0", OSImage: "Amazon Linux 2023 (localeks)"},
		},
	}
}

func readyConditions() []corev1.NodeCondition {
	now := metav1.Now()
	c := func(t corev1.NodeConditionType, st corev1.ConditionStatus, reason string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: t, Status: st, Reason: reason, LastHeartbeatTime: now, LastTransitionTime: now}
	}
	return []corev1.NodeCondition{
		c(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady"),
		c(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory"),
		c(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure"),
		c(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID"),
	}
}

// createNode registers a node as its kubelet would: the object, its
// status, and its lease.
func (s *Simulator) createNode(ctx context.Context, n *corev1.Node) error {
	status := n.Status
	created, err := s.cfg.Client.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		created, err = s.cfg.Client.CoreV1().Nodes().Get(ctx, n.Name, metav1.GetOptions{})
	}
	if err != nil {
		return fmt.Errorf("creating node %s: %w", n.Name, err)
	}
	if err := s.reportReady(ctx, created.Name, &status); err != nil {
		return err
	}
	return s.renewLease(ctx, n.Name)
}

// reportReady posts a node's status as Ready, as its kubelet does, retrying
// when the node lifecycle controller changed the node meanwhile.
func (s *Simulator) reportReady(ctx context.Context, name string, status *corev1.NodeStatus) error {
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		n, err := s.cfg.Client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if status != nil {
			n.Status.Capacity, n.Status.Allocatable = status.Capacity, status.Allocatable
			n.Status.Addresses, n.Status.NodeInfo = status.Addresses, status.NodeInfo
		}
		n.Status.Conditions = readyConditions()
		_, err = s.cfg.Client.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("reporting node %s ready: %w", name, err)
	}
	return nil
}

func ready(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func (s *Simulator) deleteNode(ctx context.Context, name string) error {
	err := s.cfg.Client.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting node %s: %w", name, err)
	}
	err = s.cfg.Client.CoordinationV1().Leases(corev1.NamespaceNodeLease).Delete(ctx, name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	// Pods bound to a node that is gone are what a kubelet would have
	// stopped: delete them now rather than waiting for pod garbage collection.
	pods, err := s.factory.Core().V1().Pods().Lister().List(labels.Everything())
	if err != nil {
		return err
	}
	zero := int64(0)
	for _, p := range pods {
		if p.Spec.NodeName == name {
			_ = s.cfg.Client.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
		}
	}
	return nil
}

func (s *Simulator) renewLease(ctx context.Context, node string) error {
	now := metav1.NewMicroTime(time.Now())
	leases := s.cfg.Client.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	l, err := leases.Get(ctx, node, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		d := int32(40)
		_, err = leases.Create(ctx, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: node},
			Spec:       coordinationv1.LeaseSpec{HolderIdentity: &node, LeaseDurationSeconds: &d, RenewTime: &now},
		}, metav1.CreateOptions{})
		return err
	}
	if err != nil {
		return err
	}
	l.Spec.RenewTime = &now
	_, err = leases.Update(ctx, l, metav1.UpdateOptions{})
	return err
}

// leases renews every simulated node's lease (kubelets do every 10 s) and
// re-posts the status of a node that lost its Ready condition.
func (s *Simulator) leases(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		nodes, _ := s.factory.Core().V1().Nodes().Lister().List(labels.Everything())
		for _, n := range nodes {
			if n.Annotations["localeks.terrax.io/simulated"] != "true" {
				continue
			}
			if err := s.renewLease(ctx, n.Name); err != nil && ctx.Err() == nil && !apierrors.IsNotFound(err) {
				s.logf("lease of %s: %v", n.Name, err)
			}
			if !ready(n) {
				if err := s.reportReady(ctx, n.Name, nil); err != nil && ctx.Err() == nil && !apierrors.IsNotFound(err) {
					s.logf("%v", err)
				}
			}
		}
	}
}
