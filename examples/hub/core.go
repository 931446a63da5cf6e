package main

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// Config is one hub instance's configuration, on either transport (the
// Kafka Instance, or the NATSInstance through NATSConfig).
type Config struct {
	// Brokers are the Kafka seed brokers, or the NATS server URLs.
	Brokers []string
	// Group is the Kafka consumer group shared by every hub instance, or
	// on NATS the name of the durable consumers (<Group>-control,
	// <Group>-data) and of the control lease every instance shares.
	Group string
	// Control carries identity-link facts: owned by one instance at a time
	// (the graph lives in its memory): on Kafka ONE partition, on NATS a
	// stream of its own read only by the holder of the lease. Data carries
	// consent records, touchpoints, memberships and actions: any number of
	// partitions, or one durable pull consumer, spread over the
	// instances. Out is what the hub publishes; every gateway follows it.
	// Topics on Kafka, subjects on NATS.
	Control, Data, Out string
	// Store is the fleet store every instance shares (PostgreSQL, or a
	// fleet.MemStore in one process).
	Store fleet.Store
	// OpenGraph loads the fleet-wide graph from its store; called when this
	// instance gains the control partition (or lease). The graph is closed
	// when it loses it.
	OpenGraph func(ctx context.Context) (*identity.Graph, error)
	// Batch, if set, runs fn with the graph's store writes held, then
	// writes them (see BatchFunc); the applied ids are marked in the same
	// transaction, or after it commits. It receives the graph OpenGraph
	// returned.
	Batch BatchFunc
	// Controller is named on receipts.
	Controller fleet.Controller
	// OnDrop reports every message not applied (corrupt, erased, ...).
	OnDrop func(fleet.Drop)
	// Logf logs rebalances, lease changes and errors. Default: none.
	Logf func(format string, args ...any)
	// MaxPoll bounds the records handled per poll (or fetch). Default 1000.
	MaxPoll int

	// crash, for tests: called after each record is applied, before the
	// poll is committed (acknowledged); returning true makes Run return
	// errCrashed at once, without committing (a process killed
	// mid-stream).
	crash func() bool
	// assigned, for tests: called with the partitions of each assignment
	// (on NATS: {Data: [0]} when the data consumer starts, {Control: [0]}
	// when the lease is gained).
	assigned func(map[string][]int32)
}

// BatchFunc runs fn with the graph's store writes held and returns them
// as statements on a pgx.Batch, with done, to be called once with the
// result of sending it (pgstore's IdentityStore.PrepareBatch). The hub
// queues the records and applied ids of the same poll after them, so the
// three commit in one transaction, and applies the next poll while that
// one is in flight. If fn fails, the entries it appended are written on
// their own and its error is returned.
type BatchFunc func(ctx context.Context, g *identity.Graph, fn func(ctx context.Context) error) (b *pgx.Batch, done func(sendErr error) error, err error)

// core is the transport-neutral part of a hub instance: it applies what
// the transport consumed (control and data messages) to the store, owns
// the identity graph while the instance holds the single-owner control
// stream (the Kafka control partition, or the NATS lease), and hands what
// the messages caused to the transport's publish. The Kafka Instance and
// the NATSInstance wrap it; both acknowledge what they consumed (commit
// the offsets, ack the JetStream messages) only after handle returned nil.
//
// handle runs on the transport's one consuming goroutine (the batching
// store is not shared); gain, lose, Export and Erase may run on others.
type core struct {
	cfg   Config
	data  *fleet.Hub
	apply fleet.Store // cfg.Store, or its batching view on PostgreSQL
	batch *batchStore // nil on memory

	mu      sync.Mutex
	graph   *identity.Graph
	control *fleet.Hub // applies (over the batching view)
	dsr     *fleet.Hub // Erase and Export (over the plain store)

	flightMu sync.Mutex
	flight   *flight // the poll committing in the background, or nil

	published atomic.Uint64
	applied   atomic.Uint64
	dups      atomic.Uint64
}

// inbound is one consumed message: its bytes, and whether it came from
// the control topic or subject (identity-link facts, applied by the
// graph's owner).
type inbound struct {
	value   []byte
	control bool
}

// publishFunc publishes what handle's messages caused, on the topic or
// subject every gateway follows, and returns only once the transport
// acknowledged every message (or with the first error).
type publishFunc func(ctx context.Context, msgs ...fleet.Message) error

var errCrashed = errors.New("hub: instance crashed (test)")

// ErrNotOwner means this instance does not own the single-owner control
// stream now (the Kafka control partition, or the NATS control lease), so
// it holds no graph (Erase and Export need one).
var ErrNotOwner = errors.New("hub: this instance does not own the control partition or lease")

func newCore(cfg Config) (*core, error) {
	switch {
	case len(cfg.Brokers) == 0 || cfg.Group == "" || cfg.Control == "" || cfg.Data == "" || cfg.Out == "":
		return nil, errors.New("hub: brokers (or NATS servers), group and the three topics (or subjects) are required")
	case cfg.Store == nil || cfg.OpenGraph == nil:
		return nil, errors.New("hub: a store and OpenGraph are required")
	}
	if cfg.MaxPoll <= 0 {
		cfg.MaxPoll = 1000
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	c := &core{cfg: cfg, apply: cfg.Store}
	if ps, ok := cfg.Store.(*pgStore); ok {
		bs := &batchStore{pgStore: ps}
		c.apply, c.batch = bs, bs
	}
	if cfg.Batch != nil && c.batch == nil {
		return nil, errors.New("hub: Batch needs the PostgreSQL fleet store (see Stores)")
	}
	data, err := fleet.NewHub(c.apply, fleet.WithDropHandler(cfg.OnDrop), fleet.WithController(cfg.Controller))
	if err != nil {
		return nil, err
	}
	c.data = data
	return c, nil
}

// Stats says how many records this instance applied (first time), found
// already applied (redelivered after another instance's crash), and
// published.
func (c *core) Stats() (applied, duplicates, published uint64) {
	return c.applied.Load(), c.dups.Load(), c.published.Load()
}

// owner returns the control hub and graph, or nil.
func (c *core) owner() (*fleet.Hub, *identity.Graph) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.control, c.graph
}

// dsrHub returns the hub for data subject requests, or nil.
func (c *core) dsrHub() *fleet.Hub {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dsr
}

// gain loads the graph: this instance now owns the control stream. It
// reports whether the graph loaded.
func (c *core) gain(ctx context.Context) bool {
	g, err := c.cfg.OpenGraph(ctx)
	if err != nil {
		c.cfg.Logf("hub: loading the graph: %v", err)
		return false
	}
	opts := []fleet.HubOption{fleet.WithGraph(g), fleet.WithDropHandler(c.cfg.OnDrop), fleet.WithController(c.cfg.Controller)}
	if c.cfg.Batch != nil {
		opts = append(opts, fleet.WithDeferredMark())
	}
	h, err := fleet.NewHub(c.apply, opts...)
	if err != nil {
		g.Shutdown(context.Background())
		c.cfg.Logf("hub: %v", err)
		return false
	}
	dsr, err := fleet.NewHub(c.cfg.Store, fleet.WithGraph(g), fleet.WithDropHandler(c.cfg.OnDrop), fleet.WithController(c.cfg.Controller))
	if err != nil {
		g.Shutdown(context.Background())
		c.cfg.Logf("hub: %v", err)
		return false
	}
	c.mu.Lock()
	c.graph, c.control, c.dsr = g, h, dsr
	c.mu.Unlock()
	c.cfg.Logf("hub: gained the control stream")
	return true
}

// lose closes the graph: this instance no longer owns the control stream.
// It first waits for the poll committing in the background (and its
// acknowledgement), so that the next owner loads a graph that holds it.
func (c *core) lose() {
	if err := c.settle(); err != nil {
		c.cfg.Logf("hub: the last poll: %v", err)
	}
	c.mu.Lock()
	g, h, dsr := c.graph, c.control, c.dsr
	c.graph, c.control, c.dsr = nil, nil, nil
	c.mu.Unlock()
	if h != nil {
		h.Close()
		dsr.Close()
		g.Shutdown(context.Background())
		c.cfg.Logf("hub: lost the control stream")
	}
}

// handle applies one poll's messages. Each message is decoded once: the
// batching store's prefetch and the hub's apply share the decoded message
// (a message that does not decode goes to Hub.Apply, which reports it as
// a drop).
//
// On memory, handle writes the poll, publishes what it caused, then
// calls ack (the transport acknowledges the poll), and returns. On
// PostgreSQL it is pipelined: handle applies the poll (through the graph,
// in memory) while the poll before commits in the background, waits for
// that one to finish, and then leaves this one committing — its commit,
// then publish, then ack — and returns. A poll is acknowledged only after
// its writes committed and what it caused was published; an error of the
// poll before is returned by the next handle (or settle), and the
// transport then stops without acknowledging anything after it.
func (c *core) handle(ctx context.Context, msgs []inbound, publish publishFunc, ack func(context.Context) error) error {
	decoded := make([]decodedIn, len(msgs))
	for i := range msgs {
		decoded[i].m, decoded[i].err = fleet.Decode(msgs[i].value)
	}
	if c.batch == nil {
		_, _, pub, err := c.applyPoll(ctx, msgs, decoded)
		if err != nil {
			return err
		}
		if err := publish(ctx, pub...); err != nil {
			return err
		}
		return ack(ctx)
	}
	ok := make([]fleet.Message, 0, len(msgs))
	for i := range decoded {
		if decoded[i].err == nil {
			ok = append(ok, decoded[i].m)
		}
	}
	if err := c.batch.begin(ctx, ok); err != nil {
		return errors.Join(err, c.settle())
	}
	defer c.batch.end()
	b, done, pub, err := c.applyPoll(ctx, msgs, decoded)
	if serr := c.settle(); err != nil || serr != nil {
		var derr error
		if done != nil {
			derr = done(errNotSent) // the store is diverged: said, not dropped
		}
		return errors.Join(serr, err, derr)
	}
	f := &flight{done: make(chan error, 1)}
	c.flightMu.Lock()
	c.flight = f
	c.flightMu.Unlock()
	go func() {
		err := done(c.batch.send(ctx, b))
		if err == nil {
			err = publish(ctx, pub...)
		}
		if err == nil {
			err = ack(ctx)
		}
		if err != nil { // said now; returned by the next handle or settle
			c.cfg.Logf("hub: a poll of %d messages was not acknowledged: %v", len(msgs), err)
		}
		f.done <- err
	}()
	return nil
}

// flight is a poll committing in the background (see handle).
type flight struct {
	done chan error // its commit's, publication's or acknowledgement's error, once
}

// settle waits for the poll committing in the background, if any, and
// returns its error. After it, nothing is in flight.
func (c *core) settle() error {
	c.flightMu.Lock()
	f := c.flight
	c.flight = nil
	c.flightMu.Unlock()
	if f == nil {
		return nil
	}
	return <-f.done
}

// errNotSent is what a prepared poll's done gets when it was not sent
// (the poll before it failed).
var errNotSent = errors.New("hub: not sent")

// decodedIn is an inbound message decoded, or why it did not decode.
type decodedIn struct {
	m   fleet.Message
	err error
}

// applyOne applies one message through h: the decoded message, or the
// bytes when they did not decode (Hub.Apply reports the drop).
func applyOne(ctx context.Context, h *fleet.Hub, in inbound, d decodedIn) (fleet.Result, error) {
	if d.err != nil {
		return h.Apply(ctx, in.value)
	}
	return h.ApplyMessage(ctx, d.m)
}

// applyPoll applies a poll's messages (data messages, then control ones
// through the graph) and returns what to publish and, on PostgreSQL, the
// poll's writes to send, with done, to be called with the result of
// sending them (non-nil with b). On error, nothing is returned to send
// (the graph's entries, if any, were written on their own).
func (c *core) applyPoll(ctx context.Context, msgs []inbound, decoded []decodedIn) (b *pgx.Batch, done func(error) error, pub []fleet.Message, err error) {
	var control []int
	for i, m := range msgs {
		if m.control {
			control = append(control, i)
			continue
		}
		res, err := applyOne(ctx, c.data, m, decoded[i])
		if err != nil && !isReported(err) {
			return nil, nil, nil, err
		}
		pub = append(pub, res.Publish...)
		c.count(res)
		if c.cfg.crash != nil && c.cfg.crash() {
			return nil, nil, nil, errCrashed
		}
	}
	if len(control) > 0 {
		h, g := c.owner()
		if h == nil {
			return nil, nil, nil, ErrNotOwner // consumed, but the graph did not load: redelivered from the last acknowledgement
		}
		var ids []string
		apply := func(ctx context.Context) error {
			for _, i := range control {
				res, err := applyOne(ctx, h, msgs[i], decoded[i])
				if err != nil && !isReported(err) {
					return err
				}
				if err == nil {
					ids = append(ids, res.Message.ID)
				}
				pub = append(pub, res.Publish...)
				c.count(res)
				if c.cfg.crash != nil && c.cfg.crash() {
					return errCrashed
				}
			}
			return nil
		}
		if c.cfg.Batch == nil {
			if err := apply(ctx); err != nil {
				return nil, nil, nil, err
			}
		} else {
			if b, done, err = c.cfg.Batch(ctx, g, apply); err != nil {
				return nil, nil, nil, err
			}
			if err := h.MarkApplied(ctx, ids...); err != nil { // held by the batching store
				return nil, nil, nil, errors.Join(err, done(errNotSent))
			}
		}
	}
	if c.batch == nil {
		return nil, nil, pub, nil
	}
	if b == nil {
		b, done = &pgx.Batch{}, func(err error) error { return err }
	}
	queue(b, c.batch.take())
	return b, done, pub, nil
}

func (c *core) count(res fleet.Result) {
	if res.Duplicate {
		c.dups.Add(1)
	} else {
		c.applied.Add(1)
	}
}

// isReported reports whether err is about the message itself (corrupt,
// not for the hub): the hub reported it as a drop, so it is acknowledged.
func isReported(err error) bool {
	return errors.Is(err, fleet.ErrCorrupt) || errors.Is(err, fleet.ErrInvalid)
}

// erase runs a data subject's erasure (owner only) and publishes the
// tombstone; publish is nil when the transport is not running.
func (c *core) erase(ctx context.Context, publish publishFunc, id identity.Identifier, requestID string, at time.Time) (*fleet.Erasure, error) {
	h := c.dsrHub()
	if h == nil || publish == nil {
		return nil, ErrNotOwner
	}
	er, err := h.Erase(ctx, id, requestID, at)
	if err != nil {
		return nil, err
	}
	return er, publish(ctx, er.Publish...)
}

// Export returns everything held about the person (owner only:
// ErrNotOwner elsewhere).
func (c *core) Export(ctx context.Context, id identity.Identifier, also ...identity.Identifier) (*fleet.Export, error) {
	h := c.dsrHub()
	if h == nil {
		return nil, ErrNotOwner
	}
	return h.Export(ctx, id, also...)
}
