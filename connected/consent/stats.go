package consent

import (
	"strconv"
	"sync/atomic"
)

// Reason says why a record was not passed on unchanged to a destination.
type Reason uint8

// The reason codes. Their String forms are stable and meant for metrics
// labels and audit storage.
const (
	// ReasonNoConsent: no decision for a required purpose was in force at
	// the event's time. Unknown means denied.
	ReasonNoConsent Reason = iota + 1
	// ReasonDenied: a denial was in force at the event's time (or, for a
	// held record, the subject denied after it).
	ReasonDenied
	// ReasonRevoked: consent was in force at the event's time but has been
	// withdrawn since.
	ReasonRevoked
	// ReasonCategory: the destination does not take the event's data category.
	ReasonCategory
	// ReasonHealthToAdTech: health data to a marketing or advertising
	// destination, refused whatever the consent and configuration.
	ReasonHealthToAdTech
	// ReasonErased: the subject (any of its ids on the record) was erased.
	ReasonErased
	// ReasonNoSubject: the record carries no identity to check consent for
	// (a record rebuilt from bytes, say).
	ReasonNoSubject
	// ReasonHoldFull: the destination's hold was full; the record was dropped.
	ReasonHoldFull
	// ReasonHoldExpired: consent did not arrive before the hold deadline.
	ReasonHoldExpired
	// ReasonStripUnsupported: the record could not be stripped (alias and
	// group events, records without an Event); it was dropped.
	ReasonStripUnsupported
	// ReasonShutdown: the record was held when the router shut down.
	ReasonShutdown
	// ReasonSensitiveToAdTech: biometric or presence-at-home data to a
	// marketing or advertising destination, refused whatever the consent
	// and configuration.
	ReasonSensitiveToAdTech
	// ReasonExpired: a biometric record older than the router's biometric
	// retention (WithBiometricRetention) when offered or released.
	ReasonExpired

	numReasons
)

// String returns the reason's stable snake_case name.
func (r Reason) String() string {
	switch r {
	case ReasonNoConsent:
		return "no_consent"
	case ReasonDenied:
		return "denied"
	case ReasonRevoked:
		return "revoked"
	case ReasonCategory:
		return "category_not_allowed"
	case ReasonHealthToAdTech:
		return "health_to_adtech"
	case ReasonErased:
		return "erased"
	case ReasonNoSubject:
		return "no_subject"
	case ReasonHoldFull:
		return "hold_full"
	case ReasonHoldExpired:
		return "hold_expired"
	case ReasonStripUnsupported:
		return "strip_unsupported"
	case ReasonShutdown:
		return "shutdown"
	case ReasonSensitiveToAdTech:
		return "sensitive_to_adtech"
	case ReasonExpired:
		return "expired"
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// consent reports whether r is about a missing consent, which stripping or
// holding may address; the other reasons always drop.
func (r Reason) consent() bool {
	return r == ReasonNoConsent || r == ReasonDenied || r == ReasonRevoked
}

func reasonOf(v verdict) Reason {
	switch v {
	case noConsent:
		return ReasonNoConsent
	case denied:
		return ReasonDenied
	case revoked:
		return ReasonRevoked
	}
	return 0
}

// counters are one destination's; all fields are updated atomically.
type counters struct {
	delivered, released, stripped, held, errors atomic.Uint64
	linkFactsSkipped                            atomic.Uint64
	refusals, dropped                           [numReasons]atomic.Uint64
}

// DestinationStats is a snapshot of one destination's counters. Every
// record a destination is offered is, at any moment, counted in exactly one
// of Delivered (including those Released from hold), Stripped, Dropped (any
// reason), Holding or Errors: their sum is the number of records offered.
type DestinationStats struct {
	Name string
	// Delivered counts records passed on unchanged, including released ones.
	Delivered uint64
	// Released counts held records passed on once consent arrived.
	Released uint64
	// Stripped counts non-identifying copies passed on instead of refused records.
	Stripped uint64
	// Held counts records put on hold.
	Held uint64
	// Holding is the number of records on hold now.
	Holding int
	// Refusals counts refusal decisions by reason, whatever the action taken.
	Refusals map[Reason]uint64
	// Dropped counts records not passed on at all, by the reason they were
	// dropped (a held record that expires counts under ReasonHoldExpired).
	Dropped map[Reason]uint64
	// Errors counts records the destination's handler returned an error for.
	Errors uint64
	// LinkFactsSkipped counts identity-link facts not offered to the
	// destination because it did not ask for them (Destination.LinkFacts).
	// They are not part of the sum above: the destination never saw them.
	LinkFactsSkipped uint64
}

func (c *counters) snapshot(name string, holding int) DestinationStats {
	s := DestinationStats{
		Name: name, Delivered: c.delivered.Load(), Released: c.released.Load(), Stripped: c.stripped.Load(),
		Held: c.held.Load(), Holding: holding, Errors: c.errors.Load(), LinkFactsSkipped: c.linkFactsSkipped.Load(),
		Refusals: map[Reason]uint64{}, Dropped: map[Reason]uint64{},
	}
	for r := Reason(1); r < numReasons; r++ {
		if n := c.refusals[r].Load(); n > 0 {
			s.Refusals[r] = n
		}
		if n := c.dropped[r].Load(); n > 0 {
			s.Dropped[r] = n
		}
	}
	return s
}
