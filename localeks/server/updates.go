package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
)

// eksUpdate is one EKS Update of a cluster or of a node group
// (https://docs.aws.amazon.com/eks/latest/APIReference/API_Update.html):
// InProgress for its shaped window, then applied to moto and Successful, or
// Failed with its errors. moto applies updates at once and cannot describe
// them; EKS shows the change only when the update has succeeded.
type eksUpdate struct {
	id, cluster, nodegroup, typ string
	params                      []map[string]string
	at                          time.Time
	status                      string // InProgress, Successful, Failed
	done                        time.Time
	errors                      []map[string]any
	// apply makes the change in moto when the window ends.
	apply func(ctx context.Context) error
}

func (u *eksUpdate) view() map[string]any {
	errs := u.errors
	if errs == nil {
		errs = []map[string]any{}
	}
	return map[string]any{"id": u.id, "status": u.status, "type": u.typ, "params": u.params,
		"createdAt": float64(u.at.Unix()), "errors": errs}
}

// param is the value of one of the update's params ("" when absent).
func (u *eksUpdate) param(typ string) string {
	for _, p := range u.params {
		if p["type"] == typ {
			return p["value"]
		}
	}
	return ""
}

// updateWindow is how long an update stays InProgress: shaped, else a
// short time, so that callers must wait for it as they must on EKS.
func (s *Server) updateWindow(nodegroup string) time.Duration {
	cfg := s.Shaper.Get()
	d := cfg.ClusterUpdate.Duration
	if nodegroup != "" {
		d = cfg.NodegroupUpdate.Duration
	}
	if d == 0 {
		d = 500 * time.Millisecond
	}
	return d
}

// startUpdate records u InProgress and applies it when its window ends.
// s.mu is held.
func (s *Server) startUpdate(u *eksUpdate) {
	u.id, u.at, u.status = newUUID(), time.Now(), "InProgress"
	s.eksUpdates = append(s.eksUpdates, u)
	fails := s.Shaper.UpdateFails()
	time.AfterFunc(s.updateWindow(u.nodegroup), func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var code string
		var err error
		switch {
		case fails:
			code, err = updateFailure(u)
		case u.apply != nil:
			code, err = "Unknown", u.apply(ctx)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		u.status, u.done = "Successful", time.Now()
		if err != nil {
			u.status = "Failed"
			ids := []string{u.cluster}
			if u.nodegroup != "" {
				ids = []string{u.nodegroup}
			}
			u.errors = []map[string]any{{"errorCode": code, "errorMessage": err.Error(), "resourceIds": ids}}
			s.logf("cluster %s: update %s failed: %v", u.cluster, u.id, err)
		}
	})
}

// updateFailure is the error a shaped failure of u reports, as EKS's
// (ErrorDetail: https://docs.aws.amazon.com/eks/latest/APIReference/API_ErrorDetail.html).
func updateFailure(u *eksUpdate) (string, error) {
	if u.nodegroup != "" && u.typ == "VersionUpdate" {
		return "PodEvictionFailure", fmt.Errorf("Reached max retries while trying to evict pods from nodes in node group %s", u.nodegroup)
	}
	return "Unknown", fmt.Errorf("the %s of %s failed (shaped failure)", u.typ, u.cluster)
}

// runningUpdate is the cluster's (nodegroup "") or node group's update in
// progress, nil if none. s.mu is held.
func (s *Server) runningUpdate(cluster, nodegroup string) *eksUpdate {
	for _, u := range s.eksUpdates {
		if u.cluster == cluster && u.nodegroup == nodegroup && u.status == "InProgress" {
			return u
		}
	}
	return nil
}

// appliedVersion is the Kubernetes version the last successful
// VersionUpdate of the cluster or node group set ("" if none). s.mu is held.
func (s *Server) appliedVersion(cluster, nodegroup string) string {
	v := ""
	for _, u := range s.eksUpdates {
		if u.cluster == cluster && u.nodegroup == nodegroup && u.typ == "VersionUpdate" && u.status == "Successful" {
			v = u.param("Version")
		}
	}
	return v
}

// motoDefaultVersion is the version moto gives a node group created
// without one; EKS gives it the cluster's.
const motoDefaultVersion = "1.19"

// versionAt is the cluster's Kubernetes version at a time: the last version
// update done by then, else the version it was created with. s.mu is held.
func (s *Server) versionAt(cluster, created string, at time.Time) string {
	v := created
	for _, u := range s.eksUpdates {
		if u.cluster == cluster && u.nodegroup == "" && u.typ == "VersionUpdate" && u.status == "Successful" && u.done.Before(at) {
			v = u.param("Version")
		}
	}
	return v
}

// nodegroupVersion is a node group's Kubernetes version: its last version
// update's, else the one it was created with (for one created without,
// the cluster's at the time). s.mu is held.
func (s *Server) nodegroupVersion(cluster, nodegroup, motoVersion, clusterCreated string) string {
	if v := s.appliedVersion(cluster, nodegroup); v != "" {
		return v
	}
	if l := s.objects[objKey("nodegroup", cluster, nodegroup)]; l != nil && motoVersion == motoDefaultVersion && clusterCreated != "" {
		return s.versionAt(cluster, clusterCreated, l.Created)
	}
	return motoVersion
}

// forgetUpdates drops the updates of a deleted cluster. s.mu is held.
func (s *Server) forgetUpdates(cluster string) {
	s.eksUpdates = slices.DeleteFunc(s.eksUpdates, func(u *eksUpdate) bool { return u.cluster == cluster })
}

// describeUpdate answers DescribeUpdate for a cluster or node group update;
// false when the ID is not one of them.
func (s *Server) describeUpdate(w http.ResponseWriter, r *http.Request, c awsproxy.Call, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ng := r.URL.Query().Get("nodegroupName")
	for _, u := range s.eksUpdates {
		if u.id == id && u.cluster == c.Cluster && u.nodegroup == ng {
			writeJSON(w, http.StatusOK, map[string]any{"update": u.view()})
			return true
		}
	}
	return false
}

// listUpdates answers ListUpdates for a cluster or one of its node groups.
func (s *Server) listUpdates(w http.ResponseWriter, r *http.Request, c awsproxy.Call) {
	ng := r.URL.Query().Get("nodegroupName")
	if _, err := s.current(r.Context(), c.Cluster, ng); err != nil {
		eksError(w, http.StatusNotFound, "ResourceNotFoundException", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := []string{}
	for _, u := range s.eksUpdates {
		if u.cluster == c.Cluster && u.nodegroup == ng {
			ids = append(ids, u.id)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"updateIds": ids})
}

// motoPost sends a request localeks held back to moto, when its update is
// applied.
func (s *Server) motoPost(ctx context.Context, path string, header http.Header, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.opt.MotoURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = header.Clone()
	req.Header.Del("Content-Length")
	resp, err := s.moto.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("moto answered %s to %s", resp.Status, path)
	}
	return nil
}

// updatedView puts what the updates say into a DescribeCluster or
// DescribeNodegroup answer: UPDATING while one runs, the version the last
// version update set; clusterCreated is the version moto knows the
// cluster by (for node groups). s.mu is held.
func (s *Server) updatedView(cluster, nodegroup string, o map[string]any, clusterCreated string) {
	v := s.appliedVersion(cluster, nodegroup)
	if nodegroup != "" {
		mv, _ := o["version"].(string)
		v = s.nodegroupVersion(cluster, nodegroup, mv, clusterCreated)
	}
	if v != "" {
		o["version"] = v
		if nodegroup != "" {
			if rv, _ := o["releaseVersion"].(string); rv != "" && !strings.HasPrefix(rv, v+".") {
				o["releaseVersion"] = v + ".0-localeks"
			}
		}
	}
	if nodegroup != "" {
		s.launchTemplateView(cluster, nodegroup, o)
	} else {
		s.encryptionView(cluster, o)
	}
	if o["status"] == "ACTIVE" && s.runningUpdate(cluster, nodegroup) != nil {
		o["status"] = "UPDATING"
	}
}
