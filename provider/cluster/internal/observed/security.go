package observed

import "maps"

// Security is what the cluster's security parts found: its log groups'
// retention (0: no such group), the key the resource made, Fargate logging
// and the node groups' launch templates.
type Security struct {
	LogRetention int64
	// MadeKey is the ARN of the KMS key the resource made ("" when none).
	MadeKey string
	// FargateLogGroup is the Fargate pods' log group, when it exists;
	// FargateLogRetention its retention; FargateConfigMap whether the
	// aws-logging ConfigMap exists.
	FargateLogGroup     string
	FargateLogRetention int64
	FargateConfigMap    bool
	// LaunchTemplates are the node groups' launch templates, by node group.
	LaunchTemplates map[string]LaunchTemplate
}

// LaunchTemplate is the launch template a node group runs.
type LaunchTemplate struct {
	ID, Version string
	DiskSize    int64
}

// UpdateSecurity changes the recorded security settings under the lock.
func (r *Record) UpdateSecurity(f func(*Security)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.security.LaunchTemplates == nil {
		r.security.LaunchTemplates = map[string]LaunchTemplate{}
	}
	f(&r.security)
}

func (s Security) clone() Security {
	s.LaunchTemplates = maps.Clone(s.LaunchTemplates)
	return s
}
