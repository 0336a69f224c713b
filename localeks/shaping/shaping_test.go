package shaping

import (
	"fmt"
	"testing"
)

// Which calls of an operation lose their answer depends only on the seed
// and the operation, not on the other draws made between them (concurrent
// calls interleave differently on every run).
func TestLoseResponseRepeatable(t *testing.T) {
	cfg := Config{Seed: 6, ThrottleRate: 0.2, ErrorRate: 0.1, LostResponseRate: 0.5,
		LostResponseOps: []string{"CreateCluster", "CreateRole"}}
	run := func(interleave int) string {
		s := New()
		s.Set(cfg)
		out := ""
		for i := range 20 {
			for range (i * interleave) % 5 {
				s.Draw("eks")
				s.LoseResponse("CreateRole")
				s.UpdateFails()
			}
			out += fmt.Sprint(s.LoseResponse("CreateCluster"), " ")
		}
		return out
	}
	want := run(0)
	for _, k := range []int{1, 2, 3} {
		if got := run(k); got != want {
			t.Fatalf("interleaving %d changed CreateCluster's lost responses:\n got %s\nwant %s", k, got, want)
		}
	}
	s := New()
	s.Set(cfg)
	lost := 0
	for range 200 {
		if s.LoseResponse("CreateCluster") {
			lost++
		}
		if s.LoseResponse("DeleteCluster") {
			t.Fatal("an operation not in lost_response_ops lost its answer")
		}
	}
	if lost < 70 || lost > 130 {
		t.Fatalf("%d of 200 answers lost at rate 0.5", lost)
	}
}
