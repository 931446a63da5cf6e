// Package retry computes jittered exponential backoff schedules with a cap
// and a total-time budget. It is the only package of the module that imports
// github.com/cenkalti/backoff/v4, so that an upgrade of that dependency is a
// change to this one file.
//
// A Schedule is a plain state machine: it never sleeps and never starts a
// goroutine. The caller takes the wait from Next and sleeps however it likes
// (a timer honouring a context, a fake clock in tests).
package retry

import (
	"errors"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Policy describes a backoff schedule. The zero value is not valid; start
// from Default and change fields.
type Policy struct {
	// Initial is the first wait before jitter. Must be > 0.
	Initial time.Duration
	// Max caps each wait before jitter is applied. Must be >= Initial.
	Max time.Duration
	// Multiplier grows the wait after each attempt. Must be >= 1.
	Multiplier float64
	// Jitter is the randomization factor in [0, 1]: each wait is drawn
	// uniformly from [w*(1-Jitter), w*(1+Jitter)].
	Jitter float64
	// Budget is the total time, from Start, after which no further attempt
	// is scheduled. Zero means no budget (retry forever).
	Budget time.Duration
}

// Default returns 100 ms doubling to 30 s, ±50 % jitter, one minute in total.
func Default() Policy {
	return Policy{Initial: 100 * time.Millisecond, Max: 30 * time.Second, Multiplier: 2, Jitter: 0.5, Budget: time.Minute}
}

// Validate reports whether p describes a usable schedule.
func (p Policy) Validate() error {
	switch {
	case p.Initial <= 0:
		return fmt.Errorf("retry: initial backoff %v must be > 0", p.Initial)
	case p.Max < p.Initial:
		return fmt.Errorf("retry: max backoff %v must be >= initial backoff %v", p.Max, p.Initial)
	case !(p.Multiplier >= 1):
		return fmt.Errorf("retry: multiplier %v must be >= 1", p.Multiplier)
	case !(p.Jitter >= 0 && p.Jitter <= 1):
		return fmt.Errorf("retry: jitter %v must be in [0, 1]", p.Jitter)
	case p.Budget < 0:
		return fmt.Errorf("retry: budget %v must be >= 0", p.Budget)
	}
	return nil
}

var (
	// ErrBudgetExhausted is returned by Schedule.Err when Next refused a
	// wait because the backoff would end after the budget.
	ErrBudgetExhausted = errors.New("retry: time budget exhausted")
	// ErrMinWaitBeyondBudget is returned by Schedule.Err when Next refused
	// a wait because the minimum wait it was given (a server's Retry-After)
	// alone would end after the budget, whatever the backoff.
	ErrMinWaitBeyondBudget = errors.New("retry: minimum wait reaches past the time budget")
)

type clockFunc func() time.Time

func (c clockFunc) Now() time.Time { return c() }

// Schedule is one running backoff sequence. It is not safe for concurrent use.
type Schedule struct {
	b      *backoff.ExponentialBackOff
	budget time.Duration
	start  time.Time
	now    func() time.Time
	tries  int
	err    error
}

// Start begins a schedule at now(). now must not be nil.
func (p Policy) Start(now func() time.Time) *Schedule {
	b := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(p.Initial),
		backoff.WithMaxInterval(p.Max),
		backoff.WithMultiplier(p.Multiplier),
		backoff.WithRandomizationFactor(p.Jitter),
		backoff.WithMaxElapsedTime(0), // the budget is enforced here, Retry-After included
		backoff.WithClockProvider(clockFunc(now)),
	)
	return &Schedule{b: b, budget: p.Budget, start: now(), now: now}
}

// Next returns the wait before the next attempt: the jittered exponential
// backoff, raised to minWait (a server's Retry-After) when that is longer.
// ok is false when the attempt would start after the budget ends; the
// caller then gives up, and Err says which limit it met.
func (s *Schedule) Next(minWait time.Duration) (wait time.Duration, ok bool) {
	s.tries++
	s.err = nil
	wait = s.b.NextBackOff()
	if wait == backoff.Stop { // cannot happen with MaxElapsedTime 0; be safe
		s.err = ErrBudgetExhausted
		return 0, false
	}
	if s.budget > 0 {
		elapsed := s.now().Sub(s.start)
		switch {
		case minWait > 0 && elapsed+minWait > s.budget:
			s.err = ErrMinWaitBeyondBudget
			return 0, false
		case elapsed+max(wait, minWait) > s.budget:
			s.err = ErrBudgetExhausted
			return 0, false
		}
	}
	return max(wait, minWait), true
}

// Err returns why the last call to Next refused a wait
// (ErrMinWaitBeyondBudget or ErrBudgetExhausted), or nil if it did not.
func (s *Schedule) Err() error { return s.err }

// Elapsed returns the time since the schedule started.
func (s *Schedule) Elapsed() time.Duration { return s.now().Sub(s.start) }

// Budget returns the policy's budget; 0 means none.
func (s *Schedule) Budget() time.Duration { return s.budget }

// Deadline returns when the budget ends, and false when there is none.
func (s *Schedule) Deadline() (time.Time, bool) {
	if s.budget == 0 {
		return time.Time{}, false
	}
	return s.start.Add(s.budget), true
}

// Attempts returns how many waits Next has handed out.
func (s *Schedule) Attempts() int { return s.tries }

// Permanent marks err as not worth retrying, in the form backoff/v4
// recognises; IsPermanent reports it. Unwrapping the result yields err.
func Permanent(err error) error { return backoff.Permanent(err) }

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p *backoff.PermanentError
	return errors.As(err, &p)
}
