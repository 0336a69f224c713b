package cluster

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/addons"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
)

// privateNoCluster marks, in private state, a resource whose EKS cluster
// does not exist (its creation failed before the cluster was made, or the
// cluster was deleted outside Terraform) while roles or network it made do.
const privateNoCluster = "no_cluster"

func (r *Resource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state clusterModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if noCluster, d := req.Private.GetKey(ctx, privateNoCluster); len(noCluster) > 0 || d.HasError() {
		resp.Diagnostics.Append(d...)
		return // the state holds only roles and network; they are kept for destroy to remove
	}
	op, d := r.run(ctx, state)
	resp.Diagnostics.Append(d...)
	ob, err := op.observe(ctx, state)
	if apierr.NotFound(err) {
		left, lerr := op.leftovers(ctx)
		if lerr != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Reading EKS cluster %q failed", op.name), "The cluster is gone; looking for what it left: "+lerr.Error())
			return
		}
		if len(left) == 0 {
			resp.Diagnostics.AddWarning(fmt.Sprintf("EKS cluster %q is gone", op.name),
				"The cluster no longer exists in AWS, so it was removed from the Terraform state; the next apply creates it again.")
			resp.State.RemoveResource(ctx)
			return
		}
		// Dropping the resource would leak what is left; keep it so that
		// destroy deletes it, and so that apply replaces the whole.
		resp.Diagnostics.AddWarning(fmt.Sprintf("EKS cluster %q is gone, but not all it used", op.name),
			fmt.Sprintf("The cluster no longer exists in AWS; what this resource made for it is still there (%s). "+
				"It stays in the Terraform state: `terraform destroy` deletes it, `terraform apply` replaces it with a new cluster.", strings.Join(left, ", ")))
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateNoCluster, []byte(`true`))...)
		state.ARN = types.StringNull() // no cluster of this resource's to delete
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Reading EKS cluster %q failed", op.name), err.Error())
		return
	}
	newState, d := toModel(ctx, ob.Snapshot(), state, r.client.DefaultTags)
	resp.Diagnostics.Append(d...)
	newState = withExclusiveDefault(newState)
	resp.Diagnostics.Append(resp.State.Set(ctx, &newState)...)
}

// observe reads the cluster, all its node groups and all its profiles. The
// network comes from the state, or, after an import, from AWS.
func (r *run) observe(ctx context.Context, m clusterModel) (*observed.Record, error) {
	c, err := r.controlPlane.Find(ctx)
	if err != nil {
		return nil, err
	}
	ob := observed.New()
	ob.SetCluster(c)
	net, d := networkFromModel(ctx, m)
	if d.HasError() {
		return nil, fmt.Errorf("reading the network from state: %v", d)
	}
	if m.Network.IsNull() {
		var subnets []string
		if c.ResourcesVpcConfig != nil {
			subnets = c.ResourcesVpcConfig.SubnetIds
		}
		if net, err = r.network.Discover(ctx, subnets); err != nil {
			return nil, err
		}
	}
	ob.SetNetwork(net)
	ob.UpdateRoles(func(ro *observed.Roles) {
		*ro = observed.Roles{Node: known(m.NodeRoleARN).ValueString(), PodExecution: known(m.PodExecutionRoleARN).ValueString()}
	})
	knownTemplates(ctx, ob, m)
	names, d := accessNames(ctx, m.AccessEntries)
	if d.HasError() {
		return nil, fmt.Errorf("reading the access entries from state: %v", d)
	}
	// The rest needs only the cluster: read all at once, so a refresh takes
	// its longest chain of calls rather than their sum.
	err = graph(ctx,
		task{"read IAM roles", nil, func(ctx context.Context) error { return r.observeRoles(ctx, ob, m) }},
		task{"read node groups and profiles", nil, func(ctx context.Context) error {
			if err := r.children.Observe(ctx, ob); err != nil {
				return err
			}
			if !exclusiveProfiles(m) {
				leaveForeignProfiles(ob, r.owner, m.FargateProfiles)
			}
			return nil
		}},
		task{"read add-ons", nil, func(ctx context.Context) error {
			if err := r.addons.Observe(ctx, ob); err != nil {
				return err
			}
			if a := ob.Snapshot().Addons[addons.EBSCSIDriver]; a != nil && isMadeRole(aws.ToString(a.ServiceAccountRoleArn), r.owner.RoleName(roles.EBSCSI.Name)) {
				ob.UpdateRoles(func(ro *observed.Roles) { ro.EBSCSI = aws.ToString(a.ServiceAccountRoleArn) })
			}
			return nil
		}},
		task{"read access entries", nil, func(ctx context.Context) error { return r.access.Observe(ctx, ob, names) }},
		task{"read logs and encryption", nil, func(ctx context.Context) error { return r.observeSecurity(ctx, ob, m) }},
		task{"read the AWS Load Balancer Controller", nil, func(ctx context.Context) error { return r.observeLBC(ctx, ob, m) }},
		// The OIDC provider, unless turned off: one deleted outside Terraform
		// shows in the plan, and an imported cluster's is found.
		task{"read OIDC provider", nil, func(ctx context.Context) error {
			if !m.OIDCProvider.IsNull() && !m.OIDCProvider.ValueBool() {
				return nil
			}
			arn, err := r.oidc.Find(ctx, issuerOf(ob))
			if err == nil {
				ob.SetOIDCProvider(arn)
			}
			return err
		}},
	)
	if err != nil {
		return nil, err
	}
	return ob, nil
}

// observeRoles: a role this resource made and someone deleted shows as
// gone, so the plan says so and the apply makes it again.
func (r *run) observeRoles(ctx context.Context, ob *observed.Record, m clusterModel) error {
	for _, role := range []struct {
		kind roles.Kind
		arn  types.String
	}{{roles.Cluster, m.ClusterRoleARN}, {roles.Node, m.NodeRoleARN}, {roles.PodExecution, m.PodExecutionRoleARN}} {
		gone, err := r.roles.MadeAndGone(ctx, role.kind, role.arn.ValueString())
		if err != nil {
			return err
		}
		if gone {
			ob.AddGoneRole(role.kind.Name)
		}
	}
	return nil
}

// knownTemplates records the launch template versions the state read last.
func knownTemplates(ctx context.Context, ob *observed.Record, m clusterModel) {
	var ngs map[string]nodeGroupModel
	if m.NodeGroups.IsNull() || m.NodeGroups.IsUnknown() || m.NodeGroups.ElementsAs(ctx, &ngs, false).HasError() {
		return
	}
	for name, ng := range ngs {
		children.KnownTemplate(ob, name, ng.LaunchTemplateID.ValueString(), ng.LaunchTemplateVersion.ValueString(), ng.DiskSize.ValueInt64())
	}
}

// leftovers names what this resource made that exists without its cluster:
// VPCs, roles and OIDC providers carrying the cluster's owner tag.
func (r *run) leftovers(ctx context.Context) ([]string, error) {
	var left []string
	for _, part := range []func(context.Context) ([]string, error){r.network.Leftovers, r.roles.Leftovers, r.oidc.Leftovers} {
		l, err := part(ctx)
		if err != nil {
			return nil, err
		}
		left = append(left, l...)
	}
	return left, nil
}

func ignoreNotFound(err error) error {
	if apierr.NotFound(err) {
		return nil
	}
	return err
}

func (r *Resource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("tags_all"), types.MapNull(types.StringType))...)
}
