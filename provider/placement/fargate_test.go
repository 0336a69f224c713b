package placement

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestFargateProblems(t *testing.T) {
	yes := true
	claims := func(c string) string {
		return map[string]string{"mysql-data-disk": "ebs.csi.aws.com", "old": "kubernetes.io/aws-ebs", "shared": "efs.csi.aws.com"}[c]
	}
	pvc := func(name, claim string) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim}}}
	}
	cases := []struct {
		name string
		spec corev1.PodSpec
		want string
	}{
		{"stateless", corev1.PodSpec{Containers: []corev1.Container{{Name: "app"}}}, ""},
		{"EFS claim is fine", corev1.PodSpec{Volumes: []corev1.Volume{pvc("files", "shared")}}, ""},
		{"emptyDir is fine", corev1.PodSpec{Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}}, ""},
		{"EBS claim (CSI)", corev1.PodSpec{Volumes: []corev1.Volume{pvc("data", "mysql-data-disk")}},
			"volumes not supported: data is of an unsupported volume Type (PersistentVolumeClaim mysql-data-disk is backed by EBS)"},
		{"EBS claim (in-tree)", corev1.PodSpec{Volumes: []corev1.Volume{pvc("data", "old")}}, "volumes not supported: data"},
		{"hostPath", corev1.PodSpec{Volumes: []corev1.Volume{{Name: "sock", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/run"}}}}},
			"volumes not supported: sock is of an unsupported volume Type"},
		{"hostNetwork and hostPort", corev1.PodSpec{HostNetwork: true, Containers: []corev1.Container{{Name: "a", Ports: []corev1.ContainerPort{{HostPort: 80}}}}},
			"fields not supported: HostNetwork, HostPort"},
		{"privileged init container", corev1.PodSpec{InitContainers: []corev1.Container{{Name: "i", SecurityContext: &corev1.SecurityContext{Privileged: &yes}}}},
			"invalid SecurityContext fields: Privileged"},
	}
	for _, c := range cases {
		got := strings.Join(FargateProblems(&c.spec, claims), "; ")
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
