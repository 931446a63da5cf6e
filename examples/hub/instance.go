package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Instance is one hub process on Kafka: a member of the consumer group
// that applies what it is assigned and publishes back.
type Instance struct {
	*core
	cl atomic.Pointer[kgo.Client]
}

// NewInstance checks cfg and returns an instance; Run starts it.
func NewInstance(cfg Config) (*Instance, error) {
	c, err := newCore(cfg)
	if err != nil {
		return nil, err
	}
	return &Instance{core: c}, nil
}

// Run consumes until ctx ends or the client fails, and returns why. It
// commits a poll's offsets only after every record of it was applied and
// what it caused was published (on PostgreSQL while the next poll is
// applied: see core.handle).
func (in *Instance) Run(ctx context.Context) error {
	onRevoke := func(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
		// The poll committing in the background commits its offsets
		// before the partitions go.
		if err := in.settle(); err != nil {
			in.cfg.Logf("hub: the last poll: %v", err)
		}
		if _, ok := lost[in.cfg.Control]; ok {
			in.lose()
		}
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(in.cfg.Brokers...),
		kgo.ConsumerGroup(in.cfg.Group),
		kgo.ConsumeTopics(in.cfg.Control, in.cfg.Data),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.FetchMaxWait(50*time.Millisecond),
		kgo.OnPartitionsAssigned(func(ctx context.Context, _ *kgo.Client, got map[string][]int32) {
			if _, ok := got[in.cfg.Control]; ok {
				in.gain(ctx)
			}
			if in.cfg.assigned != nil {
				in.cfg.assigned(got)
			}
		}),
		kgo.OnPartitionsRevoked(onRevoke),
		kgo.OnPartitionsLost(onRevoke),
	)
	if err != nil {
		return err
	}
	in.cl.Store(cl)
	defer func() {
		in.lose()
		cl.AllowRebalance() // Close leaves the group, which waits for a blocked rebalance
		cl.Close()
	}()
	for {
		fs := cl.PollRecords(ctx, in.cfg.MaxPoll)
		if ctx.Err() != nil || fs.IsClientClosed() {
			return ctx.Err()
		}
		var ferr error
		fs.EachError(func(t string, p int32, err error) { ferr = fmt.Errorf("hub: fetch %s/%d: %w", t, p, err) })
		if ferr != nil {
			in.cfg.Logf("%v", ferr)
		}
		if recs := fs.Records(); len(recs) > 0 {
			if err := in.process(ctx, cl, recs); err != nil {
				return err
			}
		}
		cl.AllowRebalance()
	}
}

// process applies a poll's records, publishes what they cause and commits
// their offsets (see core.handle for when). With cl nil (benchmarks) it
// publishes and commits nothing.
func (in *Instance) process(ctx context.Context, cl *kgo.Client, recs []*kgo.Record) error {
	msgs := make([]inbound, len(recs))
	for i, r := range recs {
		msgs[i] = inbound{value: r.Value, control: r.Topic == in.cfg.Control}
	}
	publish := func(ctx context.Context, m ...fleet.Message) error { return in.publish(ctx, cl, m...) }
	ack := func(ctx context.Context) error {
		if cl == nil {
			return nil
		}
		if err := cl.CommitRecords(ctx, recs...); err != nil {
			return fmt.Errorf("hub: commit: %w", err)
		}
		return nil
	}
	return in.handle(ctx, msgs, publish, ack)
}

func (in *Instance) publish(ctx context.Context, cl *kgo.Client, msgs ...fleet.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	recs := make([]*kgo.Record, 0, len(msgs))
	for _, m := range msgs {
		b, err := fleet.Encode(m)
		if err != nil {
			return err
		}
		recs = append(recs, &kgo.Record{Topic: in.cfg.Out, Key: []byte(m.ID), Value: b})
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("hub: publish: %w", err)
	}
	in.published.Add(uint64(len(recs)))
	return nil
}

// Erase runs a data subject's erasure on the owner of the control
// partition and publishes the tombstone. ErrNotOwner elsewhere.
func (in *Instance) Erase(ctx context.Context, id identity.Identifier, requestID string, at time.Time) (*fleet.Erasure, error) {
	var publish publishFunc
	if cl := in.cl.Load(); cl != nil {
		publish = func(ctx context.Context, m ...fleet.Message) error { return in.publish(ctx, cl, m...) }
	}
	return in.erase(ctx, publish, id, requestID, at)
}
