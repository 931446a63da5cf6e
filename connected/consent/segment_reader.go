package consent

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// SegmentReader reads Segment's consent object,
// context.consent.categoryPreferences ({"Advertising": true, "C0002":
// false, ...}, keyed by the CMP's category ids), as purposes.
//
// Semantics follow Segment's: a purpose mapped from several categories is
// granted only if every one of them is true; a mapped category missing
// from a present object counts as false (so an empty object denies every
// mapped purpose); categories not in the mapping are ignored; an absent
// object (nil map) says nothing. A SegmentReader is immutable and safe for
// concurrent use.
type SegmentReader struct {
	purposes []Purpose            // sorted
	cats     map[Purpose][]string // purpose -> CMP categories, sorted
}

// NewSegmentReader returns a reader for mapping, from CMP category id to
// purpose (several categories may map to one purpose). It returns a
// *ConfigError for an empty mapping, an empty category id or an invalid
// purpose.
func NewSegmentReader(mapping map[string]Purpose) (*SegmentReader, error) {
	if len(mapping) == 0 {
		return nil, &ConfigError{Field: "SegmentReader mapping", Reason: "is empty"}
	}
	s := &SegmentReader{cats: map[Purpose][]string{}}
	for cat, p := range mapping {
		if cat == "" {
			return nil, &ConfigError{Field: "SegmentReader mapping", Reason: "has an empty category id"}
		}
		if !p.Valid() {
			return nil, &ConfigError{Field: "SegmentReader mapping", Reason: fmt.Sprintf("category %q maps to invalid purpose %q", cat, p)}
		}
		if s.cats[p] == nil {
			s.purposes = append(s.purposes, p)
		}
		s.cats[p] = append(s.cats[p], cat)
	}
	slices.Sort(s.purposes)
	for _, c := range s.cats {
		slices.Sort(c)
	}
	return s, nil
}

// Read returns the signals in prefs, one per mapped purpose in purpose
// order, or nil when prefs is nil.
func (s *SegmentReader) Read(prefs map[string]bool) []Signal {
	if prefs == nil {
		return nil
	}
	out := make([]Signal, 0, len(s.purposes))
	for _, p := range s.purposes {
		out = append(out, Signal{Purpose: p, Granted: s.granted(p, prefs)})
	}
	return out
}

func (s *SegmentReader) granted(p Purpose, prefs map[string]bool) bool {
	for _, c := range s.cats[p] {
		if !prefs[c] {
			return false
		}
	}
	return true
}

// Middleware returns middleware that records, for every record whose event
// carries a consent object, each mapped purpose as a Fact of the record's
// subject (see Router), effective at the event's time, from SourceEvent,
// unless the same decision is already in force then. It passes every
// record on unchanged. Put it before the gate or router in the chain so
// that an event's own consent applies to it.
//
// Facts for an erased subject are not recorded (the gate blocks the
// record); any other failure to record is returned and the record is not
// passed on.
func (s *SegmentReader) Middleware(l *Ledger) connected.Middleware {
	return func(next connected.Handler) connected.Handler {
		return connected.HandlerFunc(func(ctx context.Context, r *connected.Record) error {
			var prefs map[string]bool
			if r.Event != nil {
				prefs = r.Event.Context.Consent.CategoryPreferences
			}
			if subject := subjectOf(r); prefs != nil && subject != "" {
				for _, p := range s.purposes {
					g := s.granted(p, prefs)
					if f, ok := l.At(subject, p, r.Time); ok && f.Granted == g {
						continue
					}
					_, err := l.Record(ctx, Fact{Subject: subject, Purpose: p, Granted: g, Effective: r.Time, Source: SourceEvent})
					if errors.Is(err, ErrErased) {
						break
					}
					if err != nil {
						return fmt.Errorf("consent: record context.consent of %s: %w", r.ID, err)
					}
				}
			}
			return next.Handle(ctx, r)
		})
	}
}
