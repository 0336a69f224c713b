package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// CoreDNS compute types, as the coredns add-on names them.
const (
	coreDNSFargate = "Fargate"
	coreDNSEC2     = "ec2"
	// computeTypeAnnotation keeps CoreDNS off Fargate in a new EKS cluster.
	computeTypeAnnotation = "eks.amazonaws.com/compute-type"
)

// coreDNSLabels are the labels of EKS's CoreDNS pods.
var coreDNSLabels = map[string]string{"k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns"}

// coreDNSTarget decides where CoreDNS runs: `auto` puts it on Fargate
// exactly when a Fargate profile selects its pods, as eksctl does.
func coreDNSTarget(setting string, profiles []placement.Profile) string {
	switch setting {
	case "fargate":
		return coreDNSFargate
	case "ec2":
		return coreDNSEC2
	}
	if placement.Place(profiles, "kube-system", coreDNSLabels).OnFargate() {
		return coreDNSFargate
	}
	return coreDNSEC2
}

// addonAPIMissing reports an endpoint that does not offer the add-on API
// (an emulator); real EKS does.
func addonAPIMissing(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == 404 && !apierr.Is(err, "ResourceNotFoundException")
}

func computeTypeOf(configurationValues string) string {
	var m map[string]any
	if json.Unmarshal([]byte(configurationValues), &m) == nil {
		if ct, ok := m["computeType"].(string); ok {
			return ct
		}
	}
	return coreDNSEC2
}

// placeCoreDNS tells CoreDNS where to run, once the profiles are ACTIVE
// (CoreDNS told to run on Fargate before a profile selects it stays
// Pending): through the coredns add-on's configurationValues where EKS
// offers it, else by patching the Deployment as eksctl does.
func (o *ops) placeCoreDNS(ctx context.Context, ob *observed, target string) error {
	cfg := fmt.Sprintf(`{"computeType":%q}`, target)
	out, err := o.c.EKS.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: aws.String(o.name), AddonName: aws.String("coredns")})
	switch {
	case addonAPIMissing(err) && target == coreDNSEC2:
		return nil // where a new cluster has it; nothing to ask of Kubernetes
	case addonAPIMissing(err):
		return o.patchCoreDNS(ctx, ob, target)
	case apierr.Is(err, "ResourceNotFoundException"):
		if target == coreDNSEC2 {
			return nil // where a new cluster has it
		}
		_, err = o.c.EKS.CreateAddon(ctx, &eks.CreateAddonInput{
			ClusterName: aws.String(o.name), AddonName: aws.String("coredns"), ConfigurationValues: aws.String(cfg),
			ResolveConflicts: ekstypes.ResolveConflictsOverwrite, Tags: o.tags,
		})
		if addonAPIMissing(err) {
			return o.patchCoreDNS(ctx, ob, target)
		}
		if err != nil {
			return fmt.Errorf("creating the coredns add-on of EKS cluster %q with %s: %w", o.name, cfg, err)
		}
	case err != nil:
		return fmt.Errorf("reading the coredns add-on of EKS cluster %q: %w", o.name, err)
	default:
		if computeTypeOf(aws.ToString(out.Addon.ConfigurationValues)) == target {
			return nil
		}
		up, err := o.c.EKS.UpdateAddon(ctx, &eks.UpdateAddonInput{
			ClusterName: aws.String(o.name), AddonName: aws.String("coredns"), ConfigurationValues: aws.String(cfg),
			ResolveConflicts: ekstypes.ResolveConflictsOverwrite,
		})
		if err != nil {
			return fmt.Errorf("updating the coredns add-on of EKS cluster %q to %s: %w", o.name, cfg, err)
		}
		if err := waitUpdate(ctx, o.c.EKS, o.name, "", "coredns", up.Update); err != nil {
			return err
		}
	}
	w := eks.NewAddonActiveWaiter(o.c.EKS, func(w *eks.AddonActiveWaiterOptions) { w.MinDelay, w.MaxDelay = pollMin, pollMax })
	if err := w.Wait(ctx, &eks.DescribeAddonInput{ClusterName: aws.String(o.name), AddonName: aws.String("coredns")}, remaining(ctx)); err != nil {
		return timeoutHint(ctx, err, fmt.Errorf("waiting for the coredns add-on of EKS cluster %q: %w", o.name, err))
	}
	return nil
}

// patchCoreDNS moves CoreDNS through the Kubernetes API, as eksctl does on
// clusters without the add-on API: the compute-type annotation on its pod
// template goes (Fargate) or comes back (ec2), which rolls its pods.
func (o *ops) patchCoreDNS(ctx context.Context, ob *observed, target string) error {
	ob.mu.Lock()
	c := ob.cluster
	ob.mu.Unlock()
	if c == nil || c.CertificateAuthority == nil {
		return fmt.Errorf("moving CoreDNS to %s: EKS cluster %q has no endpoint yet", target, o.name)
	}
	kc, err := kubeclient.New(o.c.STS, o.name, aws.ToString(c.Endpoint), aws.ToString(c.CertificateAuthority.Data))
	if err != nil {
		return err
	}
	value := `"ec2"`
	if target == coreDNSFargate {
		value = "null"
	}
	patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{%q:%s}}}}}`, computeTypeAnnotation, value)
	_, err = kc.Kube.AppsV1().Deployments("kube-system").Patch(ctx, "coredns", k8stypes.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "terraform-provider-fargate"})
	if err != nil {
		return fmt.Errorf("moving CoreDNS of EKS cluster %q to %s by patching its Deployment: %w", o.name, target, err)
	}
	return nil
}
