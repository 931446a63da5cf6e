package natstransport_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/natstransport"
)

func TestSendStoresSubjectHeadersAndPayload(t *testing.T) {
	ns := startServer(t)
	s := newSender(t, ns)
	loc := rec(1, "")
	loc.Category = connected.CategoryLocation
	batch := []*connected.Record{rec(0, "9f86d081884c7d65"), loc}
	if err := s.Send(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
	got := stored(t, ns, stream.Name)
	if len(got) != 2 {
		t.Fatalf("%d messages stored, want 2", len(got))
	}
	for i, m := range got {
		if string(m.Data) != string(batch[i].Payload) {
			t.Errorf("message %d: data %q, want the payload", i, m.Data)
		}
		if id := m.Header.Get(jetstream.MsgIDHeader); id != batch[i].ID {
			t.Errorf("message %d: Nats-Msg-Id %q, want %q", i, id, batch[i].ID)
		}
		if id := m.Header.Get("ce-id"); id != batch[i].ID {
			t.Errorf("message %d: ce-id %q", i, id)
		}
		if ct := m.Header.Get("ce-datacontenttype"); ct != "application/json" {
			t.Errorf("message %d: ce-datacontenttype %q", i, ct)
		}
		if ct, ok := m.Header["content-type"]; ok {
			t.Errorf("message %d: content-type %q; the NATS binding maps datacontenttype to ce-datacontenttype", i, ct)
		}
	}
	if got[0].Subject != "touchpoint.events.behavioral.track" || got[1].Subject != "touchpoint.events.location.track" {
		t.Errorf("subjects %q, %q", got[0].Subject, got[1].Subject)
	}
	if _, ok := got[1].Header["ce-partitionkey"]; ok {
		t.Error("record without partition key has a ce-partitionkey header")
	}
	st := s.Stats()
	if st.Delivered != 2 || st.Requests != 1 || st.Duplicates != 0 {
		t.Errorf("stats %+v", st)
	}
}

// A batch sent again (a retry after a lost acknowledgement) is acknowledged
// but stored once: JetStream dedupes on Nats-Msg-Id = messageId.
func TestSendAgainIsDeduplicated(t *testing.T) {
	ns := startServer(t)
	s := newSender(t, ns)
	batch := []*connected.Record{rec(0, "k"), rec(1, "k"), rec(2, "j")}
	for range 2 {
		if err := s.Send(t.Context(), batch); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(stored(t, ns, stream.Name)); n != 3 {
		t.Errorf("%d messages stored, want 3", n)
	}
	if st := s.Stats(); st.Duplicates != 3 || st.Delivered != 6 {
		t.Errorf("stats %+v: want 6 acknowledged of which 3 duplicates", st)
	}
}

func TestSendEmptyBatch(t *testing.T) {
	s := newSender(t, startServer(t))
	if err := s.Send(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Requests != 0 {
		t.Errorf("empty batch counted: %+v", st)
	}
}

// A batch far larger than the pending bound is published in order without
// the Send waiting on itself.
func TestSendLargerThanMaxPendingKeepsOrder(t *testing.T) {
	ns := startServer(t)
	s := newSender(t, ns, natstransport.WithMaxPending(4))
	var batch []*connected.Record
	for i := range 203 {
		batch = append(batch, rec(i, fmt.Sprint("k", i%5)))
	}
	if err := s.Send(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
	got := stored(t, ns, stream.Name)
	if len(got) != len(batch) {
		t.Fatalf("%d stored, want %d", len(got), len(batch))
	}
	for i, m := range got {
		if id := m.Header.Get("ce-id"); id != batch[i].ID {
			t.Fatalf("stream position %d holds %s, want %s", i, id, batch[i].ID)
		}
	}
}

func TestSendConcurrentSafe(t *testing.T) {
	ns := startServer(t)
	s := newSender(t, ns, natstransport.WithMaxPending(16))
	const workers, batches, size = 6, 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*batches)
	for w := range workers {
		wg.Go(func() {
			for b := range batches {
				var batch []*connected.Record
				for i := range size {
					batch = append(batch, rec((w*batches+b)*size+i, fmt.Sprint("k", w)))
				}
				errs <- s.Send(t.Context(), batch)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := stored(t, ns, stream.Name)
	if len(got) != workers*batches*size {
		t.Fatalf("%d stored, want %d", len(got), workers*batches*size)
	}
	// Per partition key (one per worker), stream order is send order.
	last := map[string]string{}
	for _, m := range got {
		k, id := m.Header.Get("ce-partitionkey"), m.Header.Get("ce-id")
		if id <= last[k] {
			t.Fatalf("key %s: %s stored after %s", k, id, last[k])
		}
		last[k] = id
	}
}

func TestSendCanceledContext(t *testing.T) {
	ns := startServer(t)
	s := newSender(t, ns)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.Send(ctx, []*connected.Record{rec(0, "k")})
	if !errors.Is(err, context.Canceled) || transport.IsRetryable(err) {
		t.Fatalf("Send with a canceled context: %v", err)
	}
	if n := len(stored(t, ns, stream.Name)); n != 0 {
		t.Errorf("%d messages stored by a canceled Send", n)
	}
}

// silentStream stores messages but never acknowledges them.
var silentStream = jetstream.StreamConfig{Name: "SILENT", Subjects: []string{"touchpoint.events.>"}, Storage: jetstream.MemoryStorage, NoAck: true}

func TestSendDeadlineWithoutAcknowledgement(t *testing.T) {
	ns := startServer(t)
	s := newSender(t, ns, natstransport.WithStream(silentStream), natstransport.WithMaxPending(2))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := s.Send(ctx, []*connected.Record{rec(0, "k"), rec(1, "k"), rec(2, "k"), rec(3, "k")})
	if !errors.Is(err, context.DeadlineExceeded) || transport.IsRetryable(err) || !strings.Contains(err.Error(), "unacknowledged") {
		t.Fatalf("Send without acknowledgements: %v; want a wrapped DeadlineExceeded", err)
	}
	// The slots of the abandoned records were released: a later Send can
	// publish (and time out again) instead of blocking on the bound.
	ctx2, cancel2 := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel2()
	if err := s.Send(ctx2, []*connected.Record{rec(4, "k")}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Send: %v", err)
	}
	if got := stored(t, ns, silentStream.Name); len(got) < 3 {
		t.Errorf("%d messages stored; the abandoned and later records should have been published", len(got))
	}
}

func TestSendAckTimeoutIsRetryable(t *testing.T) {
	ns := startServer(t)
	s := newSender(t, ns, natstransport.WithStream(silentStream), natstransport.WithAckTimeout(30*time.Millisecond))
	err := s.Send(t.Context(), []*connected.Record{rec(0, "k"), rec(1, "k")})
	var be *transport.BatchError
	if !errors.As(err, &be) || !be.Retryable || !slices.Equal(be.Failed, []int{0, 1}) || !errors.Is(err, jetstream.ErrAsyncPublishTimeout) {
		t.Fatalf("Send with acknowledgements timing out: %v; want a retryable BatchError with ErrAsyncPublishTimeout", err)
	}
}

func TestSendWithoutStreamIsRetryable(t *testing.T) {
	ns := startServer(t)
	s, err := natstransport.New(ctxT(t), ns.ClientURL(), "nowhere.{type}", ce)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shutdown(t, s) })
	err = s.Send(t.Context(), []*connected.Record{rec(0, "k")})
	var be *transport.BatchError
	if !errors.As(err, &be) || !be.Retryable || !transport.IsRetryable(err) {
		t.Fatalf("Send to a subject no stream captures: %v; want a retryable BatchError", err)
	}
}

func TestSendOverMaxPayloadIsPermanent(t *testing.T) {
	ns := startServer(t, func(o *server.Options) { o.MaxPayload = 1024 })
	s := newSender(t, ns)
	big := rec(1, "k")
	big.Payload = []byte(`{"pad":"` + strings.Repeat("x", 2000) + `"}`)
	err := s.Send(t.Context(), []*connected.Record{rec(0, "k"), big, rec(2, "k")})
	var be *transport.BatchError
	if !errors.As(err, &be) || be.Retryable || !slices.Equal(be.Failed, []int{1}) || !errors.Is(err, nats.ErrMaxPayload) {
		t.Fatalf("Send with a record over max_payload: %v; want a permanent ErrMaxPayload for index 1", err)
	}
	var re *natstransport.RecordError
	if !errors.As(err, &re) || re.ID != big.ID {
		t.Errorf("cause %v, want the RecordError of %s", re, big.ID)
	}
	if n := len(stored(t, ns, stream.Name)); n != 2 {
		t.Errorf("%d stored, want the 2 others", n)
	}
}

func TestSendStreamRejectionIsPermanent(t *testing.T) {
	ns := startServer(t)
	small := stream
	small.MaxMsgSize = 256
	s := newSender(t, ns, natstransport.WithStream(small))
	big := rec(0, "k")
	big.Payload = []byte(`{"pad":"` + strings.Repeat("x", 400) + `"}`)
	err := s.Send(t.Context(), []*connected.Record{big})
	var be *transport.BatchError
	var api *jetstream.APIError
	if !errors.As(err, &be) || be.Retryable || !errors.As(err, &api) || api.Code != 400 {
		t.Fatalf("Send of a message the stream refuses: %v; want a permanent BatchError with a 400 APIError", err)
	}
}

func TestSendInvalidRecordFailsAlone(t *testing.T) {
	ns := startServer(t)
	s := newSender(t, ns)
	bad := rec(1, "k")
	bad.Time = time.Time{}
	odd := rec(2, "has.dot")
	err := s.Send(t.Context(), []*connected.Record{rec(0, "k"), bad, odd, rec(3, "k")})
	var be *transport.BatchError
	if !errors.As(err, &be) || be.Retryable || !slices.Equal(be.Failed, []int{1, 2}) {
		t.Fatalf("Send with invalid records: %v; want a permanent BatchError for 1 and 2", err)
	}
	if n := len(stored(t, ns, stream.Name)); n != 2 {
		t.Errorf("%d stored, want 2", n)
	}
}

func TestShutdownIdempotentThenErrClosed(t *testing.T) {
	ns := startServer(t)
	s, err := natstransport.New(ctxT(t), ns.ClientURL(), natstransport.DefaultSubject, ce, natstransport.WithStream(stream))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(t.Context(), []*connected.Record{rec(0, "k")}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.Shutdown(t.Context()); err != nil {
			t.Fatalf("Shutdown #%d: %v", i+1, err)
		}
	}
	if err := s.Send(t.Context(), []*connected.Record{rec(1, "k")}); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Send after Shutdown: %v", err)
	}
	if !s.Conn().IsClosed() {
		t.Error("Shutdown left the owned connection open")
	}
}

func TestShutdownLeavesBorrowedConnOpen(t *testing.T) {
	ns := startServer(t)
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	s, err := natstransport.NewFromConn(ctxT(t), nc, natstransport.DefaultSubject, ce, natstransport.WithStream(stream))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(t.Context(), []*connected.Record{rec(0, "k")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if nc.IsClosed() {
		t.Fatal("Shutdown closed the borrowed connection")
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(t.Context(), "touchpoint.events.x", []byte("still open")); err != nil {
		t.Fatalf("borrowed connection after Shutdown: %v", err)
	}
}

func TestShutdownBoundedByContextReleasesSend(t *testing.T) {
	ns := startServer(t)
	s, err := natstransport.New(ctxT(t), ns.ClientURL(), natstransport.DefaultSubject, ce, natstransport.WithStream(silentStream))
	if err != nil {
		t.Fatal(err)
	}
	sent := make(chan error, 1)
	go func() { sent <- s.Send(context.Background(), []*connected.Record{rec(0, "k")}) }()
	for s.Stats().Requests == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a send stuck in flight: %v", err)
	}
	err = <-sent
	if !errors.Is(err, transport.ErrClosed) || transport.IsRetryable(err) || !strings.Contains(err.Error(), "before the acknowledgement") {
		t.Fatalf("stuck Send after Shutdown: %v; want a permanent error matching transport.ErrClosed", err)
	}
}

func TestNewRejectsBadConfiguration(t *testing.T) {
	ns := startServer(t)
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	url := ns.ClientURL()
	for _, tc := range []struct {
		name string
		err  func() error
		is   error
		text string
	}{
		{"bad template", func() error { _, err := natstransport.New(ctxT(t), url, "a.*", ce); return err }, natstransport.ErrInvalidSubject, "offset 2"},
		{"unknown placeholder", func() error { _, err := natstransport.New(ctxT(t), url, "a.{user}", ce); return err }, natstransport.ErrUnknownPlaceholder, "{user}"},
		{"no source", func() error {
			_, err := natstransport.New(ctxT(t), url, "a", connected.CloudEventsOptions{})
			return err
		}, nil, "Source"},
		{"nil option", func() error { _, err := natstransport.New(ctxT(t), url, "a", ce, nil); return err }, nil, "nil Option"},
		{"max pending 0", func() error {
			_, err := natstransport.New(ctxT(t), url, "a", ce, natstransport.WithMaxPending(0))
			return err
		}, nil, "WithMaxPending(0)"},
		{"ack timeout 0", func() error {
			_, err := natstransport.New(ctxT(t), url, "a", ce, natstransport.WithAckTimeout(0))
			return err
		}, nil, "WithAckTimeout"},
		{"stream without name", func() error {
			_, err := natstransport.New(ctxT(t), url, "a", ce, natstransport.WithStream(jetstream.StreamConfig{}))
			return err
		}, nil, "no Name"},
		{"nobody listening", func() error { _, err := natstransport.New(ctxT(t), "nats://127.0.0.1:1", "a", ce); return err }, nats.ErrNoServers, "connect"},
		{"nil conn", func() error { _, err := natstransport.NewFromConn(ctxT(t), nil, "a", ce); return err }, nil, "nil connection"},
		{"conn options on a borrowed conn", func() error {
			_, err := natstransport.NewFromConn(ctxT(t), nc, "a", ce, natstransport.WithConnOptions(nats.Name("x")))
			return err
		}, natstransport.ErrConnOptionsBorrowed, ""},
		{"stream overlapping another", func() error {
			other := jetstream.StreamConfig{Name: "OTHER", Subjects: []string{"touchpoint.>"}}
			if _, err := natstransport.NewFromConn(ctxT(t), nc, "a", ce, natstransport.WithStream(stream)); err != nil {
				return fmt.Errorf("setup: %w", err)
			}
			_, err := natstransport.NewFromConn(ctxT(t), nc, "a", ce, natstransport.WithStream(other))
			return err
		}, nil, `stream "OTHER"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v does not match %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("%q does not say %q", err, tc.text)
			}
		})
	}
}
