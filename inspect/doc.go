// Package inspect serves live pages for the operators of a Touchpoint
// pipeline, mounted like net/http/pprof:
//
//	var (
//		ctx       context.Context
//		mux       *http.ServeMux
//		sink      connected.Handler
//		batcher   *transport.Batcher
//		authorize func(*http.Request) error // who may look: required
//	)
//	tap, _ := inspect.NewTap()
//	client, _ := connected.New(sink, connected.WithMiddleware(tap.Middleware("client")))
//	h, _ := inspect.New(authorize, inspect.WithTap(tap), inspect.WithStats("batcher", batcher.Stats))
//	defer h.Shutdown(ctx)
//	mux.Handle("/debug/touchpoint/", http.StripPrefix("/debug/touchpoint", h))
//
// The pages, each shown only when its source is configured:
//
//   - Events (WithTap): the records passing a Tap's middleware as they
//     flow, over server-sent events, filtered by event name, channel,
//     destination (the tap point) and type, with what the next handler
//     returned for each.
//   - Decisions (WithDecisions, a *consent.Router): per-destination counts
//     of deliveries, strips, holds, drops and errors, refusals by reason,
//     and the recent refusals of the audit trail.
//   - Delivery (WithStats): transport.Stats of batchers, senders and spools
//     sampled over time, drawn as charts (records per second, queue and
//     spool depth, bytes held), with the drops by reason and the last error.
//   - Zones (WithZones): a beacon.Tracker's occupancy drawn on store plans.
//   - Identity (WithExplainer, an *identity.Graph): why two identifiers
//     are, or are not, one profile, drawn as a graph.
//   - Audiences (WithAudiences): audience sizes.
//
// Pages are html/template and inline SVG, with one small script of their
// own (the live stream, and a periodic refresh of the other pages); the
// package uses the standard library only.
//
// # Security contract
//
//   - Never open by default. New requires an authorisation hook and refuses
//     nil. The hook runs before anything else on every request, static files
//     and streams included; an error answers 401 (ErrUnauthenticated) or 403
//     and its text is never sent. What the hook checks (a session, a token
//     compared in constant time, a client certificate) is the user's choice;
//     the inspector adds no credentials of its own.
//   - Pseudonyms by default. Identifiers of people and devices — userId,
//     anonymousId, the profile id, context.device.id, zone subjects,
//     identifier values in an identity explanation — are shown as
//     connected.Pseudonymizer pseudonyms (a random key per Handler unless
//     WithPseudonymizer gives the deployment's own); event properties and
//     traits are shown by name only, and the record's identifiers are
//     replaced by their pseudonyms in error texts. Only requests for which
//     the WithReveal hook returns true see identifiers, properties, traits
//     and payloads in the clear. Values that already are pseudonyms, keyed
//     hashes (identity keys, consent audit subject tags) and message ids
//     are shown as they are.
//   - Escaping. Everything an event or a source supplies is escaped by
//     html/template, or reaches the page as JSON that the script puts in
//     place with textContent. Responses carry a strict
//     Content-Security-Policy (scripts and styles from the Handler only, no
//     inline script, no framing), nosniff, no-referrer and no-store.
//   - Read only. Nothing on the pages changes the pipeline. The identity
//     form is a POST, so that identifiers stay out of URLs and logs, and a
//     cross-site POST is refused.
//
// # Cost and concurrency
//
// A Tap never blocks the pipeline: its middleware passes the record on,
// then stores a pointer to it in a bounded ring with atomics (one small
// allocation). A viewer that falls behind skips records; they are counted
// (TapStats.Dropped) and reported to WithOnDrop, and the page says how many
// it missed. Each live stream runs on its request's goroutine and ends when
// the request's context ends, a write stalls for ten seconds, or
// Shutdown is called; at most WithMaxStreams are open at once.
//
// Handler and Tap are safe for concurrent use. With stats sources the
// Handler runs one sampler goroutine; Shutdown stops it, ends the streams
// and waits for both, bounded by its context. Sources are called on
// request goroutines (zones, audiences, identity, decisions) or on the
// sampler goroutine (stats) and must be safe for concurrent use.
package inspect
