package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
)

// EKS's limits (Amazon EKS service quotas,
// https://docs.aws.amazon.com/eks/latest/userguide/service-quotas.html).
const (
	maxProfilesPerCluster  = 10
	maxSelectorsPerProfile = 5
)

// refusal is an EKS error answer.
type refusal struct {
	status    int
	code, msg string
}

func invalidParameter(format string, a ...any) *refusal {
	return &refusal{http.StatusBadRequest, "InvalidParameterException", fmt.Sprintf(format, a...)}
}

func inUse(format string, a ...any) *refusal {
	return &refusal{http.StatusConflict, "ResourceInUseException", fmt.Sprintf(format, a...)}
}

// eksValidate refuses, with EKS's error, a request EKS validates itself and
// moto lets through. It calls moto, so the caller must not hold s.mu.
func (s *Server) eksValidate(ctx context.Context, c awsproxy.Call, body map[string]any) *refusal {
	str := func(k string) string { v, _ := body[k].(string); return v }
	switch c.Op {
	case "CreateCluster":
		if l := s.lifecycleOf("cluster", str("name"), ""); l != nil && l.deleting(time.Now()) {
			return inUse("Cluster already exists with name: %s", str("name"))
		}
		if r := s.roleUsable(ctx, str("roleArn"), "roleArn"); r != nil {
			return r
		}
		vpc, _ := body["resourcesVpcConfig"].(map[string]any)
		return s.clusterSubnets(ctx, strs(vpc["subnetIds"]))
	case "CreateNodegroup":
		return first(s.notActive(c.Cluster),
			func() *refusal { return s.reused("nodegroup", c.Cluster, str("nodegroupName")) },
			func() *refusal { return s.roleUsable(ctx, str("nodeRole"), "nodeRole") },
			func() *refusal {
				return s.nodegroupVersionIsCluster(ctx, c.Cluster, str("version"), body["launchTemplate"] != nil)
			})
	case "CreateFargateProfile":
		return first(s.notActive(c.Cluster),
			func() *refusal { return s.reused("fargateprofile", c.Cluster, str("fargateProfileName")) },
			func() *refusal { return s.profileLimits(ctx, c.Cluster, body) },
			func() *refusal { return s.roleUsable(ctx, str("podExecutionRoleArn"), "podExecutionRoleArn") },
			func() *refusal { return s.privateSubnets(ctx, strs(body["subnets"])) })
	case "CreateAddon":
		return s.notActive(c.Cluster)
	case "DeleteCluster":
		return s.clusterInUse(ctx, c.Cluster)
	}
	return nil
}

// first is the first refusal: r, then each check in turn.
func first(r *refusal, checks ...func() *refusal) *refusal {
	for _, f := range checks {
		if r != nil {
			return r
		}
		r = f()
	}
	return r
}

func (s *Server) lifecycleOf(kind, cluster, name string) *lifecycle {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[objKey(kind, cluster, name)]
}

// notActive: EKS makes node groups, profiles and add-ons only on an ACTIVE
// cluster (InvalidRequestException, as moto's own message says).
func (s *Server) notActive(cluster string) *refusal {
	s.mu.Lock()
	cl, l := s.clusters[cluster], s.objects[objKey("cluster", cluster, "")]
	s.mu.Unlock()
	now := time.Now()
	if cl == nil || l == nil { // not made through localeks: moto answers
		return nil
	}
	if cl.failed() != nil || l.creating(now) || l.deleting(now) {
		return &refusal{http.StatusBadRequest, "InvalidRequestException", fmt.Sprintf("Cluster '%s' is not in ACTIVE status", cluster)}
	}
	return nil
}

// reused: a name stays taken while its object is DELETING (moto forgets it at once).
func (s *Server) reused(kind, cluster, name string) *refusal {
	l := s.lifecycleOf(kind, cluster, name)
	if l == nil || !l.deleting(time.Now()) {
		return nil
	}
	if kind == "nodegroup" {
		return inUse("NodeGroup already exists with name %s and cluster name %s", name, cluster)
	}
	return inUse("A Fargate Profile already exists with this name in this cluster.")
}

// deletingChildren counts the cluster's node groups or profiles still DELETING.
func (s *Server) deletingChildren(kind, cluster string) (names []string) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.objects {
		if l.Kind == kind && l.Cluster == cluster && l.deleting(now) {
			names = append(names, l.Name)
		}
	}
	return names
}

// clusterInUse: EKS deletes a cluster only once its node groups and Fargate
// profiles are gone, DELETING ones included (moto checks only node groups it still has).
func (s *Server) clusterInUse(ctx context.Context, cluster string) *refusal {
	if len(s.deletingChildren("nodegroup", cluster)) > 0 {
		return inUse("Cluster has nodegroups attached")
	}
	if fps, err := s.eks.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: aws.String(cluster)}); err == nil && len(fps.FargateProfileNames) > 0 {
		return inUse("Cluster has Fargate Profiles in ACTIVE/CREATING state")
	}
	if len(s.deletingChildren("fargateprofile", cluster)) > 0 {
		return inUse("Cluster has Fargate Profiles in DELETING state")
	}
	return nil
}

// profileLimits: at most 10 profiles per cluster and 5 selectors per
// profile (moto checks the 5 labels per selector).
func (s *Server) profileLimits(ctx context.Context, cluster string, body map[string]any) *refusal {
	if sel, _ := body["selectors"].([]any); len(sel) > maxSelectorsPerProfile {
		return invalidParameter("Request contains more than %d Selectors", maxSelectorsPerProfile)
	}
	fps, err := s.eks.ListFargateProfiles(ctx, &eks.ListFargateProfilesInput{ClusterName: aws.String(cluster)})
	if err != nil {
		return nil
	}
	if n := len(fps.FargateProfileNames) + len(s.deletingChildren("fargateprofile", cluster)); n >= maxProfilesPerCluster {
		return &refusal{http.StatusBadRequest, "ResourceLimitExceededException",
			fmt.Sprintf("Cluster %s already has %d Fargate Profiles, the maximum per cluster is %d", cluster, n, maxProfilesPerCluster)}
	}
	return nil
}

// nodegroupVersionIsCluster: "By default, the Kubernetes version of the
// cluster is used, and this is the only accepted specified value"
// (CreateNodegroup, EKS API reference), unless a launch template brings a
// custom AMI. The cluster's version is the one localeks has upgraded it to.
func (s *Server) nodegroupVersionIsCluster(ctx context.Context, cluster, version string, launchTemplate bool) *refusal {
	if version == "" || launchTemplate {
		return nil
	}
	cv := s.clusterVersion(ctx, cluster)
	if cv == "" || cv == version {
		return nil
	}
	return invalidParameter("Requested Nodegroup version %s is invalid. Allowed values: %s (the version of cluster %s)", version, cv, cluster)
}

// roleService is the service principal each role field must trust, and
// what EKS answers while it cannot use the role.
var roleService = map[string]struct {
	service  string
	refused  string
	upcoming []string // further messages while IAM propagates, in turn
}{
	"roleArn":  {"eks.amazonaws.com", couldNotAssume, nil},
	"nodeRole": {"", couldNotAssume, []string{"The role with name %[2]s cannot be found."}},
	"podExecutionRoleArn": {"eks-fargate-pods.amazonaws.com",
		"Misconfigured PodExecutionRole Trust Policy; Please add the eks-fargate-pods.amazonaws.com Service Principal", nil},
}

const couldNotAssume = "Role with arn: %[1]s, could not be assumed because it does not exist or the trusted entity is not correct"

// roleUsable: the role must exist and trust its service; one IAM made less
// than the shaped IAM propagation ago is refused as EKS refuses a role it
// cannot see yet, each field with EKS's message for it.
func (s *Server) roleUsable(ctx context.Context, arn, field string) *refusal {
	rs := roleService[field]
	refused := invalidParameter(rs.refused, arn, roleName(arn))
	if arn == "" {
		return nil
	}
	s.mu.Lock()
	created, ok := s.roles[arn]
	propagating := ok && time.Since(created) < s.Shaper.Get().IAMPropagation.Duration
	n := s.refusals[field+" "+arn]
	if propagating {
		s.refusals[field+" "+arn]++
	}
	s.mu.Unlock()
	if propagating {
		s.count("localeks:iam-propagation-refusals")
		if msgs := append([]string{rs.refused}, rs.upcoming...); n%len(msgs) > 0 {
			return invalidParameter(msgs[n%len(msgs)], arn, roleName(arn))
		}
		return refused
	}
	if rs.service == "" {
		return nil // node roles: only their propagation is modelled
	}
	role, err := s.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName(arn))})
	if err != nil {
		if errors.As(err, new(*iamtypes.NoSuchEntityException)) {
			if field == "podExecutionRoleArn" {
				return invalidParameter("The role with name %s cannot be found.", roleName(arn))
			}
			return refused
		}
		return nil
	}
	trust, err := parsePolicy(aws.ToString(role.Role.AssumeRolePolicyDocument))
	if err != nil {
		return refused
	}
	for _, st := range trust.Statement {
		p, _ := st.Principal.(map[string]any)
		if strings.EqualFold(st.Effect, "Allow") && matchesAny(strs(st.Action), "sts:AssumeRole") && slices.Contains(strs(p["Service"]), rs.service) {
			return nil
		}
	}
	return refused
}

// subnets are the subnets EC2 knows of the IDs, in their order; ok is
// false when some are unknown (moto accepts any ID, and localeks does not
// model EKS refusing unknown subnets). One call for all, one at a time
// only when that fails (an unknown ID fails the whole call).
func (s *Server) subnets(ctx context.Context, ids []string) (out []ec2types.Subnet, ok bool) {
	if d, err := s.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: ids}); err == nil && len(ids) > 0 && len(d.Subnets) == len(ids) {
		for _, id := range ids {
			i := slices.IndexFunc(d.Subnets, func(sn ec2types.Subnet) bool { return aws.ToString(sn.SubnetId) == id })
			if i < 0 {
				break
			}
			out = append(out, d.Subnets[i])
		}
		if len(out) == len(ids) {
			return out, true
		}
		out = nil
	}
	for _, id := range ids {
		d, err := s.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{id}})
		if err != nil || len(d.Subnets) == 0 {
			return out, false
		}
		out = append(out, d.Subnets[0])
	}
	return out, true
}

// clusterSubnets: "You must specify at least two subnets in different
// Availability Zones" (EKS user guide, VPC and subnet requirements).
func (s *Server) clusterSubnets(ctx context.Context, ids []string) *refusal {
	sns, ok := s.subnets(ctx, ids)
	if !ok || len(ids) == 0 { // unknown subnets or none: not modelled, moto answers
		return nil
	}
	zones := map[string]bool{}
	for _, sn := range sns {
		zones[aws.ToString(sn.AvailabilityZone)] = true
	}
	if len(zones) < 2 {
		return invalidParameter("Subnets specified must be in at least two different AZs")
	}
	return nil
}

// privateSubnets: "only private subnets (with no direct route to an
// Internet Gateway) are accepted" (CreateFargateProfile, EKS API reference).
func (s *Server) privateSubnets(ctx context.Context, ids []string) *refusal {
	sns, _ := s.subnets(ctx, ids)
	tables := map[string][]ec2types.RouteTable{} // by VPC, each read once
	for _, sn := range sns {
		vpc := aws.ToString(sn.VpcId)
		if _, ok := tables[vpc]; !ok {
			rts, err := s.ec2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
			if err != nil {
				continue
			}
			tables[vpc] = rts.RouteTables
		}
		if routesToInternetGateway(tables[vpc], aws.ToString(sn.SubnetId)) {
			return invalidParameter("Subnet %s provided in Fargate Profile is not a private subnet", aws.ToString(sn.SubnetId))
		}
	}
	return nil
}

// routesToInternetGateway reads the subnet's route table among its VPC's:
// its own association, else the VPC's main table.
func routesToInternetGateway(tables []ec2types.RouteTable, subnet string) bool {
	associated := func(main bool) func(ec2types.RouteTable) bool {
		return func(rt ec2types.RouteTable) bool {
			return slices.ContainsFunc(rt.Associations, func(a ec2types.RouteTableAssociation) bool {
				return (main && aws.ToBool(a.Main)) || (!main && aws.ToString(a.SubnetId) == subnet)
			})
		}
	}
	i := slices.IndexFunc(tables, associated(false))
	if i < 0 {
		i = slices.IndexFunc(tables, associated(true))
	}
	if i < 0 {
		return false
	}
	return slices.ContainsFunc(tables[i].Routes, func(r ec2types.Route) bool { return strings.HasPrefix(aws.ToString(r.GatewayId), "igw-") })
}
