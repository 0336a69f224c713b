package shaping

import (
	"testing"
	"time"
)

// The pace fills what a configuration leaves zero with EKS's durations
// divided by the compression; what it sets stays; off leaves zeros.
func TestPace(t *testing.T) {
	s := New()
	s.Set(Config{ProfileCreate: Duration{3 * time.Second}})
	c := s.Get()
	if c.ClusterCreate.Duration != 10*time.Minute/DefaultCompression || c.ProfileCreate.Duration != 3*time.Second ||
		c.FargatePodStart.Duration != 30*time.Second/DefaultCompression {
		t.Fatalf("default pace: cluster %s, profile %s, Fargate pod %s; want 10 min and 30 s compressed, the 3s set", c.ClusterCreate, c.ProfileCreate, c.FargatePodStart)
	}
	for range 20 {
		if d := s.FargateStart(); d < 30*time.Second/DefaultCompression || d >= 60*time.Second/DefaultCompression {
			t.Fatalf("a Fargate pod starts in %s, want 30-60 s compressed", d)
		}
	}
	s.SetPace(Pace{Compression: 10})
	if c := s.Get(); c.ClusterCreate.Duration != time.Minute {
		t.Fatalf("at 10x a cluster takes %s, want 1m", c.ClusterCreate)
	}
	s.SetPace(Pace{Off: true})
	if c := s.Get(); c.ClusterCreate.Duration != 0 || c.ProfileCreate.Duration != 3*time.Second || s.FargateStart() != 0 {
		t.Fatalf("pace off: %+v", c)
	}
	if s.Explicit().ClusterCreate.Duration != 0 {
		t.Fatal("Explicit includes the pace")
	}
}
