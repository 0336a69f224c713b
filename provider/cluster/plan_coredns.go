package cluster

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/addons"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/incluster"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// refuseCoreDNSNowhere refuses, at plan, a cluster whose CoreDNS add-on
// could not run: on EC2 with no node group, or told to run on Fargate with
// no profile selecting its pods. EKS would report the add-on DEGRADED and
// the apply fail after it. A cluster with neither node groups nor profiles
// yet is left to the apply's warning (nothing can run there yet), and with
// exclusive_fargate_profiles = false profiles others add are not known
// here, so then nothing is concluded.
func refuseCoreDNSNowhere(ctx context.Context, plan *clusterModel, nodeGroups int, diags *diag.Diagnostics) {
	if plan.Addons.IsUnknown() || plan.CoreDNSComputeType.IsUnknown() {
		return
	}
	if _, managed := plan.Addons.Elements()[addons.CoreDNS]; !managed {
		return
	}
	profiles, known := knownProfiles(ctx, plan)
	if !known || (nodeGroups == 0 && len(profiles) == 0) {
		return
	}
	setting := plan.CoreDNSComputeType.ValueString()
	selected := len(incluster.CoreDNSProfiles(profiles)) > 0
	const fix = "Add the selector { namespace = \"kube-system\" } to a Fargate profile in fargate_profiles (CoreDNS then runs on Fargate), " +
		"or add a node group"
	switch {
	case setting == "fargate" && !selected:
		diags.AddAttributeError(path.Root("coredns_compute_type"), "CoreDNS has nowhere to run",
			"coredns_compute_type is \"fargate\", but no Fargate profile selects CoreDNS's pods (namespace kube-system, labels "+
				"k8s-app = kube-dns): they would stay Pending and EKS would report the coredns add-on DEGRADED. "+fix+" and set "+
				"coredns_compute_type = \"ec2\".")
	case nodeGroups == 0 && incluster.CoreDNSTarget(setting, profiles) == incluster.CoreDNSEC2:
		why := "no Fargate profile selects CoreDNS's pods (namespace kube-system, labels k8s-app = kube-dns), so CoreDNS stays on EC2"
		if setting == "ec2" {
			why = "coredns_compute_type is \"ec2\""
		}
		diags.AddAttributeError(path.Root("coredns_compute_type"), "CoreDNS has nowhere to run",
			fmt.Sprintf("The cluster has no node group and %s: its pods would stay Pending and EKS would report the coredns add-on "+
				"DEGRADED. %s.", why, fix))
	}
}

// knownProfiles are the cluster's Fargate profiles, and whether the plan
// knows all that select pods: its node groups and selectors are known, and
// no profile others add (exclusive_fargate_profiles = false) can select
// them too. The plan-time checks of where pods can run conclude only then.
func knownProfiles(ctx context.Context, plan *clusterModel) ([]placement.Profile, bool) {
	if plan.NodeGroups.IsUnknown() || !selectorsKnown(ctx, plan.FargateProfiles) || !exclusiveProfiles(*plan) {
		return nil, false
	}
	profiles, d := ProfilesFromModel(ctx, plan.FargateProfiles)
	return profiles, !d.HasError()
}
