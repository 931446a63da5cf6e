// Package touchpoint is the Go SDK for omnichannel customer events: one
// event stream for every touchpoint — web, app, store, till, beacon, wearable,
// car — tied to one customer, under that customer's consent, delivered
// reliably.
//
// This package is the front door: New builds the usual pipeline in one
// call and returns one Client with Track, Identify, Page, Screen, Group,
// Alias, Flush and Shutdown:
//
//	func send(ctx context.Context, endpoint, writeKey string) error {
//		client, err := touchpoint.New(endpoint, writeKey)
//		if err != nil {
//			return err
//		}
//		defer client.Shutdown(ctx)
//		return client.Track(ctx, touchpoint.Event{UserID: "user-42", Event: "Order Completed",
//			Properties: touchpoint.Properties{"order_id": "o-1", "revenue": 9.99}})
//	}
//
// Behind it: connected.Client (stamp, validate, encode once) ->
// transport.Batcher -> [spool.Spool, with WithSpool] -> transport.Retry ->
// the HTTP sender, gzip on. Options of the same call add identity
// stitching, consent and further destinations with their purposes; the
// subpackages remain the way to compose anything else by hand.
//
// The fast path, TrackFields with typed Fields (String, Float, UserID, ...),
// writes the same bytes as Track without building a Properties map.
//
// # Durability and retries
//
// Without a spool, Track returns once the event is queued in memory: a
// crash loses what is queued. A batch that fails retryably is retried for
// up to a minute (Retry-After honoured), then reported to the failure
// callback (WithCallbacks) with its reason, and counted (Client.Stats).
// With WithSpool, Track returns once the event is on disk (WithDurable),
// and a batch that keeps failing retryably stays on disk and is retried
// with backoff until it is delivered, across restarts; only permanent
// failures (4xx other than 408, 413 and 429) leave it, reported and counted.
// Delivery is at-least-once; receivers dedupe on messageId.
// transport/README.md has the table, path by path, with measurements.
//
// # Packages
//
//   - connected: the canonical Event (Segment-spec shaped, CloudEvents on
//     the wire), its encoders and decoder, and the Client pipeline that
//     stamps, validates and encodes each event once into a Record.
//   - connected/connectedtest: a Recorder and deterministic clocks and ids
//     for your own tests.
//   - connected/consent: the consent ledger, TCF v2.2 / Consent Mode /
//     Segment readers, purpose-based routing and the consent gate.
//   - identity: the identity graph that stitches anonymous ids, devices,
//     emails, phones and loyalty ids into one profile, with over-merge
//     protection, explanations and erasure.
//   - beacon: iBeacon, AltBeacon and Eddystone frames, distance, and a zone
//     Tracker producing enter / dwell / exit events.
//   - wearable: GATT health and fitness decoders, sessions, normalisation
//     (Open mHealth, FHIR) and the Apple Health importer.
//   - transport: the Sender contract, the bounded Batcher, Retry, HTTP
//     (Segment, RudderStack, CloudEvents), file and writer senders;
//     transport/spool is the durable disk queue.
//   - examples: runnable programs to copy.
//
// # End to end, in prose
//
// A store gateway hears a phone's beacon sightings and passes them to a
// beacon.Tracker, which decides — with hysteresis, so the signal does not
// flap — that customer 42 entered the shoe department. The tracker's zone
// event becomes a connected.Event in the location category. The
// connected.Client stamps it with a UUIDv7 messageId, validates it and
// encodes it once. Identity middleware attaches the customer's canonical
// profile; the consent gate checks that location consent was in force at the
// event's time and routes it only to destinations whose purpose allows it.
// A transport.Batcher, backed by a spool on disk so that a lost uplink loses
// nothing, delivers it to a Segment-compatible collector, Kafka or NATS.
//
// Start with examples/quickstart (go run ./examples/quickstart), then
// examples/newcomer (RudderStack, a spool, ESPresense over MQTT, identity
// and consent in one New call).
package touchpoint
