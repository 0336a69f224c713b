package manifest

import (
	"fmt"

	"github.com/terrax/terraform-provider-fargate/provider/internal/topology"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// Summaries of the volume findings.
const (
	noEBSDriver = "Storage class needs an EKS add-on"
	otherZone   = "Volume may be made in another zone"
	noClass     = "Claim names no storage class"
)

// checkVolumes checks the claims and pod templates of objs against what
// EKS needs to make their EBS volumes: the aws-ebs-csi-driver add-on (said
// only when the cluster's add-ons are known), and, for a pod on node
// groups over several zones, a class that makes the volume where the pod's
// node is.
func checkVolumes(objs []kubeobj.Object, placements map[kubeobj.ID]string, topo topology.Cluster) []finding {
	var out []finding
	for _, o := range objs {
		// A warning: a default class made elsewhere would serve the claim.
		if o.GetKind() == "PersistentVolumeClaim" && topo.ClaimClass(o.GetNamespace(), o.GetName()) == "" {
			out = append(out, finding{summary: noClass, msg: fmt.Sprintf("%s names no storageClassName, and EKS makes clusters of Kubernetes 1.30 "+
				"and later (every version it offers) without a default StorageClass: %q exists but is not the default, so the claim gets no class "+
				"and stays Pending, and its pods with it, unless you make a default class yourself. Set storageClassName (for example %q, with "+
				"the %q add-on)", o.ID().Short(), topology.DefaultClass, topology.DefaultClass, placement.EBSCSIDriverAddon)})
		}
		if o.GetKind() != "PersistentVolumeClaim" || !topo.AddonsKnown() || topo.HasAddon(placement.EBSCSIDriverAddon) {
			continue
		}
		class := topo.ClaimClass(o.GetNamespace(), o.GetName())
		if p := topo.Provisioners[class]; placement.IsEBS(p) {
			out = append(out, finding{err: true, summary: noEBSDriver, msg: fmt.Sprintf("%s uses StorageClass %q, whose provisioner %s makes EBS volumes, "+
				"but the cluster has no %q add-on, without which EKS makes no EBS volume: the claim would stay Pending, and its pods with it. "+
				"Add %q to the cluster's addons", o.ID().Short(), class, p, placement.EBSCSIDriverAddon, placement.EBSCSIDriverAddon)})
		}
	}
	if topo.NodeGroupZones < 2 {
		return out
	}
	for _, o := range objs {
		ns, _, spec, ok := o.PodTemplate()
		if !ok || placements[o.ID()] != onNodegroup {
			continue
		}
		for _, v := range spec.Volumes {
			if v.PersistentVolumeClaim == nil {
				continue
			}
			claim := v.PersistentVolumeClaim.ClaimName
			class := topo.ClaimClass(ns, claim)
			mode, declared := topo.BindingModes[class]
			if !declared || mode == topology.WaitForFirstConsumer || !placement.IsEBS(topo.Provisioners[class]) {
				continue
			}
			out = append(out, finding{summary: otherZone, msg: fmt.Sprintf("%s runs on the node groups, which span %d availability zones, and mounts "+
				"PersistentVolumeClaim %s of StorageClass %q, which binds Immediately: its EBS volume is made in a zone of the provisioner's "+
				"choosing, and when the pod's node is in another zone the pod stays Pending with \"volume node affinity conflict\". "+
				"Set volumeBindingMode: %s on the class, so that the volume is made in the zone of the pod's node, or pin the class "+
				"to one zone with allowedTopologies and the pod to nodes of that zone", o.ID().Short(), topo.NodeGroupZones, claim, class, topology.WaitForFirstConsumer)})
		}
	}
	return out
}
