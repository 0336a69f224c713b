package server

import (
	"encoding/json"
	"slices"
)

// Envelope encryption of Secrets added to an existing cluster
// (AssociateEncryptionConfig, EKS API reference: "You can use this API to
// enable encryption on existing clusters that don't already have
// encryption enabled"). moto has no such call and keeps only the
// encryption a cluster was created with: localeks answers it with an
// Update of type AssociateEncryptionConfig, and DescribeCluster reports
// the configuration once the update succeeds. EKS never removes it.

// planEncryption refuses a second encryption configuration, and one for
// other resources than secrets or without a key (the wording is
// localeks').
func (s *Server) planEncryption(u *eksUpdate, cur *state, body map[string]any) *updateError {
	cfgs, _ := body["encryptionConfig"].([]any)
	s.mu.Lock()
	associated := s.associatedEncryption(u.cluster, true) != nil
	s.mu.Unlock()
	if len(cur.cluster.EncryptionConfig) > 0 || associated {
		return invalid("Encryption is already enabled on cluster %s; it cannot be changed or removed", u.cluster)
	}
	if len(cfgs) != 1 {
		return invalid("encryptionConfig must hold exactly one configuration")
	}
	cfg, _ := cfgs[0].(map[string]any)
	provider, _ := cfg["provider"].(map[string]any)
	resources, _ := cfg["resources"].([]any)
	// resources is deprecated (EKS encrypts all Kubernetes API data); when
	// given, it names secrets.
	if key, _ := provider["keyArn"].(string); key == "" || (resources != nil && !slices.Equal(resources, []any{"secrets"})) {
		return invalid("encryptionConfig needs provider.keyArn, and resources, when given, [\"secrets\"]")
	}
	b, _ := json.Marshal(cfgs)
	u.typ = "AssociateEncryptionConfig"
	u.params = []map[string]string{{"type": "EncryptionConfig", "value": string(b)}}
	return nil
}

// associatedEncryption is the configuration of the cluster's successful
// (or, with running, also in progress) AssociateEncryptionConfig update.
// s.mu is held.
func (s *Server) associatedEncryption(cluster string, running bool) []any {
	for _, u := range s.eksUpdates {
		if u.cluster == cluster && u.nodegroup == "" && u.typ == "AssociateEncryptionConfig" &&
			(u.status == "Successful" || (running && u.status == "InProgress")) {
			var cfgs []any
			_ = json.Unmarshal([]byte(u.param("EncryptionConfig")), &cfgs)
			return cfgs
		}
	}
	return nil
}

// encryptionView puts an associated configuration into a DescribeCluster
// answer. s.mu is held.
func (s *Server) encryptionView(cluster string, o map[string]any) {
	if cfgs := s.associatedEncryption(cluster, false); cfgs != nil {
		o["encryptionConfig"] = cfgs
	}
}
