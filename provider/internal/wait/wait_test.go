package wait

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestUntil_doneAfterAttempts(t *testing.T) {
	n := 0
	err := Until(context.Background(), Delays{Min: time.Millisecond, Max: 4 * time.Millisecond}, func(context.Context) (bool, error) {
		n++
		return n == 3, nil
	})
	if err != nil || n != 3 {
		t.Fatalf("Until = %v after %d checks, want nil after 3", err, n)
	}
}

func TestUntil_stopReturnsAtOnce(t *testing.T) {
	final := errors.New("final")
	n := 0
	err := Until(context.Background(), Fixed(time.Millisecond), func(context.Context) (bool, error) {
		n++
		return false, Stop(final)
	})
	if !errors.Is(err, final) || n != 1 {
		t.Fatalf("Until = %v after %d checks, want %v after 1", err, n, final)
	}
	var s stopError
	if errors.As(err, &s) {
		t.Fatalf("Until returned the Stop wrapper itself: %#v", err)
	}
}

func TestUntil_contextEndsWithLastError(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	busy := errors.New("busy")
	err := Until(ctx, Fixed(2*time.Millisecond), func(context.Context) (bool, error) { return false, busy })
	if !errors.Is(err, busy) || !errors.Is(err, ErrGaveUp) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Until = %v, want it to wrap the last error, ErrGaveUp and the deadline", err)
	}
}

func TestRetry_nonRetryableReturnedAsIs(t *testing.T) {
	other := errors.New("other")
	n := 0
	err := Retry(context.Background(), Fixed(time.Millisecond), func(err error) bool { return err.Error() == "busy" }, func(context.Context) error {
		n++
		if n < 3 {
			return errors.New("busy")
		}
		return other
	})
	if err != other || n != 3 {
		t.Fatalf("Retry = %v after %d calls, want %v after 3", err, n, other)
	}
}

func TestDelays_doubleToMaxWithinJitter(t *testing.T) {
	d := Delays{Min: 10 * time.Millisecond, Max: 40 * time.Millisecond}
	var cur time.Duration
	var got []time.Duration
	for range 4 {
		var p time.Duration
		p, cur = d.next(cur)
		got = append(got, p)
	}
	want := []time.Duration{10, 20, 40, 40}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("pauses = %v, want %v ms", got, want)
		}
	}
	d.Jitter = true
	cur = 0
	for range 50 {
		var p time.Duration
		bound := max(cur, d.Min)
		p, cur = d.next(cur)
		if p < d.Min || p > bound {
			t.Fatalf("jittered pause %v outside [%v, %v]", p, d.Min, bound)
		}
	}
}

func TestUntil_relativePausesFollowTheWait(t *testing.T) {
	d := Delays{Min: 2 * time.Millisecond, Max: 20 * time.Millisecond, Relative: 4}
	var at []time.Duration
	start := time.Now()
	err := Until(context.Background(), d, func(context.Context) (bool, error) {
		at = append(at, time.Since(start))
		return time.Since(start) > 60*time.Millisecond, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(at); i++ {
		pause, floor := at[i]-at[i-1], max(at[i-1]/4, d.Min)
		if pause < floor {
			t.Fatalf("check %d came %v after the one at %v, want at least %v (a quarter of the wait so far)", i, pause, at[i-1], floor)
		}
	}
	// Far fewer checks than a fixed Min pause would make.
	if len(at) > 20 {
		t.Fatalf("%d checks in %v, want the pauses to grow with the wait", len(at), at[len(at)-1])
	}
}

func TestDelays_expectedLengthPollsClosely(t *testing.T) {
	d := Delays{Min: 250 * time.Millisecond, Max: time.Second, Relative: 60, Expect: 4 * time.Second}
	for _, c := range []struct{ pause, elapsed, want time.Duration }{
		{250 * time.Millisecond, time.Second, 250 * time.Millisecond},             // far from it: as usual
		{250 * time.Millisecond, 3500 * time.Millisecond, 100 * time.Millisecond}, // not past 90%
		{250 * time.Millisecond, 3700 * time.Millisecond, 40 * time.Millisecond},  // close to it: closely
		{250 * time.Millisecond, 5 * time.Second, 250 * time.Millisecond},         // past 120%: as usual
	} {
		if got := d.expected(c.pause, c.elapsed); got != c.want {
			t.Errorf("after %v: pause %v, want %v", c.elapsed, got, c.want)
		}
	}
	if got := (Delays{}).expected(time.Second, time.Second); got != time.Second {
		t.Errorf("without Expect: pause %v, want it unchanged", got)
	}
}
