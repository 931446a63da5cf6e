// Package plan checks events against a tracking plan: the events an
// organisation means to collect and, for each, its properties with their
// types, required flags, enums, patterns, formats and ranges.
//
// # Plans
//
// A Spec is a plan as data. Write one in Go, or load one from the JSON
// export of a Segment Protocols tracking plan (FromSegment: the Public API
// rules, or the older Config API / Typewriter shape), a RudderStack
// tracking plan (FromRudderStack: the Data Catalog API or the legacy
// Tracking Plan API) or Snowplow/Iglu self-describing JSON Schemas
// (FromIglu). The importers read the JSON Schema subset these exports
// use: type, enum, const, pattern, format, minimum, maximum,
// exclusiveMinimum/Maximum, minLength/maxLength, minItems/maxItems, items,
// properties, required and boolean additionalProperties, plus annotations.
// Anything else (allOf, anyOf, oneOf, not, if/then/else, $ref,
// patternProperties, multipleOf, ...) is refused with an *UnsupportedError
// that names the event and the JSON path, so a plan is never checked less
// strictly than it reads; a document of the wrong shape is an
// *ImportError. Patterns are RE2 (no lookarounds), unanchored as in JSON
// Schema.
//
// Compile turns a Spec into a Plan: patterns compiled (the common shapes,
// ^ord_[0-9a-f]{8}$ or ^(a|b|c)$, into byte tables that cost a few
// nanoseconds; others into regexp), enums and property names indexed. A
// Spec that contradicts itself is a *SpecError.
//
// # Validation
//
// Plan.Validate checks one record: a track event by its name, an
// identify or group event by its type, a page or screen event by its name
// (or the type-wide rule); Spec.Common applies to every event. Properties
// are checked against properties, traits against traits, and context keys
// against context (by wire name: context.traits, context.device.*, ...).
// Segment's event versions are honoured: context.protocols.event_version
// selects the version, the first one applies without it. Violations come
// back in a stable order, each with a Kind, the JSON path of the field and
// a reason. A typical event that keeps its plan is checked in about
// 300 ns with no allocation (BenchmarkValidate); values of types the fast
// path does not know (structs, Stringers) are checked in their wire form.
//
// # Middleware
//
// Middleware checks every record at emit time, in the client's
// middleware chain, before batching and the spool, where events may wait
// for hours before anyone would notice they are wrong:
//
//	var (
//		spec          plan.Spec // written in Go, or loaded from an export
//		logViolations plan.ViolationHandler
//		sink          connected.Handler
//	)
//	p, err := plan.Compile(spec)
//	m, err := plan.NewMiddleware(p, plan.Block, plan.WithViolationHandler(logViolations))
//	c, err := connected.New(sink, connected.WithMiddleware(m.Middleware()))
//
// A violating event is, by Mode: blocked (Handle returns a
// *ViolationError, ErrViolation, and the next handler never sees it);
// forwarded with its violations attached in
// context.protocols.violations[] as {"type","field","description"} (where
// Segment Protocols keeps its per-event data, with the names of Segment's
// forwarded violations); or reported (passed on unchanged). In every mode
// the counters (Middleware.Stats) move and the ViolationHandler, if set,
// gets the violations: nothing is dropped silently.
//
// # Generated constructors
//
// The command plan/cmd/plangen writes typed Go constructors from a plan,
// as Segment's Typewriter does for other languages; see its doc.
//
// # Contracts
//
// A Spec is plain data. A compiled Plan is immutable and safe for
// concurrent use; it shares no memory with its Spec. Middleware is safe
// for concurrent use, starts no goroutines and needs no cleanup;
// Middleware.Swap replaces its plan while events flow, each record being
// checked against one whole plan. Nothing in the package blocks, does I/O
// or takes a context except the middleware's Handle, which passes its
// context to the violation handler and the next handler. The package has
// no globals and reads no environment.
package plan
