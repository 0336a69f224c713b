package server

import (
	"context"
	"time"

	"github.com/terrax/terraform-provider-fargate/localeks/sim"
)

// addonHealth is what localeks has seen of an add-on's workloads, as EKS's
// health check does ("Amazon EKS add-ons", user guide: an add-on is
// CREATING until its pods run, then ACTIVE; DEGRADED, with the issue
// InsufficientNumberOfReplicas, while they cannot; ACTIVE again when they
// can).
type addonHealth struct {
	applied   bool // the add-on's workloads are installed as configured
	everReady bool
	degraded  bool
}

// status is the add-on's status now, health being its workloads' (nil when
// not read: the last one seen holds). s.mu is held.
func (a *addon) status(now time.Time, window time.Duration, health *sim.Health) string {
	h := &a.health
	inWindow := now.Before(a.created.Add(window)) || (!a.updated.IsZero() && now.Before(a.updated.Add(window)))
	if health != nil && h.applied && !inWindow {
		switch {
		case health.Failing:
			h.degraded = true
		case health.Ready:
			h.degraded, h.everReady = false, true
		}
	}
	starting := "CREATING"
	if !a.updated.IsZero() {
		starting = "UPDATING" // an update restarts the health check
	}
	switch {
	case inWindow || !h.applied:
		if h.everReady {
			return "UPDATING"
		}
		return starting
	case h.degraded:
		return "DEGRADED"
	case !h.everReady:
		return starting
	}
	return "ACTIVE"
}

// workloadHealth reads the add-on's workloads in the cluster; nil when the
// cluster's Kubernetes does not answer.
func (s *Server) workloadHealth(ctx context.Context, cl *Cluster, name string) *sim.Health {
	k := cl.Kube()
	if k == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	h, err := sim.AddonHealth(ctx, k, name)
	if err != nil {
		s.logf("cluster %s: reading the %s add-on's workloads: %v", cl.Name, name, err)
		return nil
	}
	return &h
}

// applied records that the add-on's workloads are installed as configured.
func (s *Server) applied(a *addon) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a.health.applied = true
}

// addonStatus is the add-on's status now ("" when the cluster has none).
func (c *Cluster) addonStatus(name string) string {
	s := c.s
	window := s.Shaper.Get().AddonCreate.Duration
	health := s.workloadHealth(context.Background(), c, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.addons[c.Name][name]
	if a == nil {
		return ""
	}
	return a.status(time.Now(), window, health)
}
