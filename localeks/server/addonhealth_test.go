package server

import (
	"testing"
	"time"

	"github.com/terrax/terraform-provider-fargate/localeks/sim"
)

// An add-on is CREATING until its workloads are installed and Ready, then
// ACTIVE; DEGRADED while its pods cannot run, until they are Ready again;
// an update is UPDATING until then, and starts from a clean slate.
func TestAddonStatus(t *testing.T) {
	t0 := time.Now()
	a := &addon{name: "coredns", created: t0}
	failing, ready, starting := &sim.Health{Failing: true}, &sim.Health{Ready: true}, &sim.Health{}
	step := func(at time.Duration, h *sim.Health, want string) {
		t.Helper()
		if got := a.status(t0.Add(at), time.Second, h); got != want {
			t.Fatalf("at %s with %+v: %s, want %s", at, h, got, want)
		}
	}
	step(0, ready, "CREATING")             // in its window
	step(2*time.Second, ready, "CREATING") // its workloads not installed yet
	a.health.applied = true
	step(2*time.Second, starting, "CREATING")
	step(2*time.Second, failing, "DEGRADED")
	step(3*time.Second, starting, "DEGRADED") // scheduled, not Ready yet
	step(3*time.Second, nil, "DEGRADED")
	step(4*time.Second, ready, "ACTIVE")
	step(5*time.Second, failing, "DEGRADED")
	step(6*time.Second, ready, "ACTIVE")
	a.updated, a.health.applied = t0.Add(10*time.Second), false
	step(10*time.Second, failing, "UPDATING")
	a.health.applied = true
	step(12*time.Second, ready, "ACTIVE")
}
