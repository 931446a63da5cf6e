package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Config is one hub instance's configuration.
type Config struct {
	Brokers []string
	Group   string // consumer group shared by every hub instance
	// Control carries identity-link facts: ONE partition, owned by one
	// instance at a time (the graph lives in its memory). Data carries
	// consent records, touchpoints, memberships and actions: any number of
	// partitions, spread over the instances. Out is what the hub publishes;
	// every gateway follows it.
	Control, Data, Out string
	// Store is the fleet store every instance shares (PostgreSQL, or a
	// fleet.MemStore in one process).
	Store fleet.Store
	// OpenGraph loads the fleet-wide graph from its store; called when this
	// instance gains the control partition. The graph is closed when it
	// loses it.
	OpenGraph func(ctx context.Context) (*identity.Graph, error)
	// Batch, if set, runs fn with the graph's store writes held in one
	// transaction (pgstore's IdentityStore.Batch); the applied ids are
	// marked after it commits. It receives the graph OpenGraph returned.
	Batch func(ctx context.Context, g *identity.Graph, fn func(ctx context.Context) error) error
	// Controller is named on receipts.
	Controller fleet.Controller
	// OnDrop reports every message not applied (corrupt, erased, ...).
	OnDrop func(fleet.Drop)
	// Logf logs rebalances and errors. Default: none.
	Logf func(format string, args ...any)
	// MaxPoll bounds the records handled per poll. Default 1000.
	MaxPoll int

	// crash, for tests: called after each record is applied, before the
	// poll is committed; returning true makes Run return errCrashed at
	// once, without committing (a process killed mid-stream).
	crash func() bool
	// assigned, for tests: called with the partitions of each assignment.
	assigned func(map[string][]int32)
}

var errCrashed = errors.New("hub: instance crashed (test)")

// ErrNotOwner means this instance does not own the control partition now,
// so it holds no graph (Erase and Export need one).
var ErrNotOwner = errors.New("hub: this instance does not own the control partition")

// Instance is one hub process: a member of the consumer group that
// applies what it is assigned and publishes back.
type Instance struct {
	cfg   Config
	data  *fleet.Hub
	apply fleet.Store // cfg.Store, or its batching view on PostgreSQL
	batch batcher     // nil on memory

	mu      sync.Mutex
	graph   *identity.Graph
	control *fleet.Hub // applies (over the batching view)
	dsr     *fleet.Hub // Erase and Export (over the plain store)

	cl        atomic.Pointer[kgo.Client]
	published atomic.Uint64
	applied   atomic.Uint64
	dups      atomic.Uint64
}

// Stats says how many records this instance applied (first time), found
// already applied (redelivered after another instance's crash), and
// published.
func (in *Instance) Stats() (applied, duplicates, published uint64) {
	return in.applied.Load(), in.dups.Load(), in.published.Load()
}

// NewInstance checks cfg and returns an instance; Run starts it.
func NewInstance(cfg Config) (*Instance, error) {
	switch {
	case len(cfg.Brokers) == 0 || cfg.Group == "" || cfg.Control == "" || cfg.Data == "" || cfg.Out == "":
		return nil, errors.New("hub: brokers, group and the three topics are required")
	case cfg.Store == nil || cfg.OpenGraph == nil:
		return nil, errors.New("hub: a store and OpenGraph are required")
	}
	if cfg.MaxPoll <= 0 {
		cfg.MaxPoll = 1000
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	in := &Instance{cfg: cfg, apply: cfg.Store}
	if ps, ok := cfg.Store.(*pgStore); ok {
		bs := &batchStore{pgStore: ps}
		in.apply, in.batch = bs, bs
	}
	data, err := fleet.NewHub(in.apply, fleet.WithDropHandler(cfg.OnDrop), fleet.WithController(cfg.Controller))
	if err != nil {
		return nil, err
	}
	in.data = data
	return in, nil
}

// owner returns the control hub and graph, or nil.
func (in *Instance) owner() (*fleet.Hub, *identity.Graph) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.control, in.graph
}

// dsrHub returns the hub for data subject requests, or nil.
func (in *Instance) dsrHub() *fleet.Hub {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.dsr
}

func (in *Instance) gain(ctx context.Context) {
	g, err := in.cfg.OpenGraph(ctx)
	if err != nil {
		in.cfg.Logf("hub: loading the graph: %v", err)
		return
	}
	opts := []fleet.HubOption{fleet.WithGraph(g), fleet.WithDropHandler(in.cfg.OnDrop), fleet.WithController(in.cfg.Controller)}
	if in.cfg.Batch != nil {
		opts = append(opts, fleet.WithDeferredMark())
	}
	h, err := fleet.NewHub(in.apply, opts...)
	if err != nil {
		g.Shutdown(context.Background())
		in.cfg.Logf("hub: %v", err)
		return
	}
	dsr, err := fleet.NewHub(in.cfg.Store, fleet.WithGraph(g), fleet.WithDropHandler(in.cfg.OnDrop), fleet.WithController(in.cfg.Controller))
	if err != nil {
		g.Shutdown(context.Background())
		in.cfg.Logf("hub: %v", err)
		return
	}
	in.mu.Lock()
	in.graph, in.control, in.dsr = g, h, dsr
	in.mu.Unlock()
	in.cfg.Logf("hub: gained the control partition")
}

func (in *Instance) lose() {
	in.mu.Lock()
	g, h, dsr := in.graph, in.control, in.dsr
	in.graph, in.control, in.dsr = nil, nil, nil
	in.mu.Unlock()
	if h != nil {
		h.Close()
		dsr.Close()
		g.Shutdown(context.Background())
		in.cfg.Logf("hub: lost the control partition")
	}
}

// Run consumes until ctx ends or the client fails, and returns why. It
// commits a poll's offsets only after every record of it was applied and
// what it caused was published.
func (in *Instance) Run(ctx context.Context) error {
	onRevoke := func(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
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
		recs := fs.Records()
		if len(recs) > 0 {
			if err := in.process(ctx, cl, recs); err != nil {
				return err
			}
			if err := cl.CommitRecords(ctx, recs...); err != nil {
				return fmt.Errorf("hub: commit: %w", err)
			}
		}
		cl.AllowRebalance()
	}
}

// process applies a poll's records and publishes what they cause.
func (in *Instance) process(ctx context.Context, cl *kgo.Client, recs []*kgo.Record) error {
	if in.batch != nil {
		msgs := make([]fleet.Message, 0, len(recs))
		for _, r := range recs {
			if m, err := fleet.Decode(r.Value); err == nil {
				msgs = append(msgs, m)
			}
		}
		if err := in.batch.begin(ctx, msgs); err != nil {
			return err
		}
		defer in.batch.abort()
	}
	pub, err := in.applyAll(ctx, recs)
	if err != nil {
		return err
	}
	if in.batch != nil {
		if err := in.batch.commit(ctx); err != nil {
			return err
		}
	}
	return in.publish(ctx, cl, pub...)
}

// applyAll applies a poll's records and returns what to publish.
func (in *Instance) applyAll(ctx context.Context, recs []*kgo.Record) ([]fleet.Message, error) {
	var pub []fleet.Message
	var control []*kgo.Record
	for _, r := range recs {
		if r.Topic == in.cfg.Control {
			control = append(control, r)
			continue
		}
		res, err := in.data.Apply(ctx, r.Value)
		if err != nil && !isReported(err) {
			return nil, err
		}
		pub = append(pub, res.Publish...)
		in.count(res)
		if in.cfg.crash != nil && in.cfg.crash() {
			return nil, errCrashed
		}
	}
	if len(control) > 0 {
		h, g := in.owner()
		if h == nil {
			return nil, ErrNotOwner // assigned, but the graph did not load: retry from the last commit
		}
		var ids []string
		apply := func(ctx context.Context) error {
			for _, r := range control {
				res, err := h.Apply(ctx, r.Value)
				if err != nil && !isReported(err) {
					return err
				}
				if err == nil {
					ids = append(ids, res.Message.ID)
				}
				pub = append(pub, res.Publish...)
				in.count(res)
				if in.cfg.crash != nil && in.cfg.crash() {
					return errCrashed
				}
			}
			return nil
		}
		var err error
		if in.cfg.Batch != nil {
			err = in.cfg.Batch(ctx, g, apply)
			if err == nil {
				err = h.MarkApplied(ctx, ids...)
			}
		} else {
			err = apply(ctx)
		}
		if err != nil {
			return nil, err
		}
	}
	return pub, nil
}

func (in *Instance) count(res fleet.Result) {
	if res.Duplicate {
		in.dups.Add(1)
	} else {
		in.applied.Add(1)
	}
}

// isReported reports whether err is about the message itself (corrupt,
// not for the hub): the hub reported it as a drop, so it is committed past.
func isReported(err error) bool {
	return errors.Is(err, fleet.ErrCorrupt) || errors.Is(err, fleet.ErrInvalid)
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
	h := in.dsrHub()
	cl := in.cl.Load()
	if h == nil || cl == nil {
		return nil, ErrNotOwner
	}
	er, err := h.Erase(ctx, id, requestID, at)
	if err != nil {
		return nil, err
	}
	return er, in.publish(ctx, cl, er.Publish...)
}

// Export returns everything held about the person (owner only).
func (in *Instance) Export(ctx context.Context, id identity.Identifier, also ...identity.Identifier) (*fleet.Export, error) {
	h := in.dsrHub()
	if h == nil {
		return nil, ErrNotOwner
	}
	return h.Export(ctx, id, also...)
}
