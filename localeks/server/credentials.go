package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/terrax/terraform-provider-fargate/localeks/sim"
)

// AddonActive reports whether the cluster has the add-on and EKS has
// finished creating it (ACTIVE, or UPDATING: its workload runs meanwhile).
func (c *Cluster) AddonActive(name string) bool {
	st := c.addonStatus(name)
	return st == "ACTIVE" || st == "UPDATING"
}

// podIdentityRole is the role of the service account's Pod Identity association, "" when none.
func (c *Cluster) podIdentityRole(namespace, sa string) string {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	for _, p := range c.s.podIdentities[c.Name] {
		if p.namespace == namespace && p.serviceAccount == sa {
			return p.role
		}
	}
	return ""
}

// CredentialsAllow answers whether pods of the service account get AWS
// credentials allowing action, as the AWS SDK in them would find them: from
// EKS Pod Identity (an association, the agent add-on, pods on EC2) or from
// IRSA (the role-arn annotation, a role trusted by the cluster's IAM OIDC
// provider for this service account). nil means allowed; the error says
// what is missing.
func (c *Cluster) CredentialsAllow(ctx context.Context, sa sim.ServiceAccount, action string) error {
	var why []string
	if role := c.podIdentityRole(sa.Namespace, sa.Name); role != "" {
		switch {
		case !sa.PodIdentityUsable:
			why = append(why, "its Pod Identity association does not serve pods on Fargate")
		case !c.AddonActive(podIdentityAgent):
			why = append(why, "it has a Pod Identity association but the "+podIdentityAgent+" add-on is not ACTIVE")
		default:
			err := c.s.roleAllows(ctx, role, action)
			if err == nil {
				return nil
			}
			why = append(why, "Pod Identity role: "+err.Error())
		}
	}
	if sa.RoleARN != "" {
		err := c.s.trustsServiceAccount(ctx, c.Issuer, sa.RoleARN, sa.Namespace, sa.Name)
		if err == nil {
			err = c.s.roleAllows(ctx, sa.RoleARN, action)
		}
		if err == nil {
			return nil
		}
		why = append(why, "IRSA role: "+err.Error())
	}
	if len(why) == 0 {
		return fmt.Errorf("service account %s/%s has no AWS credentials: neither a Pod Identity association nor an %s annotation",
			sa.Namespace, sa.Name, sim.RoleARNAnnotation)
	}
	return fmt.Errorf("service account %s/%s: %s", sa.Namespace, sa.Name, strings.Join(why, "; "))
}

func roleName(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// policyDoc is the part of an IAM policy document localeks evaluates.
type policyDoc struct {
	Statement []struct {
		Effect    string
		Action    any
		Principal any
		Condition map[string]map[string]any
	}
}

func parsePolicy(encoded string) (policyDoc, error) {
	var d policyDoc
	raw, err := url.QueryUnescape(encoded)
	if err != nil {
		raw = encoded
	}
	// A single statement may be an object rather than a list.
	var one struct{ Statement json.RawMessage }
	if err := json.Unmarshal([]byte(raw), &one); err == nil && len(one.Statement) > 0 && one.Statement[0] == '{' {
		raw = strings.Replace(raw, string(one.Statement), "["+string(one.Statement)+"]", 1)
	}
	return d, json.Unmarshal([]byte(raw), &d)
}

// strs reads a policy value that is a string or a list of strings.
func strs(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

func matchesAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(s)); ok {
			return true
		}
	}
	return false
}

// allows evaluates the documents as IAM does for one action: an explicit
// Deny wins, otherwise an Allow is needed.
func allows(docs []policyDoc, action string) bool {
	allowed := false
	for _, d := range docs {
		for _, st := range d.Statement {
			if !matchesAny(strs(st.Action), action) {
				continue
			}
			if strings.EqualFold(st.Effect, "Deny") {
				return false
			}
			allowed = allowed || strings.EqualFold(st.Effect, "Allow")
		}
	}
	return allowed
}

// roleAllows reads the role's inline and attached policies from IAM.
func (s *Server) roleAllows(ctx context.Context, arn, action string) error {
	name := roleName(arn)
	var docs []policyDoc
	inline, err := s.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("reading the policies of IAM role %s: %w", arn, err)
	}
	for _, p := range inline.PolicyNames {
		out, err := s.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)})
		if err != nil {
			return err
		}
		if d, err := parsePolicy(aws.ToString(out.PolicyDocument)); err == nil {
			docs = append(docs, d)
		}
	}
	attached, err := s.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return err
	}
	for _, p := range attached.AttachedPolicies {
		pol, err := s.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: p.PolicyArn})
		if err != nil {
			return err
		}
		v, err := s.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: p.PolicyArn, VersionId: pol.Policy.DefaultVersionId})
		if err != nil {
			return err
		}
		if d, err := parsePolicy(aws.ToString(v.PolicyVersion.Document)); err == nil {
			docs = append(docs, d)
		}
	}
	if !allows(docs, action) {
		return fmt.Errorf("IAM role %s is not allowed %s (attach a policy that allows it)", arn, action)
	}
	return nil
}

// trustsServiceAccount checks IRSA's trust as STS does for
// AssumeRoleWithWebIdentity: the cluster's IAM OIDC provider exists, and the
// role trusts it for this service account.
func (s *Server) trustsServiceAccount(ctx context.Context, issuer, arn, ns, sa string) error {
	host := strings.TrimPrefix(issuer, "https://")
	account := strings.Split(arn, ":")
	if len(account) < 5 {
		return fmt.Errorf("%q is not an IAM role ARN", arn)
	}
	provider := fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", account[4], host)
	if _, err := s.iam.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(provider)}); err != nil {
		return fmt.Errorf("the cluster's IAM OIDC provider %s does not exist (create it for issuer %s)", provider, issuer)
	}
	role, err := s.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName(arn))})
	if err != nil {
		return fmt.Errorf("reading IAM role %s: %w", arn, err)
	}
	trust, err := parsePolicy(aws.ToString(role.Role.AssumeRolePolicyDocument))
	if err != nil {
		return fmt.Errorf("reading the trust policy of %s: %w", arn, err)
	}
	subject := "system:serviceaccount:" + ns + ":" + sa
	for _, st := range trust.Statement {
		fed := map[string]any{}
		if m, ok := st.Principal.(map[string]any); ok {
			fed = m
		}
		if !strings.EqualFold(st.Effect, "Allow") || !matchesAny(strs(st.Action), "sts:AssumeRoleWithWebIdentity") ||
			!matchesAny(strs(fed["Federated"]), provider) {
			continue
		}
		if subjectMatches(st.Condition, host+":sub", subject) {
			return nil
		}
	}
	return fmt.Errorf("IAM role %s does not trust %s for %s (sts:AssumeRoleWithWebIdentity with condition %s:sub)", arn, provider, subject, host)
}

// subjectMatches: no condition on the subject lets any service account in.
func subjectMatches(cond map[string]map[string]any, key, subject string) bool {
	found := false
	for op, kv := range cond {
		for k, v := range kv {
			if !strings.EqualFold(k, key) {
				continue
			}
			found = true
			like := strings.HasPrefix(op, "StringLike")
			for _, want := range strs(v) {
				if want == subject || (like && matchesAny([]string{want}, subject)) {
					return true
				}
			}
		}
	}
	return !found
}

// Zones are the zones of the cluster's subnets in EC2, sorted.
func (c *Cluster) Zones(ctx context.Context) []string {
	cl, err := c.s.eks.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(c.Name)})
	var subnets []string
	if err == nil && cl.Cluster.ResourcesVpcConfig != nil {
		subnets = cl.Cluster.ResourcesVpcConfig.SubnetIds
	}
	return c.subnetZones(ctx, subnets)
}

// subnetZones are the sorted zones of subnets, read from EC2 once per set;
// subnets EC2 does not know (a cluster made without a VPC) give the
// region's first three zones.
func (c *Cluster) subnetZones(ctx context.Context, subnets []string) []string {
	key := strings.Join(subnets, ",")
	c.mu.Lock()
	cached := c.zones[key]
	c.mu.Unlock()
	if cached != nil {
		return cached
	}
	zones := []string{c.s.opt.Region + "a", c.s.opt.Region + "b", c.s.opt.Region + "c"}
	if sns, err := c.s.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: subnets}); err == nil && len(subnets) > 0 && len(sns.Subnets) > 0 {
		zones = nil
		for _, sn := range sns.Subnets {
			if z := aws.ToString(sn.AvailabilityZone); !slices.Contains(zones, z) {
				zones = append(zones, z)
			}
		}
		sort.Strings(zones)
	}
	c.mu.Lock()
	if c.zones == nil {
		c.zones = map[string][]string{}
	}
	c.zones[key] = zones
	c.mu.Unlock()
	return zones
}
