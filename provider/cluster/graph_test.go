package cluster

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// graph starts each step once what it needs succeeded, runs the others at
// once, skips what needs a failed step and lets every started step end.
func TestGraph(t *testing.T) {
	var mu sync.Mutex
	var log []string
	note := func(s string) { mu.Lock(); log = append(log, s); mu.Unlock() }
	step := func(name string, d time.Duration, err error) func(context.Context) error {
		return func(context.Context) error {
			note(name + " start")
			time.Sleep(d)
			note(name + " end")
			return err
		}
	}
	boom := errors.New("boom")
	err := graph(context.Background(),
		task{"a", nil, step("a", 20*time.Millisecond, nil)},
		task{"slow", nil, step("slow", 60*time.Millisecond, nil)},
		task{"b", needs("a"), step("b", 0, boom)},
		task{"c", needs("a", "slow"), step("c", 0, nil)},
		task{"d", needs("b"), step("d", 0, nil)},
	)
	if !errors.Is(err, boom) {
		t.Fatalf("graph = %v, want the failure of b", err)
	}
	at := func(s string) int { return slices.Index(log, s) }
	if at("b start") < at("a end") || at("b start") > at("slow end") {
		t.Errorf("b should start once a is done, without waiting for slow: %v", log)
	}
	if at("c start") < at("slow end") {
		t.Errorf("c started before all it needs were done: %v", log)
	}
	if at("d start") >= 0 {
		t.Errorf("d ran although b, which it needs, failed: %v", log)
	}
	if at("slow end") < 0 {
		t.Errorf("a failure cancelled a started step: %v", log)
	}
}

func TestGraph_unknownNeed(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a step needing a step the operation does not have should panic")
		}
	}()
	_ = graph(context.Background(), task{"a", needs("missing"), func(context.Context) error { return nil }})
}
