package sim

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

const (
	annSelectedNode  = "volume.kubernetes.io/selected-node"
	annProvisionedBy = "pv.kubernetes.io/provisioned-by"
	defaultClassAnn  = "storageclass.kubernetes.io/is-default-class"
)

// storageClass returns the claim's class, or the default one.
func (s *Simulator) storageClass(c *corev1.PersistentVolumeClaim) *storagev1.StorageClass {
	lister := s.factory.Storage().V1().StorageClasses().Lister()
	if c.Spec.StorageClassName != nil {
		if *c.Spec.StorageClassName == "" {
			return nil
		}
		sc, err := lister.Get(*c.Spec.StorageClassName)
		if err != nil {
			return nil
		}
		return sc
	}
	all, _ := lister.List(labels.Everything())
	for _, sc := range all {
		if sc.Annotations[defaultClassAnn] == "true" {
			return sc
		}
	}
	return nil
}

// syncClaim is the EBS CSI provisioner: it makes a volume for a pending
// claim of an EBS class at once (Immediate) or once the scheduler picked
// the consumer's node (WaitForFirstConsumer). The PV controller binds them.
func (s *Simulator) syncClaim(ctx context.Context, key string) error {
	ns, name, _ := cache.SplitMetaNamespaceKey(key)
	c, err := s.factory.Core().V1().PersistentVolumeClaims().Lister().PersistentVolumeClaims(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil || c.Status.Phase != corev1.ClaimPending || c.Spec.VolumeName != "" || c.DeletionTimestamp != nil {
		return err
	}
	sc := s.storageClass(c)
	if sc == nil || !placement.IsEBS(sc.Provisioner) {
		return nil
	}
	wait := sc.VolumeBindingMode != nil && *sc.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer
	if wait && c.Annotations[annSelectedNode] == "" {
		return nil // waiting for first consumer, as EBS does
	}
	if err := s.ebsProvisioner(ctx); err != nil {
		if !errors.Is(err, errNoController) {
			s.recordEvent(ctx, claimRef(c), "ProvisioningFailed", "ebs.csi.aws.com_"+EBSController,
				fmt.Sprintf("failed to provision volume with StorageClass %q: could not create volume in EC2: %v", sc.Name, err))
		}
		return nil // the PV controller's ExternalProvisioning event says the claim waits; resync retries
	}
	zone, err := s.volumeZone(ctx, c, sc)
	if err != nil {
		return err
	}
	size := c.Spec.Resources.Requests[corev1.ResourceStorage]
	pvName := "pvc-" + string(c.UID)
	reclaim := corev1.PersistentVolumeReclaimDelete
	if sc.ReclaimPolicy != nil {
		reclaim = *sc.ReclaimPolicy
	}
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: pvName, Annotations: map[string]string{annProvisionedBy: sc.Provisioner}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: size},
			AccessModes:                   c.Spec.AccessModes,
			StorageClassName:              sc.Name,
			PersistentVolumeReclaimPolicy: reclaim,
			// A volume lives in one zone: only nodes there can attach it.
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: LabelEBSZone, Operator: corev1.NodeSelectorOpIn, Values: []string{zone}}},
			}}}},
			ClaimRef: &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: ns, Name: name, UID: c.UID},
			PersistentVolumeSource: corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{
				Driver: "ebs.csi.aws.com", VolumeHandle: fmt.Sprintf("vol-%017x", hash(string(c.UID))), FSType: sc.Parameters["fsType"],
			}},
		},
	}
	_, err = s.cfg.Client.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err == nil {
		s.logf("ebs: volume %s (%s, class %s, zone %s) for claim %s/%s", pvName, size.String(), sc.Name, zone, ns, name)
	}
	return err
}

func claimRef(c *corev1.PersistentVolumeClaim) corev1.ObjectReference {
	return corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: c.Namespace, Name: c.Name, UID: c.UID}
}

// VolumeZone is where the driver makes an Immediate claim's volume among
// the zones it may use: EBS's choice is its own; localeks makes it
// deterministic per claim so that tests can predict it.
func VolumeZone(claimUID string, zones []string) string {
	return zones[hash(claimUID)%uint32(len(zones))]
}

// volumeZone: the selected node's zone (WaitForFirstConsumer), else one
// of the class's allowed zones, else one of the cluster's.
func (s *Simulator) volumeZone(ctx context.Context, c *corev1.PersistentVolumeClaim, sc *storagev1.StorageClass) (string, error) {
	if node := c.Annotations[annSelectedNode]; node != "" {
		n, err := s.factory.Core().V1().Nodes().Lister().Get(node)
		if err != nil {
			return "", fmt.Errorf("the node %s selected for claim %s/%s: %w", node, c.Namespace, c.Name, err)
		}
		return n.Labels[LabelZone], nil
	}
	var zones []string
	for _, t := range sc.AllowedTopologies {
		for _, e := range t.MatchLabelExpressions {
			if e.Key == LabelEBSZone || e.Key == LabelZone {
				zones = append(zones, e.Values...)
			}
		}
	}
	if len(zones) == 0 {
		zones = s.cfg.AWS.Zones(ctx)
	}
	if len(zones) == 0 {
		return "", fmt.Errorf("no zone for the volume of claim %s/%s", c.Namespace, c.Name)
	}
	return VolumeZone(string(c.UID), zones), nil
}

// releaseVolumes deletes volumes it made whose claim is gone (reclaim Delete).
func (s *Simulator) releaseVolumes(ctx context.Context) {
	pvs, err := s.factory.Core().V1().PersistentVolumes().Lister().List(labels.Everything())
	if err != nil {
		return
	}
	for _, pv := range pvs {
		if pv.Status.Phase == corev1.VolumeReleased && placement.IsEBS(pv.Annotations[annProvisionedBy]) &&
			pv.Spec.PersistentVolumeReclaimPolicy == corev1.PersistentVolumeReclaimDelete {
			_ = s.cfg.Client.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{})
		}
	}
}
