package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// NATSConfig is one hub instance's configuration on NATS JetStream.
// Config.Brokers are the NATS server URLs, Config.Group names the durable
// consumers and the lease, Control, Data and Out are subjects (Data may
// hold a wildcard, e.g. "fleet.data.>", so gateways publish per store).
//
// Three streams, created or updated by every instance (EnsureStreams):
// <Prefix>_CONTROL (the Control subject, link facts), <Prefix>_DATA and
// <Prefix>_OUT (what gateways follow). Both input streams are read
// through durable pull consumers with explicit acks; the control one is
// read only by the holder of the lease: a key <Group> in the key-value
// bucket <Prefix>_LEASE, whose TTL frees it when the holder dies.
type NATSConfig struct {
	Config
	// Prefix names the streams and the lease bucket. Default "FLEET".
	Prefix string
	// Storage of the streams. Default file.
	Storage jetstream.StorageType
	// Replicas of the streams and the bucket. Default 1.
	Replicas int
	// AckWait is how long JetStream waits for an ack before it redelivers
	// a message (to any instance): longer than the slowest poll. Default
	// 30 s.
	AckWait time.Duration
	// LeaseTTL is how long the control lease outlives its holder's last
	// renewal (renewed every LeaseTTL/3, and before every fetch of link
	// facts): how long link facts wait after the holder is killed. It must
	// exceed the slowest poll, or a stalled holder and its successor may
	// apply link facts at once. Default 10 s.
	LeaseTTL time.Duration
	// FetchWait bounds the wait for a data message when nothing waits
	// (see poll). Default 50 ms.
	FetchWait time.Duration
}

func (c *NATSConfig) defaults() {
	if c.Prefix == "" {
		c.Prefix = "FLEET"
	}
	if c.Replicas <= 0 {
		c.Replicas = 1
	}
	if c.AckWait <= 0 {
		c.AckWait = 30 * time.Second
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 10 * time.Second
	}
	if c.FetchWait <= 0 {
		c.FetchWait = 50 * time.Millisecond
	}
}

// controlStream is the stream of link facts.
func (c *NATSConfig) controlStream() string { return c.Prefix + "_CONTROL" }

// dataStream is the stream of consent records, touchpoints, memberships
// and actions.
func (c *NATSConfig) dataStream() string { return c.Prefix + "_DATA" }

// OutStream is the stream gateways follow (an ordered consumer each, from
// the start or from where they left off).
func (c *NATSConfig) OutStream() string { return c.Prefix + "_OUT" }

// leaseBucket is the key-value bucket of the control lease.
func (c *NATSConfig) leaseBucket() string { return c.Prefix + "_LEASE" }

// EnsureStreams creates the three streams or brings their configuration
// up to date; idempotent, so every instance (and a gateway that starts
// first) may call it. Messages are deduplicated on Nats-Msg-Id over the
// streams' default window (2 minutes) on top of the hub's own dedupe.
func EnsureStreams(ctx context.Context, js jetstream.JetStream, cfg NATSConfig) error {
	cfg.defaults()
	for _, s := range []struct{ name, subject string }{
		{cfg.controlStream(), cfg.Control}, {cfg.dataStream(), cfg.Data}, {cfg.OutStream(), cfg.Out},
	} {
		if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: s.name, Subjects: []string{s.subject},
			Storage: cfg.Storage, Replicas: cfg.Replicas}); err != nil {
			return fmt.Errorf("hub: stream %s: %w", s.name, err)
		}
	}
	return nil
}

// NATSInstance is one hub process on NATS JetStream: it pulls data
// messages from the durable consumer every instance shares, pulls link
// facts while it holds the control lease, applies them exactly as the
// Kafka Instance does, publishes what they caused on Out (Nats-Msg-Id set
// to the derived message id), and acks a message only after its write and
// that publication.
type NATSInstance struct {
	*core
	ncfg NATSConfig
	js   atomic.Pointer[jetstream.JetStream]
}

// NewNATSInstance checks cfg and returns an instance; Run starts it.
func NewNATSInstance(cfg NATSConfig) (*NATSInstance, error) {
	cfg.defaults()
	c, err := newCore(cfg.Config)
	if err != nil {
		return nil, err
	}
	return &NATSInstance{core: c, ncfg: cfg}, nil
}

// Run connects, consumes until ctx ends or something fails, and returns
// why (ctx.Err() on cancellation). On return it closes the graph, frees
// the lease (unless it crashed, in tests: then the lease expires) and
// closes the connection; what it did not ack is redelivered to another
// instance after AckWait.
func (in *NATSInstance) Run(ctx context.Context) (err error) {
	nc, err := nats.Connect(strings.Join(in.cfg.Brokers, ","), nats.Name("touchpoint-hub"), nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("hub: nats: %w", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(10*time.Second))
	if err != nil {
		return err
	}
	if err := EnsureStreams(ctx, js, in.ncfg); err != nil {
		return err
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: in.ncfg.leaseBucket(), History: 1,
		TTL: in.ncfg.LeaseTTL, Storage: in.ncfg.Storage, Replicas: in.ncfg.Replicas})
	if err != nil {
		return fmt.Errorf("hub: lease bucket: %w", err)
	}
	consumer := func(stream, suffix string) (jetstream.Consumer, error) {
		c, err := js.CreateOrUpdateConsumer(ctx, stream, jetstream.ConsumerConfig{Durable: in.cfg.Group + "-" + suffix,
			AckPolicy: jetstream.AckExplicitPolicy, AckWait: in.ncfg.AckWait, MaxAckPending: -1})
		if err != nil {
			return nil, fmt.Errorf("hub: consumer on %s: %w", stream, err)
		}
		return c, nil
	}
	ctl, err := consumer(in.ncfg.controlStream(), "control")
	if err != nil {
		return err
	}
	data, err := consumer(in.ncfg.dataStream(), "data")
	if err != nil {
		return err
	}
	in.js.Store(&js)
	l := &lease{kv: kv, key: in.cfg.Group, value: []byte(nuid.Next()), ttl: in.ncfg.LeaseTTL}
	defer func() {
		in.js.Store(nil)
		in.lose()
		if !errors.Is(err, errCrashed) {
			l.release()
		}
	}()
	if in.cfg.assigned != nil {
		in.cfg.assigned(map[string][]int32{in.cfg.Data: {0}})
	}
	publish := func(ctx context.Context, m ...fleet.Message) error { return in.publish(ctx, js, m...) }
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		owner := in.lease(ctx, l)
		got, nctl, ferr := in.poll(ctl, data, owner)
		if ferr != nil && ctx.Err() == nil {
			in.cfg.Logf("hub: fetch: %v", ferr)
			if len(got) == 0 {
				sleep(ctx, in.ncfg.FetchWait)
			}
		}
		if len(got) == 0 {
			continue
		}
		msgs := make([]inbound, len(got))
		for i, m := range got {
			msgs[i] = inbound{value: m.Data(), control: i < nctl}
		}
		ack := func(context.Context) error {
			for _, m := range got {
				if err := m.Ack(); err != nil {
					// not acked: redelivered after AckWait, and found applied
					in.cfg.Logf("hub: ack: %v", err)
				}
			}
			return nil
		}
		if err := in.handle(ctx, msgs, publish, ack); err != nil {
			return err
		}
	}
}

// poll fetches what is waiting: link facts first (when this instance
// holds the lease), then data messages. When nothing waits at all, it
// blocks up to FetchWait for the first data message and takes whatever
// arrived with it, so a message is handled as soon as it arrives and a
// busy stream is handled in polls of up to MaxPoll (link facts arriving
// on an idle data stream wait up to FetchWait). It returns the messages,
// how many of them (first) are link facts, and the first fetch error (a
// reconnecting connection, ...), which the caller logs before fetching
// again; what was fetched before the error is returned too.
func (in *NATSInstance) poll(ctl, data jetstream.Consumer, owner bool) (got []jetstream.Msg, nctl int, err error) {
	if owner {
		if got, err = fetch(ctl.FetchNoWait(in.cfg.MaxPoll)); err != nil {
			return got, len(got), err
		}
	}
	nctl = len(got)
	room := in.cfg.MaxPoll - nctl
	if room <= 0 {
		return got, nctl, nil
	}
	more, err := fetch(data.FetchNoWait(room))
	if err == nil && len(more) == 0 && nctl == 0 {
		if more, err = fetch(data.Fetch(1, jetstream.FetchMaxWait(in.ncfg.FetchWait))); err == nil && len(more) == 1 && room > 1 {
			var rest []jetstream.Msg
			rest, err = fetch(data.FetchNoWait(room - 1))
			more = append(more, rest...)
		}
	}
	return append(got, more...), nctl, err
}

// lease acquires or renews the control lease and gains or loses the
// graph accordingly; it reports whether this instance owns the control
// stream now.
func (in *NATSInstance) lease(ctx context.Context, l *lease) bool {
	held := l.hold(ctx, time.Now())
	h, _ := in.owner()
	switch {
	case held && h == nil:
		if !in.gain(ctx) {
			return false // retried next round; the lease stays ours meanwhile
		}
		if in.cfg.assigned != nil {
			in.cfg.assigned(map[string][]int32{in.cfg.Control: {0}})
		}
	case !held && h != nil:
		in.lose()
	}
	return held
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// fetch drains a fetched batch.
func fetch(b jetstream.MessageBatch, err error) ([]jetstream.Msg, error) {
	if err != nil {
		return nil, err
	}
	var out []jetstream.Msg
	for m := range b.Messages() {
		out = append(out, m)
	}
	if err := b.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
		return out, err
	}
	return out, nil
}

// publish sends msgs to the Out subject, each with Nats-Msg-Id set to its
// (derived) id, and waits for every acknowledgement.
func (in *NATSInstance) publish(ctx context.Context, js jetstream.JetStream, msgs ...fleet.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	futs := make([]jetstream.PubAckFuture, 0, len(msgs))
	for _, m := range msgs {
		b, err := fleet.Encode(m)
		if err != nil {
			return err
		}
		f, err := js.PublishAsync(in.cfg.Out, b, jetstream.WithMsgID(m.ID))
		if err != nil {
			return fmt.Errorf("hub: publish: %w", err)
		}
		futs = append(futs, f)
	}
	for _, f := range futs {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("hub: publish: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	in.published.Add(uint64(len(msgs)))
	return nil
}

// Erase runs a data subject's erasure on the holder of the control lease
// and publishes the tombstone. ErrNotOwner elsewhere.
func (in *NATSInstance) Erase(ctx context.Context, id identity.Identifier, requestID string, at time.Time) (*fleet.Erasure, error) {
	var publish publishFunc
	if js := in.js.Load(); js != nil {
		publish = func(ctx context.Context, m ...fleet.Message) error { return in.publish(ctx, *js, m...) }
	}
	return in.erase(ctx, publish, id, requestID, at)
}
