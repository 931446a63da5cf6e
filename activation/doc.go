// Package activation decides, at the edge, what to do with what Touchpoint
// collects: profiles with traits, computed traits, audiences and
// event-triggered journeys, under consent, within microseconds of the
// event. It builds on packages connected and identity; connected knows
// nothing of it.
//
// # Model
//
// Definitions (package defs: a Go value or a JSON file marketing edits)
// are compiled into an index by event name, so an event touches only the
// traits, audiences and journeys that reference it. Each event is reduced
// to a fact: its time, message id, the consent purposes in force when it
// was collected, and the values of the paths the definitions read. Facts
// are kept per identifier (by key: a keyed hash, never a value) and a
// profile is the set of its identifiers: when identity merges or splits
// profiles, identifiers move (Input.Identities, Engine.Relink) and both
// profiles are re-derived from the facts — traits, windows and memberships
// never stay glued to the wrong person.
//
// # Memory layout
//
// The state holds no Go pointers per profile, so the garbage collector
// has nothing to scan in it: profile ids, identifier keys, string values
// and message ids are interned in byte arenas; a fact is a 40-byte struct
// (time, message id offset, event, purposes, two values inline, more in
// overflow slots) in runs of paged slabs indexed by int32, an identifier's
// facts sorted by event then time, so that a condition reads only its
// event's facts in its window (a binary search, then the window); journey
// history, fired action ids included, is 16-byte records kept with the
// profile (at most 4,096; the oldest goes first); memberships are bits; a
// profile's own identifier ("profile:<id>", for inputs without
// identities) lives inside the profile record. Steady-state processing allocates nothing (fired
// actions allocate their event). Windows are folded exactly over the
// facts they hold, not in time buckets: an exit happens at the instant
// the last event leaves the window. See README.md for the figures.
//
// Computed traits (count, sum, min, max, avg, first, last, most frequent,
// unique list and count, time since last) fold a profile's matching facts
// in a sliding event-time window. Audiences combine event conditions with
// windows, presence in a zone, traits and other audiences with
// all/any/not; membership changes are announced as Outputs (Audience
// Entered/Exited) and Explain lists the conditions and contributing
// events. Journeys fire on a trigger event, after conditions, a related
// earlier event (the wished product of the department just entered),
// re-entry rules, a holdout, quiet hours, a frequency cap and an optional
// wait cancelled by an unless or exit event.
//
// # Time
//
// Everything runs on event time. The watermark is the latest event time
// seen minus the lateness bound (WithLateness, default 1 minute); older
// events are dropped, counted and reported (WithDropHandler). A profile is
// evaluated at the latest event time it has seen, over the set of its
// facts, so events that arrive out of order within the bound give the same
// memberships as in-order delivery. Windows expire as the watermark passes
// (Advance moves it when no events do). Journey decisions are made when
// the trigger arrives, against the facts at or before its time. A trigger
// refused for want of its related event (no_related_event,
// related_without_consent) is kept until the watermark passes its time:
// a related event delivered later but that happened before the trigger,
// within the related window, decides it again and fires the same action
// (same id) in-order delivery would have fired. Event times are bounded
// to about ±35,000 years around 1970 (an InputError beyond).
//
// # Consent
//
// An event counts for a purpose only if consent for it was in force when
// the event was collected (Input.Purposes; the Middleware reads the
// consent ledger): an audience or journey for marketing never sees an
// event collected before the marketing grant. Location data counts only
// with location consent; health data only with health consent, biometric
// data (connected.CategoryBiometric) only with attention consent, presence
// data (connected.CategoryPresence: whether people are at home) only with
// location consent, and none of these three for marketing or advertising,
// whatever was granted: such an input is counted (Stats.Sensitive),
// reported to the drop handler and refused by a marketing journey with
// ReasonSensitive. The eight built-in purposes of
// package consent, attention included, have fixed bits 0-7; custom ones
// follow. A revocation (Engine.Revoke, or the
// ledger through the Middleware) strips the purpose from the profile's
// facts, exits its audiences of that purpose with reason consent_revoked
// and cancels pending actions. Facts stay with the identifier they were
// collected under, so an identifier identity did not link (no linking
// consent) never activates another's profile.
//
// # Idempotence and durability
//
// Every output carries a deterministic id (ActionID) derived from the
// journey or audience, the profile and the triggering events: a replay or
// a restart never fires an action twice, and sinks can drop ids they have
// seen. Inputs marked Replay rebuild state without firing. With a Store
// (MemStore; FileStore: snapshot plus append log on internal/durable,
// crash-safe, flock, versioned: schema 2 writes the arenas in bulk
// records of about 1 MiB and refuses a schema 1 snapshot with a
// FormatError) every change is written ahead before the
// outputs it caused are returned: after a crash an action is either
// recorded as fired and returned, or neither (at most once; a crash after
// the write and before the caller delivered it loses that one delivery).
// New rebuilds the engine from the snapshot and the log without announcing
// anything.
//
// # Concurrency and cost
//
// An Engine is safe for concurrent use (one mutex) and starts no
// goroutines; Go action handlers run on the caller's goroutine after the
// lock is released. A Middleware runs an Engine in a connected pipeline;
// a central service consuming Kafka or NATS calls Engine.Process with
// FromRecord, or FromRecordWith and the producers' channel registry when
// they registered custom channels (connected.WithChannels). Strings of
// Outputs are cut from shared 16 KiB chunks, and the events of fired
// actions from chunks of 64: holding one Output keeps its chunks alive. Bad input gets typed errors: *InputError (ErrInput),
// *defs.Error, *FormatError (ErrCorrupt).
package activation
