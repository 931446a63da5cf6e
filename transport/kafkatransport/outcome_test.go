package kafkatransport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/internal/brokersend"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

func TestRetryableClassification(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{kerr.NotLeaderForPartition, true},
		{kerr.NotEnoughReplicas, true},
		{kerr.RequestTimedOut, true},
		{kerr.MessageTooLarge, false},
		{kerr.TopicAuthorizationFailed, false},
		{kerr.InvalidRecord, false},
		{fmt.Errorf("wrapped: %w", kerr.UnknownTopicOrPartition), true},
		{kgo.ErrRecordTimeout, true},
		{kgo.ErrRecordRetries, true},
		{kgo.ErrMaxBuffered, true},
		{kgo.ErrClientClosed, false},
		{kgo.ErrAborting, false},
		{context.Canceled, false},
		{context.DeadlineExceeded, false},
		{transport.Permanent(errors.New("connected: record x has no payload")), false},
		{io.ErrUnexpectedEOF, true},
	} {
		if got := retryable(tc.err); got != tc.want {
			t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// A batch with both kinds of failure returns two BatchErrors, joined, that
// transport.Outcome splits by index.
func TestOutcomeJoinsPermanentAndRetryable(t *testing.T) {
	s := &Sender{core: brokersend.Core{Name: "kafkatransport"}}
	batch := make([]*connected.Record, 5)
	for i := range batch {
		batch[i] = &connected.Record{ID: fmt.Sprint("id-", i), Payload: []byte("{}"), Time: time.Unix(0, 0)}
	}
	errs := []error{nil, kerr.MessageTooLarge, kgo.ErrRecordTimeout, nil, kerr.TopicAuthorizationFailed}
	err := s.outcome(context.Background(), batch, errs)
	perm, retry := transport.Outcome(err, len(batch))
	if !slices.Equal(perm, []int{1, 4}) || !slices.Equal(retry, []int{2}) {
		t.Fatalf("Outcome(%v) = permanent %v, retryable %v; want [1 4] and [2]", err, perm, retry)
	}
	var re *RecordError
	if !errors.As(err, &re) || re.ID != "id-1" {
		t.Errorf("first cause %v, want the RecordError of id-1", re)
	}
	if !errors.Is(err, kgo.ErrRecordTimeout) || !errors.Is(err, kerr.MessageTooLarge) {
		t.Errorf("%v does not carry both causes", err)
	}
	if st := s.Stats(); st.Delivered != 2 || st.Bytes != 4 {
		t.Errorf("stats %+v: want 2 delivered, 4 bytes", st)
	}
	// The caller's cancellation overrides per-record causes.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.outcome(ctx, batch, errs); !errors.Is(err, context.Canceled) || transport.IsRetryable(err) {
		t.Errorf("outcome after cancel: %v", err)
	}
}
