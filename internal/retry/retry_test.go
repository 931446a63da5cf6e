package retry

import (
	"errors"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestScheduleGrowsAndCaps(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0)}
	p := Policy{Initial: 100 * time.Millisecond, Max: time.Second, Multiplier: 2, Jitter: 0}
	s := p.Start(c.now)
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		got, ok := s.Next(0)
		if !ok || got != w*time.Millisecond {
			t.Fatalf("wait %d = %v, %v; want %v", i, got, ok, w*time.Millisecond)
		}
		c.t = c.t.Add(got)
	}
	if s.Attempts() != len(want) {
		t.Fatalf("Attempts = %d", s.Attempts())
	}
	if _, ok := s.Deadline(); ok {
		t.Fatal("deadline without budget")
	}
}

func TestScheduleJitterWithinBounds(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0)}
	p := Policy{Initial: time.Second, Max: time.Second, Multiplier: 1, Jitter: 0.5}
	s := p.Start(c.now)
	seen := map[time.Duration]bool{}
	for range 200 {
		w, ok := s.Next(0)
		if !ok || w < 500*time.Millisecond || w > 1500*time.Millisecond {
			t.Fatalf("wait %v outside [0.5s, 1.5s]", w)
		}
		seen[w] = true
	}
	if len(seen) < 10 {
		t.Fatalf("jitter produced only %d distinct waits", len(seen))
	}
}

func TestScheduleRetryAfterIsMinimumAndBudgetStops(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0)}
	p := Policy{Initial: 10 * time.Millisecond, Max: 20 * time.Millisecond, Multiplier: 2, Budget: 5 * time.Second}
	s := p.Start(c.now)
	w, ok := s.Next(2 * time.Second)
	if !ok || w != 2*time.Second {
		t.Fatalf("Next(2s) = %v, %v", w, ok)
	}
	c.t = c.t.Add(w)
	w, ok = s.Next(2 * time.Second)
	if !ok || w != 2*time.Second {
		t.Fatalf("second Next(2s) = %v, %v", w, ok)
	}
	c.t = c.t.Add(w)
	if w, ok = s.Next(2 * time.Second); ok {
		t.Fatalf("Next past the budget = %v, true", w)
	}
	if d, ok := s.Deadline(); !ok || !d.Equal(time.Unix(1005, 0)) {
		t.Fatalf("Deadline = %v, %v", d, ok)
	}
}

func TestPolicyValidate(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []Policy{
		{},
		{Initial: time.Second, Max: time.Millisecond, Multiplier: 2},
		{Initial: time.Second, Max: time.Second, Multiplier: 0.5},
		{Initial: time.Second, Max: time.Second, Multiplier: 2, Jitter: 2},
		{Initial: time.Second, Max: time.Second, Multiplier: 2, Budget: -1},
	}
	for i, p := range bad {
		if p.Validate() == nil {
			t.Errorf("policy %d %+v validated", i, p)
		}
	}
}

func TestPermanent(t *testing.T) {
	base := errors.New("boom")
	err := Permanent(base)
	if !IsPermanent(err) || !errors.Is(err, base) {
		t.Fatalf("Permanent lost its meaning: %v", err)
	}
	if IsPermanent(base) {
		t.Fatal("plain error reported permanent")
	}
}

func TestScheduleErrSaysWhichLimit(t *testing.T) {
	c := &fakeClock{t: time.Unix(1000, 0)}
	p := Policy{Initial: 10 * time.Millisecond, Max: 40 * time.Second, Multiplier: 2, Budget: time.Minute}

	// A minimum wait (Retry-After) that alone reaches past the budget.
	s := p.Start(c.now)
	if _, ok := s.Next(time.Minute + time.Second); ok || !errors.Is(s.Err(), ErrMinWaitBeyondBudget) {
		t.Fatalf("Next(1m1s) with a 1m budget: ok=%v err=%v, want ErrMinWaitBeyondBudget", ok, s.Err())
	}
	if w, ok := s.Next(59 * time.Second); !ok || w != 59*time.Second || s.Err() != nil {
		t.Fatalf("Next(59s) at 0s of 1m = %v, %v, %v", w, ok, s.Err())
	}

	// The backoff itself running out of budget.
	s = p.Start(c.now)
	c.t = c.t.Add(59*time.Second + 995*time.Millisecond)
	if _, ok := s.Next(0); ok || !errors.Is(s.Err(), ErrBudgetExhausted) {
		t.Fatalf("Next(0) 5ms before the end: ok=%v err=%v, want ErrBudgetExhausted", ok, s.Err())
	}
	if s.Elapsed() != 59*time.Second+995*time.Millisecond || s.Budget() != time.Minute {
		t.Fatalf("Elapsed %v Budget %v", s.Elapsed(), s.Budget())
	}
}
