// Package identity stitches one customer across channels: it links the
// identifiers an event carries (anonymous ids, user ids, emails, phones,
// devices, loyalty cards, wearables, cars) into profiles, by declared rules,
// with protection against over-merging, explanations for every link and
// refusal, and erasure that cascades without deleting what others share.
//
// # Model
//
// A Graph stores facts: sets of identifiers seen together in one event,
// with the first and last occurrence (time, event id) of each set. Profiles
// are derived from the facts deterministically (see link.go): facts are
// applied in a fixed order — first occurrence time, then event id — and
// each fact's identifiers join profiles unless a rule refuses. Because the
// derivation is a function of the set of facts, the same events in any
// order give the same profiles and byte-identical canonical profile ids. A
// late event re-derives the component it touches.
//
// Identifiers are normalized per type (Normalizer.Normalize), then keyed:
// the graph holds HMAC-SHA256 keys of the normalized values, never values
// (unless WithPlaintext), in memory, in its store, in its tombstones and in
// the link facts it emits. Destination match keys (Meta, Google) are
// derived on the way out from the identifier an event carries
// (Normalizer.MatchKey).
//
// # Normalization without and with identity/intl
//
// The core module carries no Unicode or numbering-plan libraries. Without
// the opt-in module identity/intl, the Normalizer:
//
//   - refuses a value made only of invisible characters (white space,
//     control and format characters such as U+200B, U+200D, U+2060,
//     U+FEFF, variation selectors, Hangul fillers) with
//     ErrInvisibleIdentifier, for every type;
//   - compares non-ASCII values code point by code point: "é" as one code
//     point and as "e" plus a combining accent are two identifiers (ASCII
//     is already in normal form). WithUnicodeNormalizer plugs a normaliser
//     in; intl.WithNFC plugs in golang.org/x/text's NFC;
//   - reads phone numbers in international form for every country, and
//     drops a stray trunk 0 after the country code ("+86 010 ...",
//     "+44 (0)20 ...") for the 103 calling codes whose trunk prefix is 0
//     (a table generated from libphonenumber's metadata); reads national
//     numbers only for the regions NormalizePhone lists; removes an
//     extension or a tel: URI's parameters with a Warning
//     (WithWarningHandler, Normalizer.Warnings) instead of refusing the
//     number. intl.WithPhoneNumbers plugs in libphonenumber
//     (nyaruka/phonenumbers) for national numbers of every region and
//     validity by each numbering plan.
//
// # Rules
//
// Each identifier type has a TypeRule: a scope, a priority, a per-profile
// limit (person types), a supernode threshold and an ownership gap. The
// defaults (DefaultRules):
//
//	type             scope            priority limit maxPeople ownershipGap
//	user_id          person                  1     1         1            -
//	email            person                  2     5         1            -
//	phone            person                  3     3         1          90d
//	loyalty_id       person                  4     1         1            -
//	advertising_id   personal_device        10     -         1          30d
//	device_id        personal_device        11     -         1          30d
//	wearable_serial  personal_device        12     -         1           7d
//	anonymous_id     personal_device        13     -         1          30d
//	asset_serial     personal_device        14     -         2         365d
//	vin              household              20     -         -            -
//	household_id     household              21     -         -            -
//	home_device_id   household              22     -         -            -
//	beacon_id        place                  30     -         -            -
//	gateway_id       place                  31     -         -            -
//
// Person identifiers seen together are one person, within the limits: a
// second user id, a sixth email is a limit_conflict and the weaker
// identifier loses. Personal devices attach to their person, but never join
// two people who each hold an identifier of the same type
// (device_conflict): a tablet that saw two emails typed by two people does
// not make them one. Households (a car's VIN, a smart home's household_id
// and its shared home_device_ids) group people without merging
// them; shared devices (declare your kiosk type with ScopeSharedDevice)
// link nothing; places (beacons, gateways) are never identifiers of a
// person. Custom types are declared with WithRule.
//
// Placeholder values never link. The built-in list is the union of the
// anchors' lists — Segment (^[0-]*$, -1, null, anonymous), RudderStack
// ("", unknown, NaN), Mixpanel (anon, anonymous, nil, none, null, n/a, the
// zero UUID), PostHog (anonymous, guest, undefined, true, false,
// [object Object], NaN, None, null, 0), Adobe (null, anonymous, invalid,
// empty) — plus common junk (test@test.com and friends) and phone numbers
// whose last seven digits repeat one digit. WithBlockedValues and
// WithBlockedPattern add to it.
//
// # Supernodes
//
// An identifier seen with more people than its MaxPeople is quarantined: it
// links nothing, from the beginning, so the profiles it had merged split
// again (a front-desk email typed in for every customer, a kiosk, a family
// tablet). People are counted from the limited person identifiers seen
// with it (see supernode.go); in an event that carries a user id or loyalty
// id only those count, so a long-standing customer's sixth email or fourth
// phone is refused by the limit (limit_conflict) and never counted as a
// second person. An identifier seen with more than
// WithMaxFanout distinct identifiers (default 1,000) is quarantined too: a
// kiosk browser collecting anonymous session ids identifies no person, but
// must not grow one profile without bound. Both counts only grow with new
// facts, so the decisions do not depend on arrival order.
//
// # Ownership
//
// Types with an OwnershipGap change hands: when someone else claims the
// identifier after its owner has not used it for that long, a new ownership
// epoch starts with the new owner, and the old owner keeps the history
// before (a recycled phone number, a resold wearable). Events are resolved
// in the epoch of their time. Claims closer together than the gap are
// concurrent use, which the supernode rule judges.
//
// # Consent
//
// Linking can require consent (WithConsentMode, Graph.SetLinkConsent): a
// fact links only under a linking consent in force at its time, and a
// withdrawal ends every link made under the grant — the profiles are
// derived again without them. The consent ledger (package
// connected/consent) plugs in by calling SetLinkConsent when the purpose
// covering linking changes; the middleware also records "Consent Updated"
// events of a configured category.
//
// # Explanations and erasure
//
// Graph.Explain gives, for any two identifiers, the path of events and
// rules that links them, or the reason codes why not; under linking consent
// it cites the consent record (Consent.EventID) whose grant allowed a link
// or whose withdrawal ended it. Graph.Erase deletes a
// person: every identifier that belongs only to them, their observations of
// shared identifiers, their consent records; it reports what it removed and
// what it retained and why, and leaves keyed-hash tombstones so that late
// or replayed events are suppressed (ErrSuppressed). Graph.EraseKeys does
// the same from keys alone, for a graph that learns of an erasure as the
// keys another graph removed (a gateway applying a fleet hub's
// tombstone, package fleet): each key held erases the person it belongs
// to here, a key never seen is tombstoned so that its events are
// suppressed when they come, and a key kept here (shared with someone
// else) is remembered with the erasure's time, so that the same erasure
// delivered again cannot take that other person with it. A placeholder
// never suppresses an event, whatever a tombstone names.
//
// # Persistence, pipeline, fleet
//
// With WithStore, every change is written ahead to a Store (MemStore in
// memory, FileStore on disk: snapshot plus append log, crash-safe,
// versioned) and the graph rebuilds itself from it on New. The Middleware
// stitches connected pipelines: it sets Record.ProfileID and PartitionKey
// and emits identity-link facts (keys only) downstream, from which a
// central service builds the fleet-wide graph with Graph.LinkKeys; the
// central service's erasures come back to the gateways as keys, for
// Graph.EraseKeys.
//
// # Concurrency and errors
//
// Graph, Normalizer, Middleware, MemStore and FileStore are safe for
// concurrent use; none starts goroutines. Bad input gets typed errors:
// *IdentifierError (ErrInvalidIdentifier, ErrUnknownType),
// *ObservationError, *SuppressedError, *ConfigError, *FormatError
// (ErrCorrupt with ErrTruncated, ErrChecksum, ErrUnsupportedVersion).
// Errors never contain identifier values.
package identity
