package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation"
	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/twmb/franz-go/pkg/kgo"
)

// cmpCategories maps the consent manager's category ids, as events carry
// them in context.consent.categoryPreferences, to purposes. Use your CMP's.
var cmpCategories = map[string]consent.Purpose{
	"Analytics": consent.PurposeAnalytics, "Marketing": consent.PurposeMarketing,
	"Advertising": consent.PurposeAdvertising, "Location": consent.PurposeLocation,
	"Health": consent.PurposeHealth,
}

// Config is what Run needs.
type Config struct {
	Brokers      []string
	Topic, Group string
	Definitions  *defs.Set
	StateDir     string           // "": memory only
	Lateness     time.Duration    // the engine's lateness bound; 0: its default (1 minute)
	MaxAge       time.Duration    // inputs older than this by Now are replayed: state, no outputs; 0: none
	Now          func() time.Time // nil: time.Now
	Out          io.Writer        // one JSON line per output
	Log          *slog.Logger     // skipped records, drops; nil: discarded (Stats still count)
	AfterBatch   func(Stats)      // called after each poll was committed (tests, metrics); may be nil
	// Pseudonyms, when set, prints profiles (user and anonymous ids) as
	// its keyed pseudonyms; nil prints them as they are (-reveal).
	Pseudonyms *connected.Pseudonymizer
}

// Stats counts what Run did. Engine is the engine's own counters
// (duplicates, late drops, fired, refused).
type Stats struct {
	Consumed, Skipped, Outputs int
	Engine                     activation.Stats
}

type service struct {
	cfg    Config
	engine *activation.Engine
	ledger *consent.Ledger
	reader *consent.SegmentReader
	stats  Stats
	ins    []activation.Input
	from   []*kgo.Record // the record of each of ins
}

// Run opens the state, joins the consumer group and processes polls until
// ctx is done (it then returns nil) or something fails that a restart must
// repair: the state store, the ledger, a commit. It closes the Kafka
// client, the engine and the ledger before returning. The poll in hand
// when ctx ends is still processed and committed (bounded by 30 s).
func Run(ctx context.Context, cfg Config) (st Stats, err error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &service{cfg: cfg}
	if s.reader, err = consent.NewSegmentReader(cmpCategories); err != nil {
		return st, err
	}
	opts := []activation.Option{activation.WithDropHandler(func(d activation.Drop) {
		cfg.Log.Warn("input dropped", "messageId", d.MessageID, "time", d.Time, "reason", d.Reason)
	})}
	if cfg.Lateness > 0 {
		opts = append(opts, activation.WithLateness(cfg.Lateness))
	}
	var store *activation.FileStore
	if cfg.StateDir == "" {
		s.ledger, err = consent.NewLedger()
	} else if s.ledger, err = consent.OpenLedger(filepath.Join(cfg.StateDir, "consent")); err == nil {
		cut := activation.WithTruncateHandler(func(n int64, cause error) {
			cfg.Log.Warn("state log tail cut on open (a crash mid-write)", "bytes", n, "cause", cause)
		})
		if store, err = activation.OpenFileStore(filepath.Join(cfg.StateDir, "activation"), cut); err != nil {
			s.ledger.Shutdown(context.Background())
		}
		opts = append(opts, activation.WithStore(store))
	}
	if err != nil {
		return st, err
	}
	defer func() { err = errors.Join(err, s.ledger.Shutdown(context.Background())) }()
	if s.engine, err = activation.New(cfg.Definitions, opts...); err != nil {
		if store != nil {
			store.Close()
		}
		return st, err
	}
	defer func() { err = errors.Join(err, s.engine.Shutdown(context.Background())) }() // closes the store

	cl, err := kgo.NewClient(kgo.SeedBrokers(cfg.Brokers...), kgo.ConsumerGroup(cfg.Group), kgo.ConsumeTopics(cfg.Topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),   // a new group reads the whole topic
		kgo.DisableAutoCommit(), kgo.BlockRebalanceOnPoll()) // commit only what was processed, before a rebalance
	if err != nil {
		return st, err
	}
	defer func() { cl.AllowRebalance(); cl.Close() }() // Close leaves the group
	for {
		fs := cl.PollFetches(ctx)
		if fs.IsClientClosed() {
			return s.stats, nil
		}
		fs.EachError(func(t string, p int32, err error) {
			if !errors.Is(err, context.Canceled) {
				cfg.Log.Warn("fetch failed", "topic", t, "partition", p, "err", err)
			}
		})
		if recs := fs.Records(); len(recs) > 0 {
			bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			err := s.process(bctx, recs)
			if err == nil {
				err = cl.CommitRecords(bctx, recs...)
			}
			cancel()
			if err != nil {
				return s.stats, err
			}
			s.stats.Engine = s.engine.Stats()
			if cfg.AfterBatch != nil {
				cfg.AfterBatch(s.stats)
			}
		}
		if ctx.Err() != nil {
			return s.stats, nil
		}
		cl.AllowRebalance()
	}
}

// process applies one poll: decode, consent, one ProcessBatch, print.
func (s *service) process(ctx context.Context, recs []*kgo.Record) error {
	s.ins, s.from = s.ins[:0], s.from[:0]
	for _, kr := range recs {
		s.stats.Consumed++
		in, err := inputOf(kr)
		if err == nil {
			err = s.recordConsent(ctx, kr, &in)
		}
		if re := (*RecordError)(nil); errors.As(err, &re) {
			s.skip(re)
			continue
		}
		if err != nil {
			return err
		}
		in.Replay = s.cfg.MaxAge > 0 && in.Time.Before(s.cfg.Now().Add(-s.cfg.MaxAge))
		s.ins, s.from = append(s.ins, in), append(s.from, kr)
	}
	// After the whole poll's consent was recorded, as the ledger decides
	// (Permits): a withdrawal later in the poll also stops earlier events.
	known := s.engine.Purposes()
	for i := range s.ins {
		var granted []consent.Purpose
		for _, p := range known {
			if s.ledger.Permits(s.ins[i].Profile, p, s.ins[i].Time) {
				granted = append(granted, p)
			}
		}
		s.ins[i].Purposes = s.engine.PurposesOf(granted...)
	}
	out, err := s.engine.ProcessBatch(ctx, s.ins, nil)
	if errors.Is(err, activation.ErrInput) { // an input the engine refuses refuses the batch: go one by one
		out, err = nil, nil
		for i := 0; i < len(s.ins) && err == nil; i++ {
			if out, err = s.engine.Process(ctx, s.ins[i], out); errors.Is(err, activation.ErrInput) {
				s.skip(recordError(s.from[i], err))
				err = nil
			}
		}
	}
	if err != nil {
		return fmt.Errorf("activation: %w", err)
	}
	return s.print(out)
}

// recordConsent records the event's context.consent in the ledger as the
// subject's decisions from the event's time, unless already in force. A
// withdrawal of a purpose granted until now is applied to the engine
// first (exits, cancelled actions: printed), so that a crash between the
// two is repaired when the record is processed again.
func (s *service) recordConsent(ctx context.Context, kr *kgo.Record, in *activation.Input) error {
	for _, sig := range s.reader.Read(in.Event.Context.Consent.CategoryPreferences) {
		if f, ok := s.ledger.At(in.Profile, sig.Purpose, in.Time); ok && f.Granted == sig.Granted {
			continue
		}
		if cur, ok := s.ledger.Current(in.Profile, sig.Purpose); !sig.Granted && ok && cur.Granted && !in.Time.Before(cur.Effective) {
			out, err := s.engine.Revoke(ctx, in.Profile, sig.Purpose, in.Time, nil)
			if err == nil {
				err = s.print(out)
			}
			if err != nil {
				return err
			}
		}
		_, err := s.ledger.Record(ctx, consent.Fact{Subject: in.Profile, Purpose: sig.Purpose, Granted: sig.Granted,
			Effective: in.Time, Source: consent.SourceEvent})
		switch {
		case errors.Is(err, consent.ErrErased):
			return nil // the subject asked to be forgotten: nothing more of theirs is recorded
		case errors.Is(err, consent.ErrInvalidFact):
			return recordError(kr, err)
		case err != nil:
			return err
		}
	}
	return nil
}

func (s *service) skip(err *RecordError) {
	s.stats.Skipped++
	s.cfg.Log.Warn("record skipped", "err", err)
}

// outputLine is how an output is printed.
type outputLine struct {
	Kind        string               `json:"kind"`
	ID          string               `json:"id"`
	Profile     string               `json:"profile"`
	Audience    string               `json:"audience,omitempty"`
	Journey     string               `json:"journey,omitempty"`
	Purpose     consent.Purpose      `json:"purpose,omitempty"`
	Destination string               `json:"destination,omitempty"`
	Event       string               `json:"event,omitempty"`
	Properties  connected.Properties `json:"properties,omitempty"`
	Time        time.Time            `json:"time"`
	Trigger     string               `json:"trigger,omitempty"`
	Related     string               `json:"related,omitempty"`
	Reason      string               `json:"reason,omitempty"`
}

// print writes one JSON line per output, the profile as a pseudonym
// unless Config.Pseudonyms is nil. This is the delivery of the
// template: produce fired actions to your messaging topic instead, keyed
// by ID, which is deterministic, so that the sink drops what it has seen.
func (s *service) print(out []activation.Output) error {
	enc := json.NewEncoder(s.cfg.Out)
	for i := range out {
		o := &out[i]
		profile := o.Profile
		if s.cfg.Pseudonyms != nil {
			profile = s.cfg.Pseudonyms.Pseudonym(profile)
		}
		l := outputLine{Kind: o.Kind.String(), ID: o.ID, Profile: profile, Audience: o.Audience, Journey: o.Journey,
			Purpose: o.Purpose, Destination: o.Destination, Time: o.Time, Trigger: o.Trigger, Related: o.Related, Reason: o.Reason}
		if o.Kind == activation.ActionFired && o.Event != nil {
			l.Event, l.Properties = o.Event.Event, o.Event.Properties
		}
		if err := enc.Encode(&l); err != nil {
			return fmt.Errorf("print output: %w", err)
		}
		s.stats.Outputs++
	}
	return nil
}
