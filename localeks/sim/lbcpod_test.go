package sim

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

func TestLBCCrash(t *testing.T) {
	pod := func(cert bool, env map[string]string, args ...string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: placement.LBCNamespace, Labels: map[string]string{"app.kubernetes.io/name": placement.LBCName}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Args: args}}}}
		for k, v := range env {
			p.Spec.Containers[0].Env = append(p.Spec.Containers[0].Env, corev1.EnvVar{Name: k, Value: v})
		}
		if cert {
			p.Spec.Volumes = []corev1.Volume{{Name: "cert", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: placement.LBCTLSSecret}}}}
			p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "cert", MountPath: lbcCertDir}}
		}
		return p
	}
	node := func(compute string) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{LabelComputeType: compute}}}
	}
	full := []string{"--cluster-name=c", "--aws-region=eu-west-1", "--aws-vpc-id", "vpc-1"}
	for _, c := range []struct {
		name string
		pod  *corev1.Pod
		node *corev1.Node
		irsa bool
		want string
	}{
		{"all it needs, on Fargate", pod(true, nil, full...), node("fargate"), false, ""},
		{"no cluster name", pod(true, nil, "--aws-region=eu-west-1", "--aws-vpc-id=vpc-1"), node("fargate"), false, "kubernetes cluster name must be specified"},
		{"no region on Fargate", pod(true, nil, "--cluster-name=c", "--aws-vpc-id=vpc-1"), node("fargate"), false, "specify --aws-region instead"},
		{"the region from IRSA's environment", pod(true, nil, "--cluster-name=c", "--aws-vpc-id=vpc-1"), node("fargate"), true, ""},
		{"the region from AWS_REGION", pod(true, map[string]string{"AWS_REGION": "eu-west-1"}, "--cluster-name=c", "--aws-vpc-id=vpc-1"), node("fargate"), false, ""},
		{"no VPC on Fargate", pod(true, nil, "--cluster-name", "c", "--aws-region=eu-west-1"), node("fargate"), false, "failed to fetch VPC ID from instance metadata"},
		{"no region or VPC on EC2 (instance metadata)", pod(true, nil, "--cluster-name=c"), node(""), false, ""},
		{"no certificate", pod(false, nil, full...), node("fargate"), false, "serving-certs/tls.crt: no such file or directory"},
	} {
		got := lbcCrash(c.pod, c.node, c.irsa)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: crash %q, want %q", c.name, got, c.want)
		}
	}
	other := pod(false, nil)
	other.Labels = nil
	if got := lbcCrash(other, node("fargate"), false); got != "" {
		t.Errorf("another pod of kube-system crash-loops: %q", got)
	}
}
