package kafkatransport_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/kafkatransport"
)

func TestSendDeliversKeyValueAndHeaders(t *testing.T) {
	c := cluster(t, 1)
	s := newSender(t, c)
	batch := []*connected.Record{rec(0, "9f86d081884c7d65"), rec(1, "")}
	if err := s.Send(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
	got := consume(t, c, 2)
	for i, r := range got {
		want := batch[i]
		if string(r.Value) != string(want.Payload) {
			t.Errorf("record %d: value %q, want the payload %q", i, r.Value, want.Payload)
		}
		if id, _ := header(r, kafkatransport.MessageIDHeader); id != want.ID {
			t.Errorf("record %d: messageId header %q, want %q", i, id, want.ID)
		}
		if id, _ := header(r, "ce_id"); id != want.ID {
			t.Errorf("record %d: ce_id %q, want %q", i, id, want.ID)
		}
		if ct, _ := header(r, "content-type"); ct != "application/json" {
			t.Errorf("record %d: content-type %q", i, ct)
		}
		if _, ok := header(r, "ce_datacontenttype"); ok {
			t.Errorf("record %d: datacontenttype must travel as content-type, not ce_datacontenttype", i)
		}
	}
	if string(got[0].Key) != "9f86d081884c7d65" {
		t.Errorf("key %q, want the partition key", got[0].Key)
	}
	if got[1].Key != nil {
		t.Errorf("record without partition key got key %q, want null", got[1].Key)
	}
	if _, ok := header(got[1], "ce_partitionkey"); ok {
		t.Error("record without partition key has a ce_partitionkey header")
	}
	st := s.Stats()
	if st.Delivered != 2 || st.Requests != 1 || st.Bytes != uint64(len(batch[0].Payload)+len(batch[1].Payload)) {
		t.Errorf("stats %+v: want 2 delivered in 1 request with the payload bytes", st)
	}
}

func TestSendEmptyBatch(t *testing.T) {
	s := newSender(t, cluster(t, 1))
	if err := s.Send(t.Context(), nil); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
	if st := s.Stats(); st.Requests != 0 {
		t.Errorf("empty batch counted as a request: %+v", st)
	}
}

// One customer's events land on one partition, in order, however the
// batches interleave customers.
func TestSendOrderPerPartitionKey(t *testing.T) {
	c := cluster(t, 4)
	s := newSender(t, c)
	keys := []string{"k0", "k1", "k2", "k3", "k4"}
	const n = 300
	for b := 0; b < 3; b++ {
		var batch []*connected.Record
		for i := b * n / 3; i < (b+1)*n/3; i++ {
			batch = append(batch, rec(i, keys[i%len(keys)]))
		}
		if err := s.Send(t.Context(), batch); err != nil {
			t.Fatal(err)
		}
	}
	byKey := map[string][]*kgo.Record{}
	for _, r := range consume(t, c, n) {
		byKey[string(r.Key)] = append(byKey[string(r.Key)], r)
	}
	partitions := map[int32]bool{}
	for _, k := range keys {
		rs := byKey[k]
		if len(rs) != n/len(keys) {
			t.Fatalf("key %s: %d records, want %d", k, len(rs), n/len(keys))
		}
		var last string
		for _, r := range rs {
			if r.Partition != rs[0].Partition {
				t.Fatalf("key %s spread over partitions %d and %d", k, rs[0].Partition, r.Partition)
			}
			id, _ := header(r, "ce_id")
			if id <= last {
				t.Fatalf("key %s: %s after %s", k, id, last)
			}
			last = id
		}
		partitions[rs[0].Partition] = true
	}
	if len(partitions) < 2 {
		t.Errorf("5 keys all hashed to one of 4 partitions; the key is not the partition key")
	}
}

func TestSendConcurrentSafe(t *testing.T) {
	c := cluster(t, 2)
	s := newSender(t, c)
	const workers, batches, size = 6, 5, 20
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
	for _, r := range consume(t, c, workers*batches*size) {
		seen[string(r.Value)] = true
	}
	if len(seen) != workers*batches*size {
		t.Errorf("%d distinct records, want %d", len(seen), workers*batches*size)
	}
}

func TestSendCanceledContext(t *testing.T) {
	s := newSender(t, cluster(t, 1))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.Send(ctx, []*connected.Record{rec(0, "k")})
	if !errors.Is(err, context.Canceled) || transport.IsRetryable(err) {
		t.Fatalf("Send with a canceled context: %v; want context.Canceled, not retryable", err)
	}
	if st := s.Stats(); st.Requests != 0 || st.Delivered != 0 {
		t.Errorf("a canceled Send produced: %+v", st)
	}
}

// silence makes the cluster read produce requests and never answer them.
func silence(c *kfake.Cluster) {
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		return nil, nil, true
	})
}

func TestSendDeadlineWhileBrokerSilent(t *testing.T) {
	c := cluster(t, 1)
	s := newSender(t, c)
	silence(c)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := s.Send(ctx, []*connected.Record{rec(0, "k"), rec(1, "k")})
	if !errors.Is(err, context.DeadlineExceeded) || transport.IsRetryable(err) {
		t.Fatalf("Send to a silent broker: %v; want a wrapped context.DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "unacknowledged") {
		t.Errorf("error %q does not say the records are unacknowledged", err)
	}
}

func TestShutdownIdempotentThenErrClosed(t *testing.T) {
	c := cluster(t, 1)
	s, err := kafkatransport.New(c.ListenAddrs(), topic, ce)
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
	err = s.Send(t.Context(), []*connected.Record{rec(1, "k")})
	if !errors.Is(err, transport.ErrClosed) || transport.IsRetryable(err) {
		t.Fatalf("Send after Shutdown: %v, want transport.ErrClosed", err)
	}
	// The owned client is closed: producing through it fails.
	perr := s.Client().ProduceSync(t.Context(), &kgo.Record{Topic: topic, Value: []byte("x")}).FirstErr()
	if !errors.Is(perr, kgo.ErrClientClosed) {
		t.Errorf("owned client after Shutdown: %v, want kgo.ErrClientClosed", perr)
	}
}

func TestShutdownLeavesBorrowedClientOpen(t *testing.T) {
	c := cluster(t, 1)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	s, err := kafkatransport.NewFromClient(cl, topic, ce)
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
	if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: topic, Value: []byte("still open")}).FirstErr(); err != nil {
		t.Fatalf("borrowed client after Shutdown: %v", err)
	}
	if got := consume(t, c, 2); string(got[1].Value) != "still open" {
		t.Errorf("second record %q", got[1].Value)
	}
}

// Shutdown waits for sends in flight until its context ends, then closes
// the owned client, which releases the stuck Send.
func TestShutdownBoundedByContextReleasesSend(t *testing.T) {
	c := cluster(t, 1)
	s, err := kafkatransport.New(c.ListenAddrs(), topic, ce)
	if err != nil {
		t.Fatal(err)
	}
	silence(c)
	sent := make(chan error, 1)
	go func() { sent <- s.Send(context.Background(), []*connected.Record{rec(0, "k")}) }()
	// Wait until the Send is in flight: the request is counted before
	// producing.
	for s.Stats().Requests == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a send stuck in flight: %v, want context.DeadlineExceeded", err)
	}
	err = <-sent
	if err == nil || !errors.Is(err, kgo.ErrClientClosed) || transport.IsRetryable(err) {
		t.Fatalf("stuck Send after Shutdown closed the client: %v; want a permanent kgo.ErrClientClosed", err)
	}
}

func TestSendInvalidRecordFailsAloneAndPermanently(t *testing.T) {
	c := cluster(t, 1)
	s := newSender(t, c)
	bad := rec(1, "k")
	bad.Payload = nil
	err := s.Send(t.Context(), []*connected.Record{rec(0, "k"), bad, rec(2, "k")})
	var be *transport.BatchError
	if !errors.As(err, &be) || be.Retryable || !slices.Equal(be.Failed, []int{1}) {
		t.Fatalf("Send with an invalid record: %v; want a permanent BatchError for index 1", err)
	}
	var re *kafkatransport.RecordError
	if !errors.As(err, &re) || re.ID != bad.ID {
		t.Fatalf("cause %v: want a RecordError for %s", err, bad.ID)
	}
	got := consume(t, c, 2)
	if a, _ := header(got[0], "ce_id"); a != "id-000000" {
		t.Errorf("first delivered %s", a)
	}
	if b, _ := header(got[1], "ce_id"); b != "id-000002" {
		t.Errorf("second delivered %s", b)
	}
	if st := s.Stats(); st.Delivered != 2 || st.LastError == "" {
		t.Errorf("stats %+v: want 2 delivered and the last error", st)
	}
}

// answer makes the cluster answer every produce request with code for
// every partition.
func answer(c *kfake.Cluster, code int16) {
	c.ControlKey(int16(kmsg.Produce), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := kr.(*kmsg.ProduceRequest)
		resp := req.ResponseKind().(*kmsg.ProduceResponse)
		for _, rt := range req.Topics {
			st := kmsg.NewProduceResponseTopic()
			st.Topic, st.TopicID = rt.Topic, rt.TopicID
			for _, rp := range rt.Partitions {
				sp := kmsg.NewProduceResponseTopicPartition()
				sp.Partition, sp.ErrorCode = rp.Partition, code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})
}

func TestSendBrokerErrorsAreClassified(t *testing.T) {
	for _, tc := range []struct {
		name      string
		kerr      *kerr.Error
		retryable bool
	}{
		{"authorization failed is permanent", kerr.TopicAuthorizationFailed, false},
		{"not enough replicas is retryable", kerr.NotEnoughReplicas, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cluster(t, 1)
			s := newSender(t, c, kafkatransport.WithClientOptions(kgo.RecordRetries(1), kgo.MetadataMinAge(10*time.Millisecond), kgo.RetryBackoffFn(func(int) time.Duration { return time.Millisecond })))
			answer(c, tc.kerr.Code)
			batch := []*connected.Record{rec(0, "k"), rec(1, "k")}
			err := s.Send(t.Context(), batch)
			var be *transport.BatchError
			if !errors.As(err, &be) || be.Retryable != tc.retryable || !slices.Equal(be.Failed, []int{0, 1}) {
				t.Fatalf("Send: %v; want a BatchError for both records, retryable=%v", err, tc.retryable)
			}
			if transport.IsRetryable(err) != tc.retryable {
				t.Errorf("transport.IsRetryable(%v) = %v", err, !tc.retryable)
			}
			if !errors.Is(err, tc.kerr) {
				t.Errorf("%v does not match %v", err, tc.kerr)
			}
			perm, retry := transport.Outcome(err, len(batch))
			if tc.retryable && len(retry) != 2 || !tc.retryable && len(perm) != 2 {
				t.Errorf("Outcome: permanent %v, retryable %v", perm, retry)
			}
		})
	}
}

// Retryable broker errors are retried until the delivery timeout, then the
// records fail retryably instead of holding Send.
func TestSendDeliveryTimeoutIsRetryable(t *testing.T) {
	c := cluster(t, 1)
	s := newSender(t, c, kafkatransport.WithDeliveryTimeout(time.Second),
		kafkatransport.WithClientOptions(kgo.MetadataMinAge(10*time.Millisecond)))
	answer(c, kerr.NotEnoughReplicas.Code)
	err := s.Send(t.Context(), []*connected.Record{rec(0, "k")})
	var be *transport.BatchError
	if !errors.As(err, &be) || !be.Retryable || !transport.IsRetryable(err) {
		t.Fatalf("Send while the broker keeps failing retryably: %v; want a retryable BatchError", err)
	}
	if !errors.Is(err, kgo.ErrRecordTimeout) && !errors.Is(err, kerr.NotEnoughReplicas) {
		t.Errorf("cause %v: want the record timeout or the broker's error", err)
	}
}

func TestSendRecordTooLargeIsPermanent(t *testing.T) {
	c := cluster(t, 1)
	s := newSender(t, c, kafkatransport.WithClientOptions(kgo.ProducerBatchMaxBytes(1024)))
	big := rec(1, "k")
	big.Payload = []byte(`{"type":"track","pad":"` + strings.Repeat("x", 2000) + `"}`)
	err := s.Send(t.Context(), []*connected.Record{rec(0, "k"), big})
	var be *transport.BatchError
	if !errors.As(err, &be) || be.Retryable || !slices.Equal(be.Failed, []int{1}) || !errors.Is(err, kerr.MessageTooLarge) {
		t.Fatalf("Send with a record over the batch limit: %v; want a permanent MessageTooLarge for index 1", err)
	}
	if got := consume(t, c, 1); string(got[0].Value) != string(rec(0, "k").Payload) {
		t.Errorf("delivered %q", got[0].Value)
	}
}
