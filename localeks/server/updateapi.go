package server

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
)

// state is a cluster (and node group) as an update request finds it.
type state struct {
	cluster   *ekstypes.Cluster
	nodegroup *ekstypes.Nodegroup
	version   string // the cluster's Kubernetes version, as updates left it
	ngVersion string
}

// current reads the cluster (and node group) from moto, with the versions
// localeks' updates set; the error is EKS's not-found message.
func (s *Server) current(ctx context.Context, cluster, nodegroup string) (*state, error) {
	c, err := s.eks.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(cluster)})
	if err != nil || c.Cluster == nil {
		return nil, fmt.Errorf("No cluster found for name: %s.", cluster)
	}
	st := &state{cluster: c.Cluster, version: aws.ToString(c.Cluster.Version)}
	if nodegroup != "" {
		n, err := s.eks.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(nodegroup)})
		if err != nil || n.Nodegroup == nil {
			return nil, fmt.Errorf("No node group found for name: %s.", nodegroup)
		}
		st.nodegroup, st.ngVersion = n.Nodegroup, aws.ToString(n.Nodegroup.Version)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.appliedVersion(cluster, ""); v != "" {
		st.version = v
	}
	if nodegroup != "" {
		st.ngVersion = s.nodegroupVersion(cluster, nodegroup, st.ngVersion, aws.ToString(c.Cluster.Version))
	}
	return st, nil
}

// updateError is an EKS error answer to an update request.
type updateError struct {
	status     int
	code, text string
}

func invalid(format string, args ...any) *updateError {
	return &updateError{http.StatusBadRequest, "InvalidParameterException", fmt.Sprintf(format, args...)}
}

// updateAPI answers UpdateClusterConfig, UpdateClusterVersion,
// UpdateNodegroupConfig and UpdateNodegroupVersion as EKS does: an Update
// InProgress, the change made only when it succeeds, one update at a time.
func (s *Server) updateAPI(w http.ResponseWriter, r *http.Request, c awsproxy.Call) {
	nodegroup := ""
	if strings.HasPrefix(c.Op, "UpdateNodegroup") {
		nodegroup = c.Name
	}
	cur, err := s.current(r.Context(), c.Cluster, nodegroup)
	if err != nil {
		eksError(w, http.StatusNotFound, "ResourceNotFoundException", err.Error())
		return
	}
	u := &eksUpdate{cluster: c.Cluster, nodegroup: nodegroup}
	body := decode(c.Body)
	var bad *updateError
	switch c.Op {
	case "UpdateClusterConfig":
		bad = s.planClusterConfig(u, cur, body, r)
	case "UpdateClusterVersion":
		bad = s.planClusterVersion(r.Context(), u, cur, body)
	case "UpdateNodegroupConfig":
		bad = planNodegroupConfig(u, body)
		header, path := r.Header.Clone(), r.URL.RequestURI()
		u.apply = func(ctx context.Context) error { return s.motoPost(ctx, path, header, c.Body) }
	case "UpdateNodegroupVersion":
		bad = planNodegroupVersion(u, cur, body)
	case "AssociateEncryptionConfig":
		bad = s.planEncryption(u, cur, body)
	}
	if bad != nil {
		eksError(w, bad.status, bad.code, bad.text)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterConfig.html#API_UpdateClusterConfig_Errors
	// ResourceInUseException: one update at a time.
	if running := s.runningUpdate(c.Cluster, nodegroup); running != nil {
		what := "cluster " + c.Cluster
		if nodegroup != "" {
			what = "nodegroup " + nodegroup
		}
		eksError(w, http.StatusConflict, "ResourceInUseException",
			fmt.Sprintf("Cannot %s because %s currently has update %s in progress", u.typ, what, running.id))
		return
	}
	s.startUpdate(u)
	writeJSON(w, http.StatusOK, map[string]any{"update": u.view()})
}

// planClusterConfig: an endpoint access or a logging update, never both.
func (s *Server) planClusterConfig(u *eksUpdate, cur *state, body map[string]any, r *http.Request) *updateError {
	vpc, _ := body["resourcesVpcConfig"].(map[string]any)
	logging, _ := body["logging"].(map[string]any)
	if vpc != nil && logging != nil {
		return invalid("Only one type of update can be allowed.")
	}
	if access, ok := body["accessConfig"].(map[string]any); ok {
		return s.planAccessConfig(u, cur, vpc != nil || logging != nil, access)
	}
	header, path := r.Header.Clone(), r.URL.RequestURI()
	switch {
	case vpc != nil:
		was := cur.cluster.ResourcesVpcConfig
		if was == nil {
			was = &ekstypes.VpcConfigResponse{}
		}
		pub, priv, cidrs := was.EndpointPublicAccess, was.EndpointPrivateAccess, was.PublicAccessCidrs
		if len(cidrs) == 0 {
			cidrs = []string{"0.0.0.0/0"}
		}
		if v, ok := vpc["endpointPublicAccess"].(bool); ok {
			pub = v
		}
		if v, ok := vpc["endpointPrivateAccess"].(bool); ok {
			priv = v
		}
		if v, ok := vpc["publicAccessCidrs"].([]any); ok {
			cidrs = nil
			for _, c := range v {
				cidrs = append(cidrs, fmt.Sprint(c))
			}
		}
		if pub == was.EndpointPublicAccess && priv == was.EndpointPrivateAccess && slices.Equal(cidrs, orDefault(was.PublicAccessCidrs)) {
			return invalid("Cluster is already at the desired configuration with endpointPrivateAccess: %t , endpointPublicAccess: %t, and Public Endpoint Restrictions: [%s]",
				priv, pub, strings.Join(cidrs, ", "))
		}
		cj, _ := json.Marshal(cidrs)
		u.typ = "EndpointAccessUpdate"
		u.params = []map[string]string{{"type": "EndpointPublicAccess", "value": strconv.FormatBool(pub)},
			{"type": "EndpointPrivateAccess", "value": strconv.FormatBool(priv)}, {"type": "PublicAccessCidrs", "value": string(cj)}}
		// moto replaces resourcesVpcConfig whole: EKS keeps the subnets and security groups.
		full := map[string]any{"resourcesVpcConfig": map[string]any{"subnetIds": was.SubnetIds, "securityGroupIds": was.SecurityGroupIds,
			"endpointPublicAccess": pub, "endpointPrivateAccess": priv, "publicAccessCidrs": cidrs}}
		b, _ := json.Marshal(full)
		u.apply = func(ctx context.Context) error { return s.motoPost(ctx, path, header, b) }
	case logging != nil:
		enabled := enabledLogTypes(cur.cluster.Logging)
		want := maps.Clone(enabled)
		entries, _ := logging["clusterLogging"].([]any)
		for _, e := range entries {
			m, _ := e.(map[string]any)
			types, _ := m["types"].([]any)
			for _, t := range types {
				want[fmt.Sprint(t)] = m["enabled"] == true
			}
		}
		if maps.Equal(prune(want), prune(enabled)) {
			return invalid("No changes needed for the logging config provided")
		}
		lj, _ := json.Marshal(logging["clusterLogging"])
		u.typ = "LoggingUpdate"
		u.params = []map[string]string{{"type": "ClusterLogging", "value": string(lj)}}
		b, _ := json.Marshal(map[string]any{"logging": logging})
		u.apply = func(ctx context.Context) error { return s.motoPost(ctx, path, header, b) }
	default:
		u.typ = "ConfigUpdate"
		b, _ := json.Marshal(body)
		u.apply = func(ctx context.Context) error { return s.motoPost(ctx, path, header, b) }
	}
	return nil
}

func orDefault(cidrs []string) []string {
	if len(cidrs) == 0 {
		return []string{"0.0.0.0/0"}
	}
	return cidrs
}

func enabledLogTypes(l *ekstypes.Logging) map[string]bool {
	out := map[string]bool{}
	if l == nil {
		return out
	}
	for _, s := range l.ClusterLogging {
		for _, t := range s.Types {
			out[string(t)] = aws.ToBool(s.Enabled)
		}
	}
	return out
}

// prune keeps the enabled log types only.
func prune(m map[string]bool) map[string]bool {
	return maps.Collect(func(yield func(string, bool) bool) {
		for k, v := range m {
			if v && !yield(k, v) {
				return
			}
		}
	})
}

// minor is the minor number of a "1.NN" version (-1 if not one).
func minor(v string) int {
	major, m, ok := strings.Cut(v, ".")
	n, err := strconv.Atoi(m)
	if !ok || major != "1" || err != nil {
		return -1
	}
	return n
}

// planClusterVersion: one minor version up, with every node group at the
// cluster's version first (https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html).
func (s *Server) planClusterVersion(ctx context.Context, u *eksUpdate, cur *state, body map[string]any) *updateError {
	want, _ := body["version"].(string)
	if minor(want) < 0 || minor(cur.version) < 0 || minor(want) != minor(cur.version)+1 {
		return invalid("Unsupported Kubernetes minor version update from %s to %s", cur.version, want)
	}
	var behind []string
	if out, err := s.eks.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String(u.cluster)}); err == nil {
		for _, ng := range out.Nodegroups {
			if st, err := s.current(ctx, u.cluster, ng); err == nil && st.ngVersion != "" && st.ngVersion != cur.version {
				behind = append(behind, ng)
			}
		}
	}
	if len(behind) > 0 {
		return invalid("Nodegroups %s must be updated to match cluster version %s before updating cluster version", strings.Join(behind, ", "), cur.version)
	}
	u.typ = "VersionUpdate"
	u.params = []map[string]string{{"type": "Version", "value": want}, {"type": "PlatformVersion", "value": "eks.1"}}
	return nil
}

// planNodegroupConfig: scaling, labels, taints and the update config.
func planNodegroupConfig(u *eksUpdate, body map[string]any) *updateError {
	u.typ = "ConfigUpdate"
	u.params = []map[string]string{}
	if sc, ok := body["scalingConfig"].(map[string]any); ok {
		for _, k := range []string{"minSize", "maxSize", "desiredSize"} {
			if v, ok := sc[k].(float64); ok {
				u.params = append(u.params, map[string]string{"type": strings.ToUpper(k[:1]) + k[1:], "value": strconv.Itoa(int(v))})
			}
		}
	}
	for field, kinds := range map[string][2]string{"labels": {"LabelsToAdd", "LabelsToRemove"}, "taints": {"TaintsToAdd", "TaintsToRemove"}} {
		m, _ := body[field].(map[string]any)
		for i, key := range []string{"addOrUpdate" + strings.ToUpper(field[:1]) + field[1:], "remove" + strings.ToUpper(field[:1]) + field[1:]} {
			if v, ok := m[key]; ok {
				b, _ := json.Marshal(v)
				u.params = append(u.params, map[string]string{"type": kinds[i], "value": string(b)})
			}
		}
	}
	if len(u.params) == 0 && body["updateConfig"] == nil {
		return invalid("No changes needed for the nodegroup config provided")
	}
	return nil
}

// planNodegroupVersion: the cluster's version unless told otherwise, never
// newer than the control plane's.
func planNodegroupVersion(u *eksUpdate, cur *state, body map[string]any) *updateError {
	want, _ := body["version"].(string)
	if want == "" {
		want = cur.version
	}
	if minor(want) < 0 || minor(want) > minor(cur.version) {
		return invalid("Requested Nodegroup version %s is not supported for cluster version %s", want, cur.version)
	}
	u.typ = "VersionUpdate"
	u.params = []map[string]string{{"type": "Version", "value": want}, {"type": "ReleaseVersion", "value": want + ".0-localeks"}}
	return planLaunchTemplate(u, cur, body)
}
