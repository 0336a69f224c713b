package cluster

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/topology"
)

// The manifests' plan learns the cluster's planned add-ons (with the agent
// the EBS CSI driver brings) and that node groups in a VPC made over two
// zones span two zones; unknown add-ons are said as unknown (nil).
func TestReportAddonsAndZones(t *testing.T) {
	ctx := context.Background()
	r := &Resource{client: &conns.Client{Topology: topology.New()}}
	net, _ := types.ObjectValueFrom(ctx, networkAttrTypes, networkModel{
		VPCCIDR: types.StringValue("10.0.0.0/16"), SubnetIDs: types.SetNull(types.StringType),
		AvailabilityZones: stringList([]string{"eu-west-1a", "eu-west-1b"}), VPCID: types.StringUnknown(),
		PublicSubnetIDs: types.ListUnknown(types.StringType), PrivateSubnetIDs: types.ListUnknown(types.StringType),
	})
	configured, _ := types.MapValueFrom(ctx, addonObject, map[string]addonModel{
		"coredns":            {Version: types.StringNull(), ConfigurationValues: types.StringNull(), ServiceAccountRoleARN: types.StringNull()},
		"aws-ebs-csi-driver": {Version: types.StringNull(), ConfigurationValues: types.StringNull(), ServiceAccountRoleARN: types.StringNull()},
	})
	plan := clusterModel{Name: types.StringValue("c"), Network: net, NodeGroups: types.MapNull(nodeGroupObject), Addons: configured,
		CoreDNSComputeType: types.StringValue("auto")}
	want := children.Set{NodeGroups: map[string]children.NodeGroup{"ng": {}}}
	r.reportAddonsAndZones(ctx, plan, want)
	got := r.client.Topology.Get("c")
	if !slices.Equal(got.Addons, []string{"aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent"}) || got.NodeGroupZones != 2 {
		t.Fatalf("reported add-ons %v and %d zones; want the three and 2", got.Addons, got.NodeGroupZones)
	}
	plan.Addons = types.MapUnknown(addonObject)
	r.reportAddonsAndZones(ctx, plan, children.Set{})
	if got := r.client.Topology.Get("c"); got.AddonsKnown() || got.NodeGroupZones != 0 {
		t.Fatalf("unknown add-ons and no node groups: got %v, %d zones", got.Addons, got.NodeGroupZones)
	}
}
