package kafkatransport_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/touchpoint-sdk/touchpoint/transport/kafkatransport"
	"github.com/touchpoint-sdk/touchpoint/transport/transporttest"
)

// The Sender against kfake: a one-partition topic (so arrival order is
// total), a consumer recording ce_id in arrival order, and a control
// function answering produce requests by mode: NOT_ENOUGH_REPLICAS (down,
// retryable once franz-go's retries are spent), TOPIC_AUTHORIZATION_FAILED
// (reject), no answer (hang).
func TestConformance(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Target {
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic))
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		mode := transporttest.Up
		c.ControlKey(int16(kmsg.Produce), func(kr kmsg.Request) (kmsg.Response, error, bool) {
			c.KeepControl()
			mu.Lock()
			m := mode
			mu.Unlock()
			switch m {
			case transporttest.Down:
				return produceError(kr, kerr.NotEnoughReplicas.Code), nil, true
			case transporttest.Reject:
				return produceError(kr, kerr.TopicAuthorizationFailed.Code), nil, true
			case transporttest.Hang:
				return nil, nil, true
			}
			return nil, nil, false
		})
		s, err := kafkatransport.New(c.ListenAddrs(), topic, ce, kafkatransport.WithClientOptions(
			kgo.RecordRetries(1), kgo.MetadataMinAge(10*time.Millisecond),
			kgo.RetryBackoffFn(func(int) time.Duration { return time.Millisecond })))
		if err != nil {
			c.Close()
			t.Fatal(err)
		}
		received, stop := consumeIDs(t, c)
		return transporttest.Target{
			Sender:   s,
			Received: received,
			SetMode: func(m transporttest.Mode) bool {
				mu.Lock()
				mode = m
				mu.Unlock()
				return true
			},
			Close: func() { stop(); c.Close() },
		}
	})
}

func produceError(kr kmsg.Request, code int16) kmsg.Response {
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
	return resp
}

// consumeIDs consumes topic in the background and returns the ce_id of
// every record so far, in arrival order, and a function that stops the
// consumer and waits for it.
func consumeIDs(t *testing.T, c *kfake.Cluster) (func() []string, func()) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var ids []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			fs := cl.PollFetches(ctx)
			mu.Lock()
			for _, r := range fs.Records() {
				id, _ := header(r, "ce_id")
				ids = append(ids, id)
			}
			mu.Unlock()
		}
	}()
	// received first waits until the consumer caught up with the
	// partition's end offset, so that what Send acknowledged is seen at
	// once (the suite reads it right after a Send in one place).
	received := func() []string {
		end := endOffset(t, cl)
		deadline := time.Now().Add(10 * time.Second)
		for {
			mu.Lock()
			n := int64(len(ids))
			mu.Unlock()
			if n >= end || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), ids...)
	}
	return received, func() { cancel(); <-done; cl.Close() }
}

// endOffset returns the end offset of partition 0 of topic: the number of
// records stored, as kfake numbers them from 0.
func endOffset(t *testing.T, cl *kgo.Client) int64 {
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Partition, rp.Timestamp = 0, -1 // -1: the latest offset
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Errorf("list offsets: %v", err)
		return 0
	}
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		t.Errorf("list offsets: unexpected response %+v", resp)
		return 0
	}
	p := resp.Topics[0].Partitions[0]
	if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
		t.Errorf("list offsets: %v", err)
		return 0
	}
	return p.Offset
}
