package server

import "encoding/json"

// A node group made with a launch template moves to a new version of it
// with UpdateNodegroupVersion's launchTemplate (EKS API reference,
// UpdateNodegroupVersion: "launchTemplate: An object representing a node
// group's launch template specification. You can only update a node group
// using a launch template if the node group was originally deployed with a
// launch template."). moto has no UpdateNodegroupVersion: the version is
// kept in the update's params, and DescribeNodegroup reports it once the
// update succeeds.

// planLaunchTemplate adds a launch template change to a node group version
// update.
func planLaunchTemplate(u *eksUpdate, cur *state, body map[string]any) *updateError {
	lt, ok := body["launchTemplate"].(map[string]any)
	if !ok {
		return nil
	}
	have := cur.nodegroup.LaunchTemplate
	if have == nil {
		return invalid("You cannot specify a launch template for node group %s: it was not created with one", *cur.nodegroup.NodegroupName)
	}
	id, _ := lt["id"].(string)
	name, _ := lt["name"].(string)
	if (id != "" && have.Id != nil && id != *have.Id) || (name != "" && have.Name != nil && name != *have.Name) {
		return invalid("The launch template of node group %s cannot be replaced by another one, only by a version of it", *cur.nodegroup.NodegroupName)
	}
	version, _ := lt["version"].(string)
	if version == "" {
		return invalid("launchTemplate.version is required")
	}
	if have.Name != nil {
		u.params = append(u.params, map[string]string{"type": "LaunchTemplateName", "value": *have.Name})
	}
	u.params = append(u.params, map[string]string{"type": "LaunchTemplateVersion", "value": version})
	return nil
}

// requestedUpdateConfig is a CreateNodegroup request's updateConfig, nil
// when it has none.
func requestedUpdateConfig(body []byte) map[string]any {
	var req struct {
		UpdateConfig map[string]any `json:"updateConfig"`
	}
	_ = json.Unmarshal(body, &req)
	return req.UpdateConfig
}

// launchTemplateView makes a DescribeNodegroup answer EKS's: the update
// config (the one created with, else EKS's default of one node; moto keeps
// none from CreateNodegroup), no diskSize beside a launch template (EKS
// refuses both together; moto reports its default), and the launch template
// version the last successful update of the node group set. s.mu is held.
func (s *Server) launchTemplateView(cluster, nodegroup string, o map[string]any) {
	if o["updateConfig"] == nil {
		o["updateConfig"] = map[string]any{"maxUnavailable": 1}
		if l := s.objects[objKey("nodegroup", cluster, nodegroup)]; l != nil && l.updateConfig != nil {
			o["updateConfig"] = l.updateConfig
		}
	}
	lt, ok := o["launchTemplate"].(map[string]any)
	if !ok {
		return
	}
	delete(o, "diskSize")
	for _, u := range s.eksUpdates {
		if u.cluster == cluster && u.nodegroup == nodegroup && u.typ == "VersionUpdate" && u.status == "Successful" {
			if v := u.param("LaunchTemplateVersion"); v != "" {
				lt["version"] = v
			}
		}
	}
}
