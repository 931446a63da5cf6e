// Package consent makes permission part of the pipeline: a consent ledger
// per subject and purpose, readers for the consent signals users already
// have, and purpose-based routing enforced on every event.
//
// # Ledger
//
// A Ledger records Facts: subject S granted or denied purpose P from time
// T, collected by a Source under a Document version and a Jurisdiction.
// History is kept; the question is always "what was in force at time T",
// and no decision means denied. Facts may arrive out of order. Purposes are
// analytics, personalization, marketing, advertising, health, location,
// linking and attention, plus custom ones.
//
// NewLedger keeps the ledger in memory only. OpenLedger keeps it in a
// directory as well — a snapshot plus an append-only log of versioned,
// checksummed records, written ahead and fsynced before Record returns,
// the same crash-safe store identity's FileStore uses — so a gateway
// restart, a crash or a SIGKILL forgets no grant and no revocation.
//
// Ledger.OnChange tells other components about every change: the identity
// package undoes links when PurposeLinking is revoked, and a Router
// releases held records when consent arrives. Ledger.Erase forgets a
// subject and blocks it everywhere, keeping only a keyed hash.
//
// # Readers
//
// SegmentReader maps Segment's context.consent.categoryPreferences to
// purposes (and, as middleware, records them from every event); ConsentMode
// reads Google Consent Mode v2 signals (ad_storage, analytics_storage,
// ad_user_data, ad_personalization) and derives them back from the
// ledger; TCFReader maps an IAB TCF v2.2 TC string, decoded by package
// tcf, to purposes for a vendor.
//
// # Routing
//
// A Router fans records out to Destinations. Each declares one Purpose,
// the data categories it takes, and an Action for refused records (Drop,
// Strip to a non-identifying copy, or Hold until consent arrives or a
// deadline passes). A record reaches a destination only if consent for the
// purpose was in force at the event's time and has not been revoked since
// (a revocation takes effect for the very next record processed), its
// category is allowed, and, for health, location, presence and biometric
// records, the subject also consented to PurposeHealth, PurposeLocation
// (location and presence) or PurposeAttention (biometric). Health,
// biometric and presence-at-home records never reach a marketing or
// advertising destination, whatever the flags say; such a configuration is
// rejected outright. Biometric records also expire: a record whose event
// time is older than the biometric retention (WithBiometricRetention,
// default DefaultBiometricRetention) at the router's now is dropped
// (ReasonExpired), when it is offered and when it would leave a hold. A
// Gate is the same check as connected middleware in front of a single
// destination.
//
// Every refusal is counted per destination and Reason (Router.Stats) and
// written to an audit trail whose entries carry the destination, reason,
// messageId, times and a keyed hash (HMAC-SHA256, the auditKey of NewRouter and NewGate) of the
// subject, never a plaintext identifier.
//
// # Concurrency and cost
//
// Ledger, Router and Gate are safe for concurrent use and start no
// goroutines; time comes from event times and an injectable clock
// (WithClock, WithEventTimeClock), and Sweep enforces hold deadlines on
// demand. Deciding a record and delivering it to consented destinations
// takes one read lock and allocates nothing. Call Router.Shutdown (or
// Gate.Shutdown) when done: held records are dropped and reported.
package consent
