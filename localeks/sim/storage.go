package sim

import (
	"context"
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
			ClaimRef:                      &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: ns, Name: name, UID: c.UID},
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
		s.logf("ebs: volume %s (%s, class %s) for claim %s/%s", pvName, size.String(), sc.Name, ns, name)
	}
	return err
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
