package children

import (
	"context"
	"testing"
	"time"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
)

// Profile operations one after the other: each one's waits expect the
// length of the previous operation of the same kind, across calls (the
// profiles CoreDNS needs, then the others), creates and deletes apart; a
// fixed poll_interval polls as it is told.
func TestOneByOne_expectsThePreviousLength(t *testing.T) {
	relative := conns.DefaultTiming()
	ch := New(&conns.Client{Timing: relative}, owned.Owner{Cluster: "c"})
	var seen []time.Duration
	op := func(took time.Duration) func(*conns.Client, string) error {
		return func(c *conns.Client, _ string) error {
			seen = append(seen, c.Timing.ProfilePoll.Expect)
			time.Sleep(took)
			return nil
		}
	}
	ctx := context.Background()
	if err := ch.oneByOne(ctx, &ch.lastCreate, []string{"a", "b"}, op(40*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if err := ch.oneByOne(ctx, &ch.lastCreate, []string{"c"}, op(0)); err != nil {
		t.Fatal(err)
	}
	if err := ch.oneByOne(ctx, &ch.lastDelete, []string{"a"}, op(0)); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 4 || seen[0] != 0 || seen[1] < 40*time.Millisecond || seen[2] < 40*time.Millisecond || seen[3] != 0 {
		t.Fatalf("expected lengths %v: want none for the first create, the previous create's (>= 40ms) for the next two, none for the first delete", seen)
	}
	if ch.c.Timing.ProfilePoll.Expect != 0 {
		t.Fatal("oneByOne changed the shared client's timing")
	}

	fixed := New(&conns.Client{Timing: conns.FixedTiming(time.Second)}, owned.Owner{Cluster: "c"})
	seen = nil
	if err := fixed.oneByOne(ctx, &fixed.lastCreate, []string{"a", "b"}, op(time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if seen[1] != 0 {
		t.Fatalf("a fixed poll_interval got an expected length %v", seen[1])
	}
}
