// Package incluster does the cluster's work inside Kubernetes and what
// Kubernetes made in AWS: where CoreDNS runs (Fargate or EC2), and the load
// balancers Kubernetes made in the VPC, which must go before it.
package incluster

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

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekswait"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// CoreDNS compute types, as the coredns add-on names them.
const (
	CoreDNSFargate = "Fargate"
	CoreDNSEC2     = "ec2"
	// ComputeTypeKey is where the coredns add-on's configuration says it.
	ComputeTypeKey = "computeType"
	// computeTypeAnnotation keeps CoreDNS off Fargate in a new EKS cluster.
	computeTypeAnnotation = "eks.amazonaws.com/compute-type"
)

// Work is the in-cluster work of one cluster.
type Work struct {
	c       *conns.Client
	cluster string
	// tags are the cluster's tags_all, given to what is created.
	tags map[string]string
	wait ekswait.Waiter
}

// New returns the in-cluster work of the cluster of owner.
func New(c *conns.Client, owner owned.Owner) *Work {
	return &Work{c: c, cluster: owner.Cluster, tags: owner.Tags, wait: ekswait.Waiter{EKS: c.EKS, Timing: c.Timing}}
}

// coreDNSLabels are the labels of EKS's CoreDNS pods.
var coreDNSLabels = map[string]string{"k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns"}

// CoreDNSTarget decides where CoreDNS runs: `auto` puts it on Fargate
// exactly when a Fargate profile selects its pods, as eksctl does.
func CoreDNSTarget(setting string, profiles []placement.Profile) string {
	switch setting {
	case "fargate":
		return CoreDNSFargate
	case "ec2":
		return CoreDNSEC2
	}
	if placement.Place(profiles, "kube-system", coreDNSLabels).OnFargate() {
		return CoreDNSFargate
	}
	return CoreDNSEC2
}

// CoreDNSProfiles are the profiles that may run CoreDNS's pods: once one of
// them is ACTIVE, CoreDNS can run on Fargate while the others are still
// being created.
func CoreDNSProfiles(profiles []placement.Profile) []string {
	return placement.Place(profiles, "kube-system", coreDNSLabels).Candidates
}

// addonAPIMissing reports an endpoint that does not offer the add-on API
// (an emulator); real EKS does.
func addonAPIMissing(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == 404 && !apierr.IsA[*ekstypes.ResourceNotFoundException](err)
}

func computeTypeOf(configurationValues string) string {
	var m map[string]any
	if json.Unmarshal([]byte(configurationValues), &m) == nil {
		if ct, ok := m[ComputeTypeKey].(string); ok {
			return ct
		}
	}
	return CoreDNSEC2
}

// PlaceCoreDNS tells CoreDNS where to run, once the profiles are ACTIVE
// (CoreDNS told to run on Fargate before a profile selects it stays
// Pending): through the coredns add-on's configurationValues where EKS
// offers it, else by patching the Deployment as eksctl does.
func (w *Work) PlaceCoreDNS(ctx context.Context, ob *observed.Record, target string) error {
	cfg := fmt.Sprintf(`{%q:%q}`, ComputeTypeKey, target)
	out, err := w.c.EKS.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: aws.String(w.cluster), AddonName: aws.String("coredns")})
	after := func(context.Context) error { return nil } // restarts CoreDNS when the change does not roll it
	if target == CoreDNSFargate && (err != nil || computeTypeOf(aws.ToString(out.Addon.ConfigurationValues)) != target) {
		var rerr error
		if after, rerr = w.CoreDNSRestart(ctx, ob); rerr != nil {
			return rerr
		}
	}
	restart := func() error { return after(ctx) }
	switch {
	case addonAPIMissing(err) && target == CoreDNSEC2:
		return nil // where a new cluster has it; nothing to ask of Kubernetes
	case addonAPIMissing(err):
		if err := w.patchCoreDNS(ctx, ob, target); err != nil {
			return err
		}
		return restart()
	case apierr.IsA[*ekstypes.ResourceNotFoundException](err):
		if target == CoreDNSEC2 {
			return nil // where a new cluster has it
		}
		_, err = w.c.EKS.CreateAddon(ctx, &eks.CreateAddonInput{
			ClusterName: aws.String(w.cluster), AddonName: aws.String("coredns"), ConfigurationValues: aws.String(cfg),
			ResolveConflicts: ekstypes.ResolveConflictsOverwrite, Tags: w.tags,
		})
		if addonAPIMissing(err) {
			if err := w.patchCoreDNS(ctx, ob, target); err != nil {
				return err
			}
			return restart()
		}
		if err != nil {
			return fmt.Errorf("creating the coredns add-on of EKS cluster %q with %s: %w", w.cluster, cfg, err)
		}
		if err := restart(); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("reading the coredns add-on of EKS cluster %q: %w", w.cluster, err)
	default:
		if computeTypeOf(aws.ToString(out.Addon.ConfigurationValues)) == target {
			return nil
		}
		up, err := w.c.EKS.UpdateAddon(ctx, &eks.UpdateAddonInput{
			ClusterName: aws.String(w.cluster), AddonName: aws.String("coredns"), ConfigurationValues: aws.String(cfg),
			ResolveConflicts: ekstypes.ResolveConflictsOverwrite,
		})
		if err != nil {
			return fmt.Errorf("updating the coredns add-on of EKS cluster %q to %s: %w", w.cluster, cfg, err)
		}
		if err := restart(); err != nil {
			return err
		}
		if err := w.wait.Update(ctx, w.cluster, "", "coredns", up.Update); err != nil {
			return err
		}
	}
	return w.wait.AddonActive(ctx, w.cluster, "coredns")
}

// patchCoreDNS moves CoreDNS through the Kubernetes API, as eksctl does on
// clusters without the add-on API: the compute-type annotation on its pod
// template goes (Fargate) or comes back (ec2), which rolls its pods.
func (w *Work) patchCoreDNS(ctx context.Context, ob *observed.Record, target string) error {
	kc, err := w.kube(ob, target)
	if err != nil {
		return err
	}
	value := `"ec2"`
	if target == CoreDNSFargate {
		value = "null"
	}
	patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{%q:%s}}}}}`, computeTypeAnnotation, value)
	_, err = kc.Kube.AppsV1().Deployments("kube-system").Patch(ctx, "coredns", k8stypes.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "terraform-provider-fargate"})
	if err != nil {
		return fmt.Errorf("moving CoreDNS of EKS cluster %q to %s by patching its Deployment: %w", w.cluster, target, err)
	}
	return nil
}
