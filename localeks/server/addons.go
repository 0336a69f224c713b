package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
	"github.com/terrax/terraform-provider-fargate/localeks/sim"
)

// The add-ons localeks offers, with the version it reports for each.
var addonVersions = map[string]string{
	"coredns":            "v1.12.1-eksbuild.2",
	"kube-proxy":         "v1.37.2-eksbuild.1",
	"vpc-cni":            "v1.20.0-eksbuild.1",
	"aws-ebs-csi-driver": "v1.48.0-eksbuild.1",
}

type addon struct {
	name, version, config string
	created, updated      time.Time
	updateID              string
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
	window := s.Shaper.Get().AddonCreate.Duration
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
		if _, ok := addonVersions[name]; !ok {
			eksError(w, http.StatusBadRequest, "InvalidParameterException", fmt.Sprintf("Addon %s specified is not supported in %s cluster", name, c.Cluster))
			return
		}
		if _, ok := addons[name]; ok {
			eksError(w, http.StatusConflict, "ResourceInUseException", "Addon already exists.")
			return
		}
		a := &addon{name: name, version: addonVersions[name], created: now}
		if v, _ := body["addonVersion"].(string); v != "" {
			a.version = v
		}
		if cfg, _ := body["configurationValues"].(string); cfg != "" {
			if err := validateAddonConfig(name, cfg); err != nil {
				eksError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
				return
			}
			a.config = cfg
		}
		addons[name] = a
		go s.applyAddon(cl, name, a.config)
		writeJSON(w, http.StatusOK, map[string]any{"addon": s.addonView(c.Cluster, a, now, window)})
	case "DescribeAddon":
		a, ok := addons[c.Name]
		if !ok {
			eksError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No addon: %s found in cluster: %s", c.Name, c.Cluster))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"addon": s.addonView(c.Cluster, a, now, window)})
	case "UpdateAddon":
		a, ok := addons[c.Name]
		if !ok {
			eksError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No addon: %s found in cluster: %s", c.Name, c.Cluster))
			return
		}
		if cfg, ok := body["configurationValues"].(string); ok {
			if err := validateAddonConfig(c.Name, cfg); err != nil {
				eksError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
				return
			}
			a.config = cfg
		}
		if v, _ := body["addonVersion"].(string); v != "" {
			a.version = v
		}
		a.updated, a.updateID = now, fmt.Sprintf("%08x-addon-%d", hashStr(c.Cluster+c.Name), now.UnixNano())
		go s.applyAddon(cl, c.Name, a.config)
		writeJSON(w, http.StatusOK, map[string]any{"update": addonUpdateView(a, now, window)})
	case "DeleteAddon":
		a, ok := addons[c.Name]
		if !ok {
			eksError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No addon: %s found in cluster: %s", c.Name, c.Cluster))
			return
		}
		delete(addons, c.Name)
		v := s.addonView(c.Cluster, a, now, window)
		v["status"] = "DELETING"
		writeJSON(w, http.StatusOK, map[string]any{"addon": v})
	}
}

func hashStr(s string) uint32 {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

func (s *Server) addonView(cluster string, a *addon, now time.Time, window time.Duration) map[string]any {
	status := "ACTIVE"
	switch {
	case now.Before(a.created.Add(window)):
		status = "CREATING"
	case !a.updated.IsZero() && now.Before(a.updated.Add(window)):
		status = "UPDATING"
	}
	v := map[string]any{
		"addonName": a.name, "clusterName": cluster, "status": status, "addonVersion": a.version,
		"addonArn":  fmt.Sprintf("arn:aws:eks:%s:123456789012:addon/%s/%s/localeks", s.opt.Region, cluster, a.name),
		"createdAt": float64(a.created.Unix()), "modifiedAt": float64(max(a.created, a.updated).Unix()),
		"health": map[string]any{"issues": []any{}},
	}
	if a.config != "" {
		v["configurationValues"] = a.config
	}
	return v
}

func max(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func addonUpdateView(a *addon, now time.Time, window time.Duration) map[string]any {
	status := "Successful"
	if now.Before(a.updated.Add(window)) {
		status = "InProgress"
	}
	return map[string]any{"id": a.updateID, "status": status, "type": "AddonUpdate", "createdAt": float64(a.updated.Unix()), "errors": []any{}}
}

// addonUpdate answers DescribeUpdate for an add-on update; false when the
// update is not one of localeks' own.
func (s *Server) addonUpdate(w http.ResponseWriter, cluster, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.addons[cluster] {
		if a.updateID == id {
			writeJSON(w, http.StatusOK, map[string]any{"update": addonUpdateView(a, time.Now(), s.Shaper.Get().AddonCreate.Duration)})
			return true
		}
	}
	return false
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
func (s *Server) applyAddon(cl *Cluster, name, cfg string) {
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

func (s *Server) describeAddonVersions(w http.ResponseWriter, r *http.Request) {
	want := r.URL.Query().Get("addonName")
	var out []map[string]any
	names := make([]string, 0, len(addonVersions))
	for n := range addonVersions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if want != "" && want != n {
			continue
		}
		out = append(out, map[string]any{
			"addonName": n, "type": "networking", "owner": "aws", "publisher": "eks",
			"addonVersions": []map[string]any{{
				"addonVersion": addonVersions[n], "architecture": []string{"amd64", "arm64"},
				"compatibilities":       []map[string]any{{"clusterVersion": "1.37", "defaultVersion": true, "platformVersions": []string{"*"}}},
				"requiresConfiguration": false,
			}},
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"addons": out})
}
