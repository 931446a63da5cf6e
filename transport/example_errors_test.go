package transport_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// A Sender wraps an error no retry can fix with Permanent: Retry gives up
// after the first attempt, and the cause stays visible to errors.Is.
func ExamplePermanent() {
	errSchema := errors.New("collector: schema v1 no longer accepted")
	calls := 0
	s := transport.SenderFunc(func(context.Context, []*connected.Record) error {
		calls++
		return transport.Permanent(fmt.Errorf("send: %w", errSchema))
	})
	r, err := transport.NewRetry(s, transport.WithBackoff(time.Millisecond, 5*time.Millisecond))
	if err != nil {
		panic(err)
	}
	err = r.Send(context.Background(), []*connected.Record{{ID: "m1"}, {ID: "m2"}})
	var be *transport.BatchError
	fmt.Println(calls, transport.IsRetryable(err), errors.Is(err, errSchema), errors.As(err, &be), be.Failed)
	fmt.Println(transport.Permanent(nil) == nil)
	// Output:
	// 1 false true true [0 1]
	// true
}

// A Sender that delivers record by record (a broker producer, say) reports
// which records failed and whether a retry may help; Outcome, as the
// Batcher and Retry do, reads the indexes back.
func ExampleBatchOutcome() {
	produce := func(r *connected.Record) error { // the broker's answer per record
		switch r.ID {
		case "m1":
			return transport.Permanent(errors.New("message too large"))
		case "m3":
			return errors.New("not leader for partition") // transient
		}
		return nil
	}
	s := transport.SenderFunc(func(_ context.Context, batch []*connected.Record) error {
		var perm, retry []int
		var permErr, retryErr error
		for i, r := range batch {
			switch err := produce(r); {
			case err == nil:
			case transport.IsRetryable(err):
				retry, retryErr = append(retry, i), err
			default:
				perm, permErr = append(perm, i), err
			}
		}
		return transport.BatchOutcome(perm, retry, permErr, retryErr)
	})
	batch := []*connected.Record{{ID: "m0"}, {ID: "m1"}, {ID: "m2"}, {ID: "m3"}}
	err := s.Send(context.Background(), batch)
	perm, retry := transport.Outcome(err, len(batch))
	fmt.Println(perm, retry)
	fmt.Println(err)
	fmt.Println(transport.BatchOutcome(nil, nil, nil, nil)) // all delivered
	// Output:
	// [1] [3]
	// transport: 1 record failed permanently: message too large
	// transport: 1 record failed retryably: not leader for partition
	// <nil>
}
