//go:build bench

package bench_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// awsPeer models a configuration of terraform-provider-aws resources for the
// same topology, with terraform-aws-modules/vpc for the network (three
// zones, public and private subnets, one NAT gateway, as this provider
// makes): the resource graph Terraform walks, each resource's Create (the
// call, its waiter, then its Read, as the SDKv2 resources do), Read (on
// refresh) and Delete (the call and its waiter), from the sources cited in
// bench/README.md. Fargate profiles take a per-cluster mutex
// (fargate_profile.go), as EKS allows one profile operation at a time.
type awsPeer struct {
	c       *awsClients
	cluster string
	cidr    string
	tp      topology
	zones   []string

	// nodeRoleSuffix names the node role apart: eksctl makes one per node
	// group stack, a Terraform configuration usually one for all.
	nodeRoleSuffix string

	mu        sync.Mutex
	ids       map[string]string
	profileMu sync.Mutex
}

// with is a copy of the peer that makes its calls with c and names its node
// role with suffix; it starts from what the peer has made so far.
func (p *awsPeer) with(c *awsClients, suffix string) *awsPeer {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := &awsPeer{c: c, cluster: p.cluster, cidr: p.cidr, tp: p.tp, zones: p.zones, nodeRoleSuffix: suffix, ids: map[string]string{}}
	for k, v := range p.ids {
		q.ids[k] = v
	}
	return q
}

func newAWSPeer(c *awsClients, cluster, cidr string, tp topology) *awsPeer {
	return &awsPeer{c: c, cluster: cluster, cidr: cidr, tp: tp, ids: map[string]string{}}
}

func (p *awsPeer) set(k, v string) { p.mu.Lock(); p.ids[k] = v; p.mu.Unlock() }
func (p *awsPeer) id(k string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ids[k]
}

// resource is one Terraform resource of the peer's configuration.
type resource struct {
	name   string
	deps   []string
	create func(context.Context) error
	read   func(context.Context) error
	delete func(context.Context) error
}

func (p *awsPeer) subnetNames(kind string) []string {
	var out []string
	for i := range 3 {
		out = append(out, fmt.Sprintf("subnet.%s[%d]", kind, i))
	}
	return out
}

// resources is the peer's configuration, in no particular order: Terraform
// orders it by the dependencies.
func (p *awsPeer) resources() []resource {
	e, k, i := p.c.ec2, p.c.eks, p.c.iam
	rs := []resource{
		{name: "data.aws_availability_zones", create: p.readZones, read: p.readZones},
		{name: "vpc", create: p.createVPC, read: p.readVPC, delete: func(ctx context.Context) error {
			return p.retryDependency(ctx, func(ctx context.Context) error {
				_, err := e.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: str(p.id("vpc"))})
				return err
			})
		}},
		{name: "igw", deps: []string{"vpc"}, create: p.createIGW, read: p.describeIGW, delete: p.deleteIGW},
		{name: "eip", deps: []string{"igw"}, create: func(ctx context.Context) error {
			out, err := e.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
			if err != nil {
				return err
			}
			p.set("eip", aws.ToString(out.AllocationId))
			return p.describeEIP(ctx)
		}, read: p.describeEIP, delete: func(ctx context.Context) error {
			_, err := e.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: str(p.id("eip"))})
			return err
		}},
		{name: "nat", deps: []string{"eip", "subnet.public[0]", "igw"}, create: p.createNAT, read: p.describeNAT, delete: p.deleteNAT},
	}
	for n, kind := range []string{"public", "private"} {
		for z := range 3 {
			name := fmt.Sprintf("subnet.%s[%d]", kind, z)
			cidr := fmt.Sprintf("%s.%d.0/20", strings.Join(strings.Split(p.cidr, ".")[:2], "."), (n*3+z)*16)
			rs = append(rs, resource{name: name, deps: []string{"vpc", "data.aws_availability_zones"},
				create: func(ctx context.Context) error { return p.createSubnet(ctx, name, cidr, z, kind == "public") },
				read:   func(ctx context.Context) error { return p.describeSubnet(ctx, name) },
				delete: func(ctx context.Context) error {
					return p.retryDependency(ctx, func(ctx context.Context) error {
						_, err := e.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: str(p.id(name))})
						return err
					})
				}})
		}
		rt := "route_table." + kind
		rs = append(rs, resource{name: rt, deps: []string{"vpc"},
			create: func(ctx context.Context) error { return p.createRouteTable(ctx, rt) },
			read:   func(ctx context.Context) error { return p.describeRouteTable(ctx, rt) },
			delete: func(ctx context.Context) error {
				_, err := e.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: str(p.id(rt))})
				return err
			}})
		target := map[string]string{"public": "igw", "private": "nat"}[kind]
		route := "route." + kind
		rs = append(rs, resource{name: route, deps: []string{rt, target},
			create: func(ctx context.Context) error { return p.createRoute(ctx, rt, kind) },
			read:   func(ctx context.Context) error { return p.describeRouteTable(ctx, rt) },
			delete: func(ctx context.Context) error {
				_, err := e.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: str(p.id(rt)), DestinationCidrBlock: str("0.0.0.0/0")})
				return err
			}})
		for z, sn := range p.subnetNames(kind) {
			assoc := fmt.Sprintf("route_table_association.%s[%d]", kind, z)
			rs = append(rs, resource{name: assoc, deps: []string{rt, sn},
				create: func(ctx context.Context) error { return p.associate(ctx, assoc, rt, sn) },
				read:   func(ctx context.Context) error { return p.describeRouteTable(ctx, rt) },
				delete: func(ctx context.Context) error {
					_, err := e.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: str(p.id(assoc))})
					return err
				}})
		}
	}
	roles := []struct{ name, service string }{
		{"cluster", "eks.amazonaws.com"}, {"node", "ec2.amazonaws.com"}, {"pod_execution", "eks-fargate-pods.amazonaws.com"},
	}
	for _, r := range roles {
		role := "iam_role." + r.name
		rs = append(rs, resource{name: role,
			create: func(ctx context.Context) error { return p.createRole(ctx, role, r.service) },
			read:   func(ctx context.Context) error { return p.readRole(ctx, role) },
			delete: func(ctx context.Context) error {
				_, err := i.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: str(p.roleName(role))})
				return err
			}})
	}
	attach := map[string][]string{
		"iam_role.cluster":       {"AmazonEKSClusterPolicy"},
		"iam_role.node":          {"AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"},
		"iam_role.pod_execution": {"AmazonEKSFargatePodExecutionRolePolicy"},
	}
	attachments := map[string][]string{}
	for role, policies := range attach {
		for _, pol := range policies {
			name := "iam_role_policy_attachment." + pol
			attachments[role] = append(attachments[role], name)
			arn := "arn:aws:iam::aws:policy/" + pol
			rs = append(rs, resource{name: name, deps: []string{role},
				create: func(ctx context.Context) error {
					_, err := i.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: str(p.roleName(role)), PolicyArn: str(arn)})
					if err != nil {
						return err
					}
					return p.readAttachment(ctx, role)
				},
				read: func(ctx context.Context) error { return p.readAttachment(ctx, role) },
				delete: func(ctx context.Context) error {
					_, err := i.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: str(p.roleName(role)), PolicyArn: str(arn)})
					return err
				}})
		}
	}
	private := p.subnetNames("private")
	clusterDeps := append(slices.Clone(private), "iam_role.cluster")
	clusterDeps = append(clusterDeps, attachments["iam_role.cluster"]...)
	rs = append(rs, resource{name: "eks_cluster", deps: clusterDeps, create: p.createCluster, read: p.describeCluster, delete: p.deleteCluster},
		resource{name: "iam_openid_connect_provider", deps: []string{"eks_cluster"}, create: p.createOIDC, read: p.readOIDC,
			delete: p.deleteOIDC})
	var computeSteps []string
	for n := range p.tp.profiles {
		name := fmt.Sprintf("eks_fargate_profile.fp-%d", n)
		computeSteps = append(computeSteps, name)
		deps := append([]string{"eks_cluster", "iam_role.pod_execution"}, attachments["iam_role.pod_execution"]...)
		rs = append(rs, resource{name: name, deps: append(deps, private...),
			create: func(ctx context.Context) error { return p.createProfile(ctx, n) },
			read: func(ctx context.Context) error {
				_, err := k.DescribeFargateProfile(ctx, &eks.DescribeFargateProfileInput{ClusterName: str(p.cluster), FargateProfileName: str(profileName(n))})
				return err
			},
			delete: func(ctx context.Context) error { return p.deleteProfile(ctx, n) }})
	}
	for n := range p.tp.nodeGroups {
		name := fmt.Sprintf("eks_node_group.ng-%d", n)
		computeSteps = append(computeSteps, name)
		deps := append([]string{"eks_cluster", "iam_role.node"}, attachments["iam_role.node"]...)
		rs = append(rs, resource{name: name, deps: append(deps, private...),
			create: func(ctx context.Context) error { return p.createNodegroup(ctx, n) },
			read: func(ctx context.Context) error {
				_, err := k.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: str(p.cluster), NodegroupName: str(fmt.Sprintf("ng-%d", n))})
				return err
			},
			delete: func(ctx context.Context) error { return p.deleteNodegroup(ctx, n) }})
	}
	// CoreDNS on Fargate, as terraform-aws-modules/eks does it: an
	// aws_eks_addon with computeType Fargate, made after the compute
	// (its addons depend on the node groups and Fargate profiles).
	rs = append(rs, resource{name: "eks_addon.coredns", deps: append([]string{"eks_cluster"}, computeSteps...),
		create: p.createCoreDNS, read: func(ctx context.Context) error {
			_, err := k.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: str(p.cluster), AddonName: str("coredns")})
			return err
		}, delete: p.deleteCoreDNS})
	return rs
}

func profileName(n int) string {
	if n == 0 {
		return "fp-default"
	}
	return fmt.Sprintf("fp-%d", n)
}

func (p *awsPeer) roleName(role string) string {
	name := p.cluster + "-" + strings.TrimPrefix(role, "iam_role.")
	if role == "iam_role.node" {
		name += p.nodeRoleSuffix
	}
	return name
}

// createGraph and destroyGraph are Terraform's walks of the configuration.
func (p *awsPeer) createGraph() []step {
	var out []step
	for _, r := range p.resources() {
		out = append(out, step{name: r.name, deps: r.deps, do: r.create})
	}
	return out
}

func (p *awsPeer) destroyGraph() []step {
	rs := p.resources()
	del := map[string]func(context.Context) error{}
	var create []step
	for _, r := range rs {
		del[r.name] = r.delete
		create = append(create, step{name: r.name, deps: r.deps})
	}
	return reverse(create, del)
}

// refreshGraph is the refresh before a plan: every resource's Read, in the
// graph's order.
func (p *awsPeer) refreshGraph() []step {
	var out []step
	for _, r := range p.resources() {
		out = append(out, step{name: r.name, deps: r.deps, do: r.read})
	}
	return out
}

// retryDependency retries a VPC delete while EC2 says DependencyViolation, as
// the VPC and subnet resources do (tfresource.RetryWhenAWSErrCodeEquals).
func (p *awsPeer) retryDependency(ctx context.Context, call func(context.Context) error) error {
	return retryWhen(ctx, call, func(err error) bool { return errCode(err) == "DependencyViolation" })
}
