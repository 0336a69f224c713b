package cluster

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/addons"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/incluster"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
)

// An add-on's version: as configured; else kept while kubernetes_version
// stays; else (a new add-on, or a Kubernetes upgrade) EKS's default, known
// at apply.
func TestPlannedVersion(t *testing.T) {
	v, null, unknown := types.StringValue, types.StringNull(), types.StringUnknown()
	for _, c := range []struct {
		name          string
		config, prior types.String
		k8sChanged    bool
		want          types.String
	}{
		{"configured", v("v1.2"), v("v1.1"), false, v("v1.2")},
		{"configured, upgrade", v("v1.2"), v("v1.1"), true, v("v1.2")},
		{"kept", null, v("v1.1"), false, v("v1.1")},
		{"follows the upgrade", null, v("v1.1"), true, unknown},
		{"new add-on", null, null, false, unknown},
	} {
		if got := plannedVersion(c.config, c.prior, c.k8sChanged); !got.Equal(c.want) {
			t.Errorf("%s: planned %s, want %s", c.name, got, c.want)
		}
	}
}

// Unset `addons` plans the three add-ons EKS installs, each at the version
// the state has while kubernetes_version stays.
func TestPlanAddons_defaults(t *testing.T) {
	ctx := context.Background()
	state, _ := types.MapValueFrom(ctx, addonObject, map[string]addonModel{
		"coredns": {Version: types.StringValue("v1.12.1-eksbuild.2"), ConfigurationValues: types.StringNull(), ServiceAccountRoleARN: types.StringNull()},
		"by-hand": {Version: types.StringValue("v1"), ConfigurationValues: types.StringNull(), ServiceAccountRoleARN: types.StringNull()},
	})
	plan, d := planAddons(ctx, types.MapNull(addonObject), state, false)
	if d.HasError() {
		t.Fatal(d)
	}
	got := map[string]addonModel{}
	plan.ElementsAs(ctx, &got, false)
	if len(got) != 3 || got["coredns"].Version.ValueString() != "v1.12.1-eksbuild.2" || !got["vpc-cni"].Version.IsUnknown() || !got["kube-proxy"].Version.IsUnknown() {
		t.Fatalf("planned add-ons: %v", got)
	}
	if _, ok := got["by-hand"]; ok {
		t.Fatalf("an add-on made outside Terraform should be planned for removal: %v", got)
	}
	if plan, _ := planAddons(ctx, types.MapUnknown(addonObject), state, false); !plan.IsUnknown() {
		t.Fatalf("unknown configuration should plan unknown add-ons, got %v", plan)
	}
}

// CoreDNS gets coredns_compute_type's placement in its configuration; the
// EBS CSI driver without a role gets the Pod Identity agent when there are
// node groups, and nothing when its role is given.
func TestDesiredAddons(t *testing.T) {
	set := addons.Set{"coredns": {Config: `{"replicaCount":3}`}, "aws-ebs-csi-driver": {}}
	got := desiredAddons(set, incluster.CoreDNSFargate, 1)
	if got["coredns"].Config != `{"computeType":"Fargate","replicaCount":3}` {
		t.Errorf("coredns configuration: %s", got["coredns"].Config)
	}
	if _, ok := got[addons.PodIdentityAgent]; !ok {
		t.Errorf("no Pod Identity agent with the EBS CSI driver on a node group: %v", got)
	}
	if set["coredns"].Config != `{"replicaCount":3}` {
		t.Errorf("desiredAddons changed its input: %v", set)
	}
	withRole := desiredAddons(addons.Set{"aws-ebs-csi-driver": {RoleARN: "arn:aws:iam::123456789012:role/ebs"}}, incluster.CoreDNSEC2, 1)
	if _, ok := withRole[addons.PodIdentityAgent]; ok {
		t.Errorf("a given role needs no Pod Identity agent: %v", withRole)
	}
}

// The EBS CSI driver on a cluster without node groups is refused at plan,
// on addons["aws-ebs-csi-driver"]; with a node group it is not.
func TestEBSNeedsNodeGroups(t *testing.T) {
	ctx := context.Background()
	var sresp resource.SchemaResponse
	(&Resource{}).Schema(ctx, resource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	config := func(nodeGroups bool) tfsdk.Config {
		vals := map[string]tftypes.Value{}
		for n, at := range typ.AttributeTypes {
			vals[n] = tftypes.NewValue(at, nil)
		}
		addonsType := typ.AttributeTypes["addons"].(tftypes.Map)
		vals["addons"] = tftypes.NewValue(addonsType, map[string]tftypes.Value{addons.EBSCSIDriver: tftypes.NewValue(addonsType.ElementType, nil)})
		if nodeGroups {
			ngType := typ.AttributeTypes["node_groups"].(tftypes.Map)
			vals["node_groups"] = tftypes.NewValue(ngType, map[string]tftypes.Value{"ng": tftypes.NewValue(ngType.ElementType, nil)})
		}
		return tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, vals)}
	}
	var resp resource.ValidateConfigResponse
	ebsNeedsNodeGroups{}.ValidateResource(ctx, resource.ValidateConfigRequest{Config: config(false)}, &resp)
	want := path.Root("addons").AtMapKey(addons.EBSCSIDriver)
	if resp.Diagnostics.ErrorsCount() != 1 {
		t.Fatalf("want one error, got %v", resp.Diagnostics)
	}
	if d, ok := resp.Diagnostics.Errors()[0].(diag.DiagnosticWithPath); !ok || !d.Path().Equal(want) {
		t.Fatalf("the error is not on %s: %v", want, resp.Diagnostics)
	}
	resp = resource.ValidateConfigResponse{}
	ebsNeedsNodeGroups{}.ValidateResource(ctx, resource.ValidateConfigRequest{Config: config(true)}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("refused with a node group: %v", resp.Diagnostics)
	}
}

// A Kubernetes upgrade takes the add-ons to the new version after the
// control plane is ACTIVE at it and before the node groups start.
func TestUpgradeVersionOrdering_addons(t *testing.T) {
	f := newFakeEKS(2)
	f.cluster = &fakeObj{status: "ACTIVE"}
	o, _ := fakeRun(t, f)
	ob := observed.New()
	f.nodegroups["ng-a"] = &fakeObj{status: "ACTIVE"}
	ob.SetNodegroup("ng-a", &ekstypes.Nodegroup{NodegroupName: aws.String("ng-a")})
	addonsStep := step{"add-ons", func(context.Context) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.log = append(f.log, "add-ons")
		return nil
	}}
	if err := o.upgradeVersion(context.Background(), ob, "1.36", addonsStep); err != nil {
		t.Fatalf("upgradeVersion: %v\nlog: %v", err, f.log)
	}
	cp, add, ng := index(f.log, "update cluster ACTIVE"), index(f.log, "add-ons"), index(f.log, "upgrade ng-a")
	if cp < 0 || add < cp || ng < add {
		t.Fatalf("want control plane, then add-ons, then node groups: %v", f.log)
	}
}

// An upgrade an interrupted apply already made is not sent again: EKS
// refuses one to the version the cluster has ("Unsupported Kubernetes minor
// version update from 1.35 to 1.35").
func TestUpgradeVersion_alreadyThere(t *testing.T) {
	f := newFakeEKS(2)
	f.cluster = &fakeObj{status: "ACTIVE"} // the fake's cluster is at 1.35
	o, _ := fakeRun(t, f)
	if err := o.upgradeVersion(context.Background(), observed.New(), "1.35"); err != nil {
		t.Fatalf("upgradeVersion: %v\nlog: %v", err, f.log)
	}
	if i := index(f.log, "upgrade cluster"); i >= 0 {
		t.Fatalf("sent an upgrade to the version the cluster has: %v", f.log)
	}
}
