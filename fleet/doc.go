// Package fleet runs Touchpoint across a fleet of stores: the facts
// gateways publish to a central hub, the Hub that applies them to the
// fleet-wide state, and the Follower each gateway runs to apply what the
// hub publishes back. The transport (Kafka, NATS JetStream) and the
// database (PostgreSQL through store/pgstore) are the caller's:
// examples/hub wires them.
//
// # Wire facts
//
// Every message has a stable id, the dedupe key everywhere (Encode,
// Decode; golden files in testdata):
//
//	gateway -> hub   link         identity.EncodeLinkFact's record as it is (id derived from the event id)
//	                 consent      a ConsentRecord (id derived from its RecordID)
//	                 touchpoint   an event reduced to keys, name, place, time (id: the event's messageId)
//	                 membership   an audience entry/exit (id: the activation output id)
//	                 action       a journey action taken (id: the action id)
//	hub -> gateways  consent_change, fleet_membership   (id derived from the consumed id: DeriveID)
//	                 tombstone                          (id derived from the data subject request id)
//
// Envelopes are JSON: {"v":1,"kind":...,"id":...,"time":...,"source":...,
// "<kind>":{...}}, times RFC 3339 UTC with milliseconds, keys in a fixed
// order. Subjects are identity keys ({"type":"email","key":"<32 hex>"}):
// no identifier value is ever written, whatever the graph keeps.
//
// # The hub
//
// Hub.Apply decodes a message, skips an id applied before (Store.Applied),
// writes it — the identity graph first for a link fact, then the Store,
// each write keyed by the id — marks the id applied, and returns what to
// publish. The caller publishes that and only then commits the offset, so
// a crash at any point redelivers the message and applies it once;
// published ids are derived, so republishing is harmless.
//
// The identity graph lives in memory over its store (identity.Graph with
// pgstore's IdentityStore): a graph sees other writers' records only when
// it is loaded again. Link facts therefore go to one partition (or one
// JetStream subject) that one hub instance owns at a time; the instance
// that gains it loads the graph from PostgreSQL, and the one that loses it
// stops writing. Touchpoints, consent records, memberships and actions do
// not need the graph and spread over every instance sharing the Store.
//
// # Consent records, receipts, retention of proof
//
// A ConsentRecord keeps who (the subject's keys), what (purposes), when,
// how (Method: consent.SourceCMP with the TCF/GPP string, SourceForm,
// consent.SourceStoreKiosk, ...), where (store and collector), under
// which notice version, language and jurisdiction. NewReceipt renders the
// customer's copy with the fields of ISO/IEC TS 27560:2023 under their
// Kantara Consent Receipt v1.1 names; Receipt.Text is the printable one.
//
// Records are append-only: a withdrawal is a new record, the grant it
// ends stays as proof (GDPR Art. 7(1): the controller must be able to
// demonstrate consent). Erasure deletes the person's records but first
// copies each consent record under ProofKey tags of its keys, so the
// proof that consent was given or withdrawn survives without naming the
// person; the controller keeps it for as long as legal claims require
// (EDPB 05/2020: the processing's lifetime plus the limitation period)
// and states that period in Controller.Retention, printed on every
// receipt. Deleting proofs after that period is the controller's job
// (they are records of kind consent under proof keys).
//
// # Data subject requests
//
// Hub.Export returns everything held about a person — identifiers as the
// graph keeps them, the observations that linked them (and identity's
// explanation for any other identifier given), consent history with
// receipts, traits, touchpoints of every store, memberships, actions —
// as one JSON document and a Summary for a person to read. Hub.Erase
// erases the person in the graph and the Store, leaving tombstones in
// both (a replayed link fact is suppressed by the graph, a replayed
// touchpoint or consent is refused by the Store: ErrErased), and returns
// the tombstone to publish; followers erase the keys from their ledger,
// whose tombstones refuse later facts too, and — given the gateway's
// graph (WithFollowerGraph) — from the gateway's identity graph
// (identity.Graph.EraseKeys), which leaves its own tombstones: the
// person's late or replayed events at that store are suppressed, whether
// the tombstone arrived before or after them. A request is retried
// safely: a rerun (same request id, same identifier) publishes the same
// tombstone and erases nobody else, even when a shared identifier the
// first run kept now belongs to another person, and also after a hub
// that stopped halfway through the first run (the graph's plan is stored
// before it erases). Deadlines (GDPR one
// month, CCPA 45 days) are the caller's to track.
//
// # Followers: unknown means denied
//
// A Follower records consent changes in the gateway's consent ledger
// under SubjectOf(key), erases tombstoned keys (from the ledger, and with
// WithFollowerGraph from the gateway's identity graph: every person a key
// belongs to there, except through an identifier kept there because it
// is shared with someone else) and keeps fleet memberships. Follower.Decide answers from that local state only, so a
// gateway cut off from the hub keeps deciding on what it has: a purpose
// with no fact under any of the person's keys is denied (unknown means
// denied), the latest fact in force across the keys decides otherwise,
// and an erased key denies everything.
//
// # Concurrency and errors
//
// Hub, Follower and MemStore are safe for concurrent use and start no
// goroutines. Errors are typed: *FormatError (ErrCorrupt), *FieldError
// (ErrInvalid), *ErasedError (ErrErased), and ErrNoGraph, ErrNotFound,
// ErrClosed. Dropped messages move a counter and reach the drop handler
// with the reason; errors never quote identifier values.
package fleet
