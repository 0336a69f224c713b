// Package wait is the provider's one wait/retry primitive. Every wait for
// an AWS or Kubernetes state and every retry of a call that AWS answers with
// "not yet" goes through Until, with its delays passed in as Delays, so a
// test (or `make bench`) sets the timing through the provider's
// configuration instead of package globals.
package wait

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Delays bound the pause between two attempts: the first pause is Min, each
// next one doubles up to Max. With Jitter, each pause is drawn between Min
// and the current bound, so that two waiters polling the same object do not
// take turns in lock step (EKS's one Fargate profile operation at a time).
//
// With Relative n > 0, each pause is instead the time waited so far
// divided by n, between Min and Max: a transition is then noticed late by
// at most 1/n of the wait (and Min), whatever the operation's length, and
// a long wait costs few calls (about n for each e-fold of its length).
//
// With Expect, the length of the same operation just before (EKS's
// Fargate profile deletes, one after the other, take about as long each),
// the checks come closely (every hundredth of it, at least 20 ms) from 90%
// to 120% of it, and the pause before never runs past 90% of it.
type Delays struct {
	Min, Max time.Duration
	Jitter   bool
	Relative int
	Expect   time.Duration
}

// expected shortens pause, after elapsed, around the expected length.
func (d Delays) expected(pause, elapsed time.Duration) time.Duration {
	e := d.Expect
	if e <= 0 {
		return pause
	}
	lo, hi := e*9/10, e*6/5
	switch {
	case elapsed < lo:
		return min(pause, lo-elapsed)
	case elapsed < hi:
		return min(pause, max(e/100, 20*time.Millisecond))
	}
	return pause
}

// Fixed returns delays that never change: every pause is d.
func Fixed(d time.Duration) Delays { return Delays{Min: d, Max: d} }

// next returns the pause after cur and the new bound.
func (d Delays) next(cur time.Duration) (pause, bound time.Duration) {
	if cur <= 0 {
		cur = d.Min
	}
	pause = cur
	if d.Jitter && cur > d.Min {
		pause = d.Min + rand.N(cur-d.Min+1)
	}
	bound = min(2*cur, max(d.Max, d.Min))
	return pause, bound
}

// Stop wraps an error that no further attempt can cure: Until returns the
// wrapped error at once.
func Stop(err error) error {
	if err == nil {
		return nil
	}
	return stopError{err}
}

type stopError struct{ error }

func (e stopError) Unwrap() error { return e.error }

// ErrGaveUp is wrapped by Until's error when ctx ended first.
var ErrGaveUp = errors.New("gave up waiting")

// Until calls check until it reports done, returns an error wrapped by Stop
// (returned unwrapped), or ctx ends. Errors that are not Stop errors are
// retried: return Stop(err) for the ones that are final. When ctx ends, the
// error names the last error check returned, if any, and wraps ErrGaveUp
// and ctx's cause.
func Until(ctx context.Context, d Delays, check func(context.Context) (done bool, err error)) error {
	var cur time.Duration
	start := time.Now()
	for {
		done, err := check(ctx)
		var stop stopError
		if errors.As(err, &stop) {
			return stop.error
		}
		if err == nil && done {
			return nil
		}
		var pause time.Duration
		elapsed := time.Since(start)
		if d.Relative > 0 {
			pause = min(max(elapsed/time.Duration(d.Relative), d.Min), max(d.Max, d.Min))
		} else {
			pause, cur = d.next(cur)
		}
		pause = d.expected(pause, elapsed)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			if err != nil {
				return fmt.Errorf("%w (%w: %w)", err, ErrGaveUp, context.Cause(ctx))
			}
			return fmt.Errorf("%w: %w", ErrGaveUp, context.Cause(ctx))
		case <-t.C:
		}
	}
}

// Retry calls f until it succeeds, fails with an error for which retryable
// is false (returned as it is), or ctx ends (the last error, wrapping
// ErrGaveUp and ctx's cause).
func Retry(ctx context.Context, d Delays, retryable func(error) bool, f func(context.Context) error) error {
	return Until(ctx, d, func(ctx context.Context) (bool, error) {
		err := f(ctx)
		if err != nil && !retryable(err) {
			return false, Stop(err)
		}
		return err == nil, err
	})
}
