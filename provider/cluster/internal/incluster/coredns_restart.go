package incluster

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
)

// restartedAtAnnotation is what `kubectl rollout restart` sets on a pod
// template.
const restartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"

func (w *Work) kube(ob *observed.Record, target string) (*kubeclient.Client, error) {
	c := ob.Cluster()
	if c == nil || c.CertificateAuthority == nil {
		return nil, fmt.Errorf("moving CoreDNS to %s: EKS cluster %q has no endpoint yet", target, w.cluster)
	}
	return kubeclient.New(w.c.STS, w.cluster, aws.ToString(c.Endpoint), aws.ToString(c.CertificateAuthority.Data))
}

// coreDNSRollsByItself says whether telling CoreDNS to run on Fargate
// rolls its pods: only when its pod template carries the compute-type
// annotation, which the change removes. Current EKS makes new clusters'
// CoreDNS without it, and its running pods stay where they are until
// restarted (EKS user guide, "Get started with AWS Fargate for your
// cluster", step 4: create the profile, then `kubectl rollout restart -n
// kube-system deployment coredns`).
func (w *Work) coreDNSRollsByItself(ctx context.Context, ob *observed.Record) (bool, error) {
	kc, err := w.kube(ob, CoreDNSFargate)
	if err != nil {
		return false, err
	}
	d, err := kc.Kube.AppsV1().Deployments("kube-system").Get(ctx, "coredns", metav1.GetOptions{})
	if err != nil {
		return false, fmt.Errorf("reading the CoreDNS Deployment of EKS cluster %q: %w", w.cluster, err)
	}
	_, annotated := d.Spec.Template.Annotations[computeTypeAnnotation]
	return annotated, nil
}

// CoreDNSRestart is called before CoreDNS is told to run on Fargate; the
// function it returns, called after, restarts CoreDNS when the change did
// not roll it (see coreDNSRollsByItself) and a pod of it still runs off
// Fargate.
func (w *Work) CoreDNSRestart(ctx context.Context, ob *observed.Record) (func(context.Context) error, error) {
	rolls, err := w.coreDNSRollsByItself(ctx, ob)
	if rolls || err != nil {
		return func(context.Context) error { return nil }, err
	}
	return func(ctx context.Context) error { return w.restartCoreDNS(ctx, ob) }, nil
}

// restartCoreDNS rolls CoreDNS's pods, as `kubectl rollout restart` does,
// unless they all run on Fargate already: the new pods are placed by the
// Fargate profiles now ACTIVE.
func (w *Work) restartCoreDNS(ctx context.Context, ob *observed.Record) error {
	kc, err := w.kube(ob, CoreDNSFargate)
	if err != nil {
		return err
	}
	pods, err := kc.Kube.CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{LabelSelector: "k8s-app=kube-dns"})
	if err != nil {
		return fmt.Errorf("listing the CoreDNS pods of EKS cluster %q: %w", w.cluster, err)
	}
	offFargate := false
	for _, p := range pods.Items {
		// EKS names the node of a Fargate pod fargate-ip-<address>.
		offFargate = offFargate || (p.DeletionTimestamp == nil && !strings.HasPrefix(p.Spec.NodeName, "fargate-"))
	}
	if !offFargate {
		return nil
	}
	patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{%q:%q}}}}}`, restartedAtAnnotation, time.Now().UTC().Format(time.RFC3339))
	_, err = kc.Kube.AppsV1().Deployments("kube-system").Patch(ctx, "coredns", k8stypes.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "terraform-provider-fargate"})
	if err != nil {
		return fmt.Errorf("restarting CoreDNS of EKS cluster %q so that its pods move to Fargate: %w", w.cluster, err)
	}
	return nil
}
