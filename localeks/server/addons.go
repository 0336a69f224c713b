package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
	"github.com/terrax/terraform-provider-fargate/localeks/sim"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

type addon struct {
	name, version, config, role string
	created, updated            time.Time
	updates                     []addonUpdate
	health                      addonHealth
}

// addonUpdate is one UpdateAddon: EKS's Update, InProgress for the
// shaped add-on window, then Successful.
type addonUpdate struct {
	id     string
	at     time.Time
	params []map[string]string
}

// addonAPI answers the EKS add-on API, which moto does not have.
func (s *Server) addonAPI(w http.ResponseWriter, r *http.Request, c awsproxy.Call) {
	if c.Op == "DescribeAddonVersions" {
		s.describeAddonVersions(w, r)
		return
	}
	s.mu.Lock()
	cl := s.clusters[c.Cluster]
	s.mu.Unlock()
	if cl == nil {
		eksError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No cluster found for name: %s.", c.Cluster))
		return
	}
	body := decode(c.Body)
	// The versions an add-on may take depend on the cluster's Kubernetes (moto knows it).
	var clusterVersion string
	if c.Op == "CreateAddon" || c.Op == "UpdateAddon" {
		clusterVersion = s.clusterVersion(r.Context(), c.Cluster)
	}
	window := s.Shaper.Get().AddonCreate.Duration
	var health *sim.Health
	if c.Op == "DescribeAddon" {
		health = s.workloadHealth(r.Context(), cl, c.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.addons[c.Cluster] == nil {
		s.addons[c.Cluster] = map[string]*addon{}
	}
	addons := s.addons[c.Cluster]
	now := time.Now()
	switch c.Op {
	case "ListAddons":
		names := sortedKeys(addons)
		writeJSON(w, http.StatusOK, map[string]any{"addons": names})
	case "CreateAddon":
		name, _ := body["addonName"].(string)
		kind := findAddonKind(name)
		if kind == nil {
			eksError(w, http.StatusBadRequest, "InvalidParameterException", fmt.Sprintf("Addon %s specified is not supported in %s cluster", name, c.Cluster))
			return
		}
		if _, ok := addons[name]; ok {
			eksError(w, http.StatusConflict, "ResourceInUseException", "Addon already exists.")
			return
		}
		requested, _ := body["addonVersion"].(string)
		version, err := addonVersionFor(kind, clusterVersion, requested)
		if err != nil {
			eksError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
			return
		}
		a := &addon{name: name, version: version, created: now}
		a.role, _ = body["serviceAccountRoleArn"].(string)
		if cfg, _ := body["configurationValues"].(string); cfg != "" {
			if err := validateAddonConfig(name, cfg); err != nil {
				eksError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
				return
			}
			a.config = cfg
		}
		addons[name] = a
		go s.applyAddon(cl, a, a.config, a.role)
		writeJSON(w, http.StatusOK, map[string]any{"addon": s.addonView(c.Cluster, a, now, window, nil)})
	case "DescribeAddon":
		a, ok := addons[c.Name]
		if !ok {
			eksError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No addon: %s found in cluster: %s", c.Name, c.Cluster))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"addon": s.addonView(c.Cluster, a, now, window, health)})
	case "UpdateAddon":
		a, ok := addons[c.Name]
		if !ok {
			eksError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No addon: %s found in cluster: %s", c.Name, c.Cluster))
			return
		}
		var params []map[string]string
		version := a.version
		if v, _ := body["addonVersion"].(string); v != "" {
			var err error
			if version, err = addonVersionFor(findAddonKind(c.Name), clusterVersion, v); err != nil {
				eksError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
				return
			}
			params = append(params, map[string]string{"type": "AddonVersion", "value": version})
		}
		cfg, cfgSet := body["configurationValues"].(string)
		if cfgSet {
			if err := validateAddonConfig(c.Name, cfg); err != nil {
				eksError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
				return
			}
			params = append(params, map[string]string{"type": "ConfigurationValues", "value": cfg})
		}
		role, roleSet := body["serviceAccountRoleArn"].(string)
		if roleSet {
			params = append(params, map[string]string{"type": "ServiceAccountRoleArn", "value": role})
			a.role = role
		}
		if rc, _ := body["resolveConflicts"].(string); rc != "" {
			params = append(params, map[string]string{"type": "ResolveConflicts", "value": rc})
		}
		if cfgSet {
			a.config = cfg
		}
		a.version, a.updated, a.health.applied, a.health.degraded = version, now, false, false
		a.updates = append(a.updates, addonUpdate{id: newUUID(), at: now, params: params})
		go s.applyAddon(cl, a, a.config, a.role)
		writeJSON(w, http.StatusOK, map[string]any{"update": a.updates[len(a.updates)-1].view(now, window)})
	case "DeleteAddon":
		a, ok := addons[c.Name]
		if !ok {
			eksError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No addon: %s found in cluster: %s", c.Name, c.Cluster))
			return
		}
		delete(addons, c.Name)
		v := s.addonView(c.Cluster, a, now, window, nil)
		v["status"] = "DELETING"
		if r.URL.Query().Get("preserve") != "true" {
			go s.removeAddon(cl, c.Name)
		}
		writeJSON(w, http.StatusOK, map[string]any{"addon": v})
	}
}

// clusterVersion is the cluster's Kubernetes version ("" if unknown).
func (s *Server) clusterVersion(ctx context.Context, name string) string {
	v := s.motoClusterVersion(ctx, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.appliedVersion(name, ""); u != "" {
		return u // upgraded through localeks (moto has no UpdateClusterVersion)
	}
	return v
}

// motoClusterVersion is the cluster's Kubernetes version as moto knows it
// (the one it was created with; "" if unknown).
func (s *Server) motoClusterVersion(ctx context.Context, name string) string {
	out, err := s.eks.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
	if err != nil || out.Cluster == nil {
		return ""
	}
	return aws.ToString(out.Cluster.Version)
}

// newUUID is a random RFC 4122 version 4 UUID, as EKS's update IDs are.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// addonView is the add-on as DescribeAddon shows it; health is what its
// workloads look like now (nil: not read). s.mu is held.
func (s *Server) addonView(cluster string, a *addon, now time.Time, window time.Duration, health *sim.Health) map[string]any {
	status := a.status(now, window, health)
	issues := []any{}
	if status == "DEGRADED" {
		issues = append(issues, map[string]any{"code": "InsufficientNumberOfReplicas",
			"message": "The add-on is unhealthy because it doesn't have the desired number of replicas.", "resourceIds": []string{}})
	}
	v := map[string]any{
		"addonName": a.name, "clusterName": cluster, "status": status, "addonVersion": a.version,
		"addonArn":  fmt.Sprintf("arn:aws:eks:%s:123456789012:addon/%s/%s/localeks", s.opt.Region, cluster, a.name),
		"createdAt": float64(a.created.Unix()), "modifiedAt": float64(max(a.created, a.updated).Unix()),
		"health": map[string]any{"issues": issues},
	}
	if a.config != "" {
		v["configurationValues"] = a.config
	}
	if a.role != "" {
		v["serviceAccountRoleArn"] = a.role
	}
	return v
}

func max(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (u addonUpdate) view(now time.Time, window time.Duration) map[string]any {
	status := "Successful"
	if now.Before(u.at.Add(window)) {
		status = "InProgress"
	}
	params := u.params
	if params == nil {
		params = []map[string]string{}
	}
	return map[string]any{"id": u.id, "status": status, "type": "AddonUpdate", "params": params, "createdAt": float64(u.at.Unix()), "errors": []any{}}
}

// addonUpdate answers DescribeUpdate for an add-on update; false when the
// update is not one of localeks' own.
func (s *Server) addonUpdate(w http.ResponseWriter, cluster, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.addons[cluster] {
		for _, u := range a.updates {
			if u.id == id {
				writeJSON(w, http.StatusOK, map[string]any{"update": u.view(time.Now(), s.Shaper.Get().AddonCreate.Duration)})
				return true
			}
		}
	}
	return false
}

// addonUpdates answers ListUpdates for an add-on (moto has no updates).
func (s *Server) addonUpdates(w http.ResponseWriter, cluster, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.addons[cluster][name]
	if a == nil {
		eksError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No addon: %s found in cluster: %s", name, cluster))
		return
	}
	ids := []string{}
	for _, u := range a.updates {
		ids = append(ids, u.id)
	}
	writeJSON(w, http.StatusOK, map[string]any{"updateIds": ids})
}

// validateAddonConfig checks configurationValues as EKS does against the
// add-on's schema (here: the keys localeks understands).
func validateAddonConfig(name, cfg string) error {
	var m map[string]any
	if err := json.Unmarshal([]byte(cfg), &m); err != nil {
		return fmt.Errorf("ConfigurationValue provided in request is not supported: Json schema validation failed with error: %v", err)
	}
	allowed := map[string][]string{"coredns": {"computeType", "replicaCount", "resources", "tolerations", "nodeSelector"}}[name]
	for k := range m {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			return fmt.Errorf("ConfigurationValue provided in request is not supported: Json schema validation failed with error: [$.%s: is not defined in the schema and the schema does not allow additional properties]", k)
		}
	}
	if ct, ok := m["computeType"]; ok && ct != "Fargate" && ct != "ec2" {
		return fmt.Errorf("ConfigurationValue provided in request is not supported: Json schema validation failed with error: [$.computeType: does not have a value in the enumeration [Fargate, ec2]]")
	}
	return nil
}

// applyAddon does to the cluster what the add-on's configuration says.
// coredns with computeType Fargate loses the annotation that kept it on EC2
// and rolls; with ec2 it gets it back.
func (s *Server) applyAddon(cl *Cluster, a *addon, cfg, role string) {
	name := a.name
	defer s.applied(a)
	if name == podIdentityAgent {
		s.applyPodIdentityAgent(cl)
	}
	if name == placement.EBSCSIDriverAddon {
		s.withKube(cl, "the aws-ebs-csi-driver add-on's workloads", func(ctx context.Context, k *Cluster) error {
			return sim.EnsureEBSCSIDriver(ctx, k.Kube(), s.opt.Region, role)
		})
	}
	if name != "coredns" {
		return
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(cfg), &m)
	value := `"ec2"`
	if m["computeType"] == "Fargate" {
		value = "null"
	}
	patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{%q:%s}}}}}`, sim.ComputeTypeAnnotation, value)
	if rc, ok := m["replicaCount"].(float64); ok {
		patch = fmt.Sprintf(`{"spec":{"replicas":%d,"template":{"metadata":{"annotations":{%q:%s}}}}}`, int(rc), sim.ComputeTypeAnnotation, value)
	}
	for i := 0; i < 300; i++ {
		if k := cl.Kube(); k != nil {
			_, err := k.AppsV1().Deployments("kube-system").Patch(context.Background(), "coredns", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{})
			if err == nil {
				s.logf("cluster %s: coredns add-on applied %s", cl.Name, patch)
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.logf("cluster %s: coredns add-on could not be applied", cl.Name)
}
