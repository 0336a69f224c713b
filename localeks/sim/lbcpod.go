package sim

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// isLBCPod: a pod of the AWS Load Balancer Controller, by the label its
// chart gives it.
func isLBCPod(p *corev1.Pod) bool {
	return p.Namespace == placement.LBCNamespace && p.Labels["app.kubernetes.io/name"] == placement.LBCName
}

// lbcFlags are the controller's command-line flags (--name=value or
// --name value) and its container's literal environment.
func lbcFlags(p *corev1.Pod) (flags, env map[string]string) {
	flags, env = map[string]string{}, map[string]string{}
	if len(p.Spec.Containers) == 0 {
		return flags, env
	}
	c := p.Spec.Containers[0]
	args := append(append([]string{}, c.Command...), c.Args...)
	for i, a := range args {
		if !strings.HasPrefix(a, "--") {
			continue
		}
		name, value, ok := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !ok && i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			value = args[i+1]
		}
		flags[name] = value
	}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	return flags, env
}

// imdsOnFargate is what the AWS SDK's instance metadata client meets on
// Fargate, which has no instance metadata service.
const imdsOnFargate = "operation error ec2imds: GetMetadata, canceled, context deadline exceeded (EC2 instance metadata is not available on Fargate)"

// lbcCrash is why the controller's container exits at start, "" when it
// runs, with the controller's own messages (its main.go and pkg/aws/cloud.go):
// no --cluster-name; on Fargate (no instance metadata) no region
// (--aws-region, or AWS_REGION/AWS_DEFAULT_REGION) or no VPC
// (--aws-vpc-id, or --aws-vpc-tags); no certificate where its webhook
// server reads it (the TLS Secret mounted at lbcCertDir).
//
// irsaRegion: the pod runs as a service account with an IRSA role, whose
// pods EKS's pod identity webhook gives AWS_REGION and AWS_DEFAULT_REGION.
func lbcCrash(p *corev1.Pod, node *corev1.Node, irsaRegion bool) string {
	if !isLBCPod(p) {
		return ""
	}
	flags, env := lbcFlags(p)
	if flags["cluster-name"] == "" {
		return "unable to load controller config: kubernetes cluster name must be specified"
	}
	if node.Labels[LabelComputeType] == "fargate" {
		if flags["aws-region"] == "" && env["AWS_DEFAULT_REGION"] == "" && env["AWS_REGION"] == "" && !irsaRegion {
			return "unable to initialize AWS cloud: failed to introspect region from EC2Metadata, specify --aws-region instead if EC2Metadata is unavailable: " + imdsOnFargate
		}
		if flags["aws-vpc-id"] == "" && flags["aws-vpc-tags"] == "" {
			return "unable to initialize AWS cloud: failed to get VPC ID: failed to fetch VPC ID from instance metadata: " + imdsOnFargate
		}
	}
	if lbcCertSecret(p) == "" {
		return "problem running manager: open " + lbcCertDir + "/tls.crt: no such file or directory"
	}
	return ""
}

// mountSecrets: a kubelet starts no container of a pod until the Secrets
// of its volumes exist (the pod stays ContainerCreating with a FailedMount
// event, in the kubelet's words), e.g. the controller without its TLS
// Secret.
func (s *Simulator) mountSecrets(ctx context.Context, p *corev1.Pod) error {
	for _, v := range p.Spec.Volumes {
		if v.Secret == nil || (v.Secret.Optional != nil && *v.Secret.Optional) {
			continue
		}
		_, err := s.cfg.Client.CoreV1().Secrets(p.Namespace).Get(ctx, v.Secret.SecretName, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			msg := fmt.Sprintf("MountVolume.SetUp failed for volume %q : secret %q not found", v.Name, v.Secret.SecretName)
			s.recordEvent(ctx, corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: p.Namespace, Name: p.Name, UID: p.UID}, "FailedMount", "kubelet", msg)
			return fmt.Errorf("pod %s/%s: %s", p.Namespace, p.Name, msg)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// irsaRegion: the pod's service account has an IRSA role annotation.
func (s *Simulator) irsaRegion(ctx context.Context, p *corev1.Pod) bool {
	name := p.Spec.ServiceAccountName
	if name == "" {
		name = "default"
	}
	sa, err := s.cfg.Client.CoreV1().ServiceAccounts(p.Namespace).Get(ctx, name, metav1.GetOptions{})
	return err == nil && sa.Annotations[RoleARNAnnotation] != ""
}
