package placement

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// EBSProvisioners back PersistentVolumes with EBS, which Fargate cannot mount.
var EBSProvisioners = []string{"ebs.csi.aws.com", "kubernetes.io/aws-ebs"}

// IsEBS reports whether a StorageClass provisioner makes EBS volumes.
func IsEBS(provisioner string) bool {
	for _, p := range EBSProvisioners {
		if p == provisioner {
			return true
		}
	}
	return false
}

// NotSupportedPrefix starts every reason EKS's fargate-scheduler gives for
// leaving a pod Pending.
const NotSupportedPrefix = "Pod not supported on Fargate: "

// FargateProblems lists, in EKS's words, why Fargate cannot run a pod:
// EBS-backed or hostPath volumes (EFS is fine), privileged containers,
// hostNetwork and hostPort. claimProvisioner resolves a PersistentVolumeClaim
// name to its StorageClass provisioner ("" when unknown). An empty result
// means Fargate can run the pod.
func FargateProblems(spec *corev1.PodSpec, claimProvisioner func(claim string) string) []string {
	var problems []string
	var badVolumes []string
	for _, v := range spec.Volumes {
		switch {
		case v.HostPath != nil:
			badVolumes = append(badVolumes, fmt.Sprintf("%s is of an unsupported volume Type", v.Name))
		case v.AWSElasticBlockStore != nil:
			badVolumes = append(badVolumes, fmt.Sprintf("%s is of an unsupported volume Type", v.Name))
		case v.CSI != nil && IsEBS(v.CSI.Driver):
			badVolumes = append(badVolumes, fmt.Sprintf("%s is of an unsupported volume Type", v.Name))
		case v.PersistentVolumeClaim != nil && claimProvisioner != nil && IsEBS(claimProvisioner(v.PersistentVolumeClaim.ClaimName)):
			badVolumes = append(badVolumes, fmt.Sprintf("%s is of an unsupported volume Type (PersistentVolumeClaim %s is backed by EBS)", v.Name, v.PersistentVolumeClaim.ClaimName))
		}
	}
	if len(badVolumes) > 0 {
		problems = append(problems, "volumes not supported: "+strings.Join(badVolumes, ", "))
	}
	var fields []string
	if spec.HostNetwork {
		fields = append(fields, "HostNetwork")
	}
	ports, privileged := false, false
	all := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
	for _, c := range all {
		for _, p := range c.Ports {
			ports = ports || p.HostPort != 0
		}
		if sc := c.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
			privileged = true
		}
	}
	if ports {
		fields = append(fields, "HostPort")
	}
	if len(fields) > 0 {
		sort.Strings(fields)
		problems = append(problems, "fields not supported: "+strings.Join(fields, ", "))
	}
	if privileged {
		problems = append(problems, "invalid SecurityContext fields: Privileged")
	}
	return problems
}
