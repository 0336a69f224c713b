package cluster

import (
	"context"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
	"github.com/terrax/terraform-provider-fargate/provider/internal/selectors"
	"github.com/terrax/terraform-provider-fargate/provider/internal/tagging"
)

// Flatten functions turn what AWS reports into Terraform values. A state
// must hold no unknown values, so what is neither observed nor configured
// becomes null.

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// known returns v when it is known, else null of its type.
func known(v types.String) types.String {
	if v.IsUnknown() {
		return types.StringNull()
	}
	return v
}

func stringList(ss []string) types.List {
	if ss == nil {
		ss = []string{}
	}
	v, _ := types.ListValueFrom(context.Background(), types.StringType, ss)
	return v
}

func stringSetOf(ss []string) types.Set {
	if ss == nil {
		ss = []string{}
	}
	v, _ := types.SetValueFrom(context.Background(), types.StringType, ss)
	return v
}

// labelsMap maps an empty or missing label set to null, as a configuration
// that sets no labels reads.
func labelsMap(m map[string]string) types.Map {
	if len(m) == 0 {
		return types.MapNull(types.StringType)
	}
	v, _ := types.MapValueFrom(context.Background(), types.StringType, m)
	return v
}

func flattenNodegroup(ng *ekstypes.Nodegroup) nodeGroupModel {
	m := nodeGroupModel{
		InstanceTypes: stringList(ng.InstanceTypes),
		CapacityType:  stringOrNull(string(ng.CapacityType)),
		AMIType:       stringOrNull(string(ng.AmiType)),
		DiskSize:      types.Int64Null(),
		Labels:        labelsMap(ng.Labels),
		SubnetIDs:     stringSetOf(ng.Subnets),
		ARN:           stringOrNull(aws.ToString(ng.NodegroupArn)),
		Status:        stringOrNull(string(ng.Status)),
	}
	if ng.DiskSize != nil {
		m.DiskSize = types.Int64Value(int64(*ng.DiskSize))
	}
	if sc := ng.ScalingConfig; sc != nil {
		m.DesiredSize = types.Int64Value(int64(aws.ToInt32(sc.DesiredSize)))
		m.MinSize = types.Int64Value(int64(aws.ToInt32(sc.MinSize)))
		m.MaxSize = types.Int64Value(int64(aws.ToInt32(sc.MaxSize)))
	}
	return m
}

func flattenProfile(ctx context.Context, fp *ekstypes.FargateProfile) (fargateProfileModel, diag.Diagnostics) {
	list, diags := selectors.Flatten(ctx, fp.Selectors)
	return fargateProfileModel{
		Selectors: list,
		SubnetIDs: stringSetOf(fp.Subnets),
		ARN:       stringOrNull(aws.ToString(fp.FargateProfileArn)),
		Status:    stringOrNull(string(fp.Status)),
	}, diags
}

// mapOf builds a nested-object map, null when empty and base was null (no
// node groups configured) so that state matches configuration.
func mapOf[T any](ctx context.Context, elem types.ObjectType, items map[string]T, base types.Map) (types.Map, diag.Diagnostics) {
	if len(items) == 0 && (base.IsNull() || base.IsUnknown()) {
		return types.MapNull(elem), nil
	}
	return types.MapValueFrom(ctx, elem, items)
}

// toModel writes what was observed over base (the plan, or the prior
// state), keeping what only the configuration knows.
func toModel(ctx context.Context, ob observed.Snapshot, base clusterModel, defaultTags map[string]string) (clusterModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	m := base
	m.ID = m.Name
	if m.CoreDNSComputeType.IsNull() || m.CoreDNSComputeType.IsUnknown() {
		m.CoreDNSComputeType = types.StringValue("auto") // after an import
	}

	// The cluster.
	m.ARN, m.Endpoint, m.CertificateAuthority = known(m.ARN), known(m.Endpoint), known(m.CertificateAuthority)
	m.OIDCIssuerURL, m.Status, m.PlatformVersion = known(m.OIDCIssuerURL), known(m.Status), known(m.PlatformVersion)
	m.ClusterSecurityGroupID, m.KubernetesVersion = known(m.ClusterSecurityGroupID), known(m.KubernetesVersion)
	if m.PublicAccessCIDRs.IsUnknown() {
		m.PublicAccessCIDRs = types.SetNull(types.StringType)
	}
	tagsAll := map[string]string{}
	if !m.TagsAll.IsUnknown() && !m.TagsAll.IsNull() {
		diags.Append(m.TagsAll.ElementsAs(ctx, &tagsAll, false)...)
	}
	if c := ob.Cluster; c != nil {
		m.ARN = stringOrNull(aws.ToString(c.Arn))
		m.Endpoint = stringOrNull(aws.ToString(c.Endpoint))
		if c.CertificateAuthority != nil {
			m.CertificateAuthority = stringOrNull(aws.ToString(c.CertificateAuthority.Data))
		}
		if c.Identity != nil && c.Identity.Oidc != nil {
			m.OIDCIssuerURL = stringOrNull(aws.ToString(c.Identity.Oidc.Issuer))
		}
		m.Status = stringOrNull(string(c.Status))
		m.PlatformVersion = stringOrNull(aws.ToString(c.PlatformVersion))
		m.KubernetesVersion = stringOrNull(aws.ToString(c.Version))
		if v := c.ResourcesVpcConfig; v != nil {
			m.EndpointPublicAccess = types.BoolValue(v.EndpointPublicAccess)
			m.EndpointPrivateAccess = types.BoolValue(v.EndpointPrivateAccess)
			if len(v.PublicAccessCidrs) > 0 {
				m.PublicAccessCIDRs = stringSetOf(v.PublicAccessCidrs)
			}
			m.ClusterSecurityGroupID = stringOrNull(aws.ToString(v.ClusterSecurityGroupId))
		}
		if ob.Roles.Cluster == "" {
			ob.Roles.Cluster = aws.ToString(c.RoleArn)
		}
		tagsAll = maps.Clone(c.Tags)
		delete(tagsAll, owned.Tag) // the provider's own bookkeeping
	}
	m.TagsAll, m.Tags = tagging.Flatten(ctx, tagsAll, m.Tags, defaultTags)

	// Roles: what was made or seen, else what was configured.
	for _, ng := range ob.NodeGroups {
		if ob.Roles.Node == "" {
			ob.Roles.Node = aws.ToString(ng.NodeRole)
		}
	}
	for _, fp := range ob.Profiles {
		if ob.Roles.PodExecution == "" {
			ob.Roles.PodExecution = aws.ToString(fp.PodExecutionRoleArn)
		}
	}
	m.ClusterRoleARN = orKnown(ob.Roles.Cluster, m.ClusterRoleARN)
	m.NodeRoleARN = orKnown(ob.Roles.Node, m.NodeRoleARN)
	m.PodExecutionRoleARN = orKnown(ob.Roles.PodExecution, m.PodExecutionRoleARN)
	for _, kind := range ob.GoneRoles {
		switch kind {
		case roles.Cluster.Name:
			m.ClusterRoleARN = types.StringNull()
		case roles.Node.Name:
			m.NodeRoleARN = types.StringNull()
		case roles.PodExecution.Name:
			m.PodExecutionRoleARN = types.StringNull()
		}
	}

	// The network.
	n := ob.Network
	nm := networkModel{
		VPCCIDR:           stringOrNull(n.VPCCIDR),
		SubnetIDs:         types.SetNull(types.StringType),
		AvailabilityZones: stringList(n.AZs),
		VPCID:             stringOrNull(n.VPCID),
		PublicSubnetIDs:   stringList(n.Public),
		PrivateSubnetIDs:  stringList(n.Private),
	}
	if len(n.SubnetIDs) > 0 {
		nm.SubnetIDs = stringSetOf(n.SubnetIDs)
	}
	var d diag.Diagnostics
	m.Network, d = types.ObjectValueFrom(ctx, networkAttrTypes, nm)
	diags.Append(d...)

	// Node groups and profiles: all that exist.
	ngs := map[string]nodeGroupModel{}
	for name, ng := range ob.NodeGroups {
		ngs[name] = flattenNodegroup(ng)
	}
	diags.Append(hardenNodegroups(ctx, ob, base.NodeGroups, ngs)...)
	m.NodeGroups, d = mapOf(ctx, nodeGroupObject, ngs, base.NodeGroups)
	diags.Append(d...)
	fps := map[string]fargateProfileModel{}
	for name, fp := range ob.Profiles {
		fps[name], d = flattenProfile(ctx, fp)
		diags.Append(d...)
	}
	m.FargateProfiles, d = mapOf(ctx, fargateProfileObject, fps, base.FargateProfiles)
	diags.Append(d...)

	// Add-ons and pod credentials.
	m.Addons, d = flattenAddons(ctx, ob.Addons, ob.Roles.EBSCSI, base.Addons)
	diags.Append(d...)
	if m.OIDCProvider.IsNull() || m.OIDCProvider.IsUnknown() {
		m.OIDCProvider = types.BoolValue(true) // after an import
	}
	m.OIDCProviderARN = stringOrNull(ob.OIDCProvider)
	diags.Append(flattenAccess(ctx, ob, &m, base.AccessEntries)...)
	diags.Append(flattenSecurity(ctx, ob, &m)...)
	diags.Append(flattenLBC(ctx, ob, &m)...)
	return m, diags
}

func orKnown(observed string, base types.String) types.String {
	if observed != "" {
		return types.StringValue(observed)
	}
	return known(base)
}
