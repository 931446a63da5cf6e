package transport_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// rec builds a valid record with id "id-<i>" and a payload of roughly pad
// extra bytes.
func rec(i int, pk string) *connected.Record {
	id := fmt.Sprintf("id-%06d", i)
	payload := fmt.Sprintf(`{"type":"track","messageId":%q,"userId":"u-%d","event":"e","originalTimestamp":"2026-03-01T12:00:00.000Z","context":{"dataCategory":"behavioral"}}`, id, i%7)
	return &connected.Record{ID: id, Type: connected.TypeTrack, Time: t0, Category: connected.CategoryBehavioral, PartitionKey: pk, Payload: []byte(payload)}
}

func recs(n int) []*connected.Record {
	out := make([]*connected.Record, n)
	for i := range out {
		out[i] = rec(i, "")
	}
	return out
}

func ids(rs []*connected.Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// recorder is a Sender that records what it was sent and can be told to fail.
type recorder struct {
	mu      sync.Mutex
	batches [][]string
	fail    func(batch []*connected.Record) error
}

func (s *recorder) Send(ctx context.Context, batch []*connected.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	f := s.fail
	s.mu.Unlock()
	if f != nil {
		if err := f(batch); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.batches = append(s.batches, ids(batch))
	s.mu.Unlock()
	return nil
}

func (s *recorder) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, b := range s.batches {
		out = append(out, b...)
	}
	return out
}

func (s *recorder) nBatches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.batches)
}

// outcomes collects callback reports.
type outcomes struct {
	mu       sync.Mutex
	ok       []string
	failures []transport.Failure
}

func (o *outcomes) callbacks() transport.Callbacks {
	return transport.Callbacks{
		OnSuccess: func(rs []*connected.Record) { o.mu.Lock(); o.ok = append(o.ok, ids(rs)...); o.mu.Unlock() },
		OnFailure: func(f transport.Failure) { o.mu.Lock(); o.failures = append(o.failures, f); o.mu.Unlock() },
	}
}

func (o *outcomes) failed(reason transport.Reason) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, f := range o.failures {
		if f.Reason == reason {
			out = append(out, ids(f.Records)...)
		}
	}
	slices.Sort(out)
	return out
}

func (o *outcomes) delivered() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.ok)
}

func shutdownCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func sortedIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("id-%06d", i)
	}
	return out
}

func joinIDs(s []string) string { return strings.Join(s, ",") }
