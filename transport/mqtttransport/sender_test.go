package mqtttransport_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
)

func TestSendPublishesBinaryCloudEvents(t *testing.T) {
	url := startBroker(t, nil)
	c := newCollector(2)
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	newSource(t, url, []string{"touchpoint/#"}, c.handle, mqtttransport.WithClock(func() time.Time { return at }))
	s := newSender(t, url, mqtttransport.DefaultTopic)
	loc := rec(1, "")
	loc.Category = connected.CategoryLocation
	batch := []*connected.Record{rec(0, "9f86d081884c7d65"), loc}
	if err := s.Send(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
	got := c.wait(t)
	slices.SortFunc(got, func(a, b mqtttransport.Message) int {
		return strings.Compare(a.UserProperties.Get("id"), b.UserProperties.Get("id"))
	})
	wantTopics := []string{"touchpoint/behavioral/track", "touchpoint/location/track"}
	for i, m := range got {
		if m.Topic != wantTopics[i] || string(m.Payload) != string(batch[i].Payload) {
			t.Errorf("message %d: %s %q", i, m.Topic, m.Payload)
		}
		if m.ContentType != "application/json" || m.QoS != 1 || !m.Received.Equal(at) {
			t.Errorf("message %d: content type %q, QoS %d, received %v", i, m.ContentType, m.QoS, m.Received)
		}
		for k, want := range map[string]string{"specversion": "1.0", "id": batch[i].ID, "source": ce.Source, "type": "dev.touchpoint.track"} {
			if v := m.UserProperties.Get(k); v != want {
				t.Errorf("message %d: user property %s = %q, want %q", i, k, v, want)
			}
		}
	}
	if got[0].UserProperties.Get("partitionkey") != "9f86d081884c7d65" || got[1].UserProperties.Get("partitionkey") != "" {
		t.Errorf("partition keys %q, %q", got[0].UserProperties.Get("partitionkey"), got[1].UserProperties.Get("partitionkey"))
	}
	if st := s.Stats(); st.Delivered != 2 || st.Requests != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestSendEmptyBatch(t *testing.T) {
	s := newSender(t, startBroker(t, nil), "t")
	if err := s.Send(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Requests != 0 {
		t.Errorf("empty batch counted: %+v", st)
	}
}

// Records of one key arrive in batch order even when they go to different
// topics; keys are published concurrently.
func TestSendOrderPerPartitionKey(t *testing.T) {
	url := startBroker(t, nil)
	const n = 120
	c := newCollector(n)
	newSource(t, url, []string{"touchpoint/#"}, c.handle)
	s := newSender(t, url, mqtttransport.DefaultTopic, mqtttransport.WithMaxInFlight(3))
	var batch []*connected.Record
	cats := []connected.Category{connected.CategoryBehavioral, connected.CategoryLocation, connected.CategoryHealth}
	for i := range n {
		r := rec(i, fmt.Sprint("k", i%4))
		r.Category = cats[i%len(cats)]
		batch = append(batch, r)
	}
	if err := s.Send(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
	last := map[string]string{}
	for _, m := range c.wait(t) {
		k, id := m.UserProperties.Get("partitionkey"), m.UserProperties.Get("id")
		if id <= last[k] {
			t.Fatalf("key %s: %s received after %s", k, id, last[k])
		}
		last[k] = id
	}
	if len(last) != 4 {
		t.Errorf("%d keys received, want 4", len(last))
	}
}

func TestSendConcurrentSafe(t *testing.T) {
	url := startBroker(t, nil)
	const workers, batches, size = 4, 3, 10
	c := newCollector(workers * batches * size)
	newSource(t, url, []string{"c/#"}, c.handle)
	s := newSender(t, url, "c/{partitionkey}")
	var wg sync.WaitGroup
	errs := make(chan error, workers*batches)
	for w := range workers {
		wg.Go(func() {
			for b := range batches {
				var batch []*connected.Record
				for i := range size {
					batch = append(batch, rec((w*batches+b)*size+i, fmt.Sprint("k", i%3)))
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
	seen := map[string]bool{}
	for _, m := range c.wait(t) {
		seen[m.UserProperties.Get("id")] = true
	}
	if len(seen) != workers*batches*size {
		t.Errorf("%d distinct messages, want %d", len(seen), workers*batches*size)
	}
}

func TestSendCanceledContext(t *testing.T) {
	s := newSender(t, startBroker(t, nil), "t")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.Send(ctx, []*connected.Record{rec(0, "k")})
	if !errors.Is(err, context.Canceled) || transport.IsRetryable(err) {
		t.Fatalf("Send with a canceled context: %v", err)
	}
	if st := s.Stats(); st.Requests != 0 {
		t.Errorf("a canceled Send published: %+v", st)
	}
}

func TestSendRefusedIsPermanent(t *testing.T) {
	url := startBroker(t, &refuseHook{})
	s := newSender(t, url, "denied/{type}")
	err := s.Send(t.Context(), []*connected.Record{rec(0, "k"), rec(1, "j")})
	var be *transport.BatchError
	var pe *mqtttransport.PubackError
	if !errors.As(err, &be) || be.Retryable || !slices.Equal(be.Failed, []int{0, 1}) || !errors.As(err, &pe) || pe.ReasonCode != 0x87 {
		t.Fatalf("Send to a denied topic: %v; want a permanent BatchError with PUBACK 0x87", err)
	}
	if transport.IsRetryable(err) {
		t.Error("classified retryable")
	}
}

// A retryable refusal fails that record and holds back the later records
// of the same key; other keys are delivered. The same with keys
// concurrent and with everything in batch order.
func TestSendRetryableRefusalHoldsBackTheKey(t *testing.T) {
	for _, inFlight := range []int{16, 1} {
		t.Run(fmt.Sprint("in flight ", inFlight), func(t *testing.T) {
			url := startBroker(t, &refuseHook{quotaID: "id-000001"})
			c := newCollector(2)
			newSource(t, url, []string{"q/#"}, c.handle)
			s := newSender(t, url, "q/{partitionkey}", mqtttransport.WithMaxInFlight(inFlight))
			batch := []*connected.Record{rec(0, "k"), rec(1, "k"), rec(2, "k"), rec(3, "j")}
			err := s.Send(t.Context(), batch)
			var be *transport.BatchError
			var pe *mqtttransport.PubackError
			if !errors.As(err, &be) || !be.Retryable || !slices.Equal(be.Failed, []int{1, 2}) || !errors.As(err, &pe) || pe.ReasonCode != 0x97 {
				t.Fatalf("Send with a quota refusal: %v; want a retryable BatchError for 1 and 2 caused by PUBACK 0x97", err)
			}
			var ids []string
			for _, m := range c.wait(t) {
				ids = append(ids, m.UserProperties.Get("id"))
			}
			slices.Sort(ids)
			if !slices.Equal(ids, []string{"id-000000", "id-000003"}) {
				t.Errorf("received %v, want id-000000 and id-000003 only", ids)
			}
			if st := s.Stats(); st.Delivered != 2 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestSendInvalidRecordFailsAlone(t *testing.T) {
	url := startBroker(t, nil)
	c := newCollector(1)
	newSource(t, url, []string{"v/#"}, c.handle)
	s := newSender(t, url, "v/{partitionkey}")
	bad := rec(1, "k")
	bad.ID = ""
	slash := rec(2, "a/b")
	err := s.Send(t.Context(), []*connected.Record{rec(0, "k"), bad, slash})
	var be *transport.BatchError
	if !errors.As(err, &be) || be.Retryable || !slices.Equal(be.Failed, []int{1, 2}) {
		t.Fatalf("Send with invalid records: %v; want a permanent BatchError for 1 and 2", err)
	}
	if got := c.wait(t); got[0].UserProperties.Get("id") != "id-000000" {
		t.Errorf("received %s", got[0].UserProperties.Get("id"))
	}
}

func TestShutdownIdempotentThenErrClosed(t *testing.T) {
	url := startBroker(t, nil)
	s, err := mqtttransport.New(ctxT(t), url, "t", ce)
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
	select {
	case <-s.ConnectionManager().Done():
	default:
		t.Error("Shutdown left the owned connection running")
	}
}

// borrowed opens a connection the test owns, disconnected at cleanup.
func borrowed(t *testing.T, server string) *autopaho.ConnectionManager {
	t.Helper()
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := autopaho.NewConnection(context.Background(), autopaho.ClientConfig{
		ServerUrls: []*url.URL{u}, KeepAlive: 30, CleanStartOnInitialConnection: true,
		ClientConfig: paho.ClientConfig{ClientID: "test-owner-" + strings.ReplaceAll(t.Name(), "/", "-")},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = cm.Disconnect(ctx)
	})
	if err := cm.AwaitConnection(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	return cm
}

func TestShutdownLeavesBorrowedConnectionUp(t *testing.T) {
	url := startBroker(t, nil)
	cm := borrowed(t, url)
	s, err := mqtttransport.NewFromConnection(cm, "b/{type}", ce)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(t.Context(), []*connected.Record{rec(0, "k")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(t.Context(), []*connected.Record{rec(1, "k")}); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Send after Shutdown: %v", err)
	}
	if _, err := cm.Publish(t.Context(), &paho.Publish{QoS: 1, Topic: "b/x", Payload: []byte("still up")}); err != nil {
		t.Fatalf("borrowed connection after Shutdown: %v", err)
	}
}

func TestNewRejectsBadConfiguration(t *testing.T) {
	url := startBroker(t, nil)
	cm := borrowed(t, url)
	short := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	for _, tc := range []struct {
		name string
		err  func() error
		is   error
		text string
	}{
		{"wildcard topic", func() error { _, err := mqtttransport.New(ctxT(t), url, "a/+", ce); return err }, mqtttransport.ErrInvalidTopic, "offset 2"},
		{"unknown placeholder", func() error { _, err := mqtttransport.New(ctxT(t), url, "a/{user}", ce); return err }, mqtttransport.ErrUnknownPlaceholder, "{user}"},
		{"no source", func() error {
			_, err := mqtttransport.New(ctxT(t), url, "a", connected.CloudEventsOptions{})
			return err
		}, nil, "Source"},
		{"nil option", func() error { _, err := mqtttransport.New(ctxT(t), url, "a", ce, nil); return err }, nil, "nil Option"},
		{"in flight 0", func() error {
			_, err := mqtttransport.New(ctxT(t), url, "a", ce, mqtttransport.WithMaxInFlight(0))
			return err
		}, nil, "WithMaxInFlight(0)"},
		{"connect wait 0", func() error {
			_, err := mqtttransport.New(ctxT(t), url, "a", ce, mqtttransport.WithConnectWait(0))
			return err
		}, nil, "WithConnectWait(0s)"},
		{"bad scheme", func() error { _, err := mqtttransport.New(ctxT(t), "http://x", "a", ce); return err }, nil, "scheme"},
		{"nobody listening", func() error { _, err := mqtttransport.New(short(), "mqtt://127.0.0.1:1", "a", ce); return err }, context.DeadlineExceeded, "last attempt"},
		{"nil connection", func() error { _, err := mqtttransport.NewFromConnection(nil, "a", ce); return err }, nil, "nil connection"},
		{"connection options on a borrowed connection", func() error {
			_, err := mqtttransport.NewFromConnection(cm, "a", ce, mqtttransport.WithClientID("x"))
			return err
		}, mqtttransport.ErrConnectionOptionsBorrowed, ""},
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
