package connected

import (
	"time"
	"unsafe"
)

// A Record, and the Event a Record carries for middleware, keep nothing the
// caller's Event points to directly: strings are copied into the Client's
// slabs, maps are copied (their values are shared: a value stored in a map
// lives on the heap anyway), times keep only their instant and whether they
// were UTC or local. That is what lets the compiler keep an Event given to
// Track by value, and a Properties literal in it, on the caller's stack:
// the map path then allocates only the boxed values the caller puts in the
// map. It is also why a caller who changes a map after Track returns no
// longer changes the Event middleware sees.

// carve copies s to the front of buf and returns the copy and the rest of
// buf, which must be long enough.
func carve(buf []byte, s string) (string, []byte) {
	if s == "" {
		return "", buf
	}
	n := copy(buf, s)
	return unsafe.String(&buf[0], n), buf[n:]
}

// str copies s into the arena.
func (a *arena) str(s string) string {
	if s == "" {
		return ""
	}
	out, _ := carve(a.bytes(len(s)), s)
	return out
}

// canonicalType returns the package's constant for a valid t (so the
// Record does not point to the caller's string), else a copy of t.
func canonicalType(t Type) Type {
	switch t {
	case TypeTrack:
		return TypeTrack
	case TypeIdentify:
		return TypeIdentify
	case TypePage:
		return TypePage
	case TypeScreen:
		return TypeScreen
	case TypeGroup:
		return TypeGroup
	case TypeAlias:
		return TypeAlias
	}
	return Type(cloneString(string(t)))
}

// canonicalCategory returns the package's constant for c (the default for
// the empty one), else a copy of c.
func canonicalCategory(c Category) Category {
	switch c {
	case "", CategoryBehavioral:
		return CategoryBehavioral
	case CategoryLocation:
		return CategoryLocation
	case CategoryHealth:
		return CategoryHealth
	case CategoryIdentity:
		return CategoryIdentity
	case CategoryTransaction:
		return CategoryTransaction
	case CategoryDevice:
		return CategoryDevice
	case CategoryBiometric:
		return CategoryBiometric
	case CategoryPresence:
		return CategoryPresence
	}
	return Category(cloneString(string(c)))
}

// cloneString copies s (strings.Clone, without its escape annotation).
func cloneString(s string) string {
	if s == "" {
		return ""
	}
	b := make([]byte, len(s))
	copy(b, s)
	return unsafe.String(&b[0], len(b))
}

// detachTime returns t's instant without t's *time.Location: in UTC when t
// is in UTC or in a zone of its own, in time.Local when t is. The monotonic
// reading is dropped (records cross processes; only the instant is kept).
func detachTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	u := time.Unix(t.Unix(), int64(t.Nanosecond()))
	if t.Location() == time.Local {
		return u
	}
	return u.UTC()
}

// cloneMap copies m's entries into a new map (nil for nil).
func cloneMap[M ~map[string]V, V any](m M) M {
	if m == nil {
		return nil
	}
	out := make(M, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// detachEvent fills dst, field by field, with a copy of src that shares
// nothing src points to directly (see the note above).
func detachEvent(dst, src *Event, a *arena) {
	dst.Type = canonicalType(src.Type)
	dst.MessageID = a.str(src.MessageID)
	dst.UserID = a.str(src.UserID)
	dst.AnonymousID = a.str(src.AnonymousID)
	dst.PreviousID = a.str(src.PreviousID)
	dst.GroupID = a.str(src.GroupID)
	dst.Event = a.str(src.Event)
	dst.Name = a.str(src.Name)
	dst.Properties = cloneMap(src.Properties)
	dst.Traits = cloneMap(src.Traits)
	dst.Integrations = cloneMap(src.Integrations)
	dst.OriginalTimestamp = detachTime(src.OriginalTimestamp)
	dst.Timestamp = detachTime(src.Timestamp)
	dst.Category = canonicalCategory(src.Category)
	sc, dc := &src.Context, &dst.Context
	dc.Channel = Channel(a.str(string(sc.Channel)))
	dc.Library = Library{Name: a.str(sc.Library.Name), Version: a.str(sc.Library.Version)}
	dc.Device = Device{ID: a.str(sc.Device.ID), Type: a.str(sc.Device.Type), Manufacturer: a.str(sc.Device.Manufacturer),
		Model: a.str(sc.Device.Model), Extra: cloneMap(sc.Device.Extra)}
	dc.Location = Location{PlaceID: a.str(sc.Location.PlaceID), Zone: a.str(sc.Location.Zone), Extra: cloneMap(sc.Location.Extra)}
	if g := sc.Location.Geo; g != nil {
		dc.Location.Geo = &Geo{Latitude: g.Latitude, Longitude: g.Longitude, Accuracy: g.Accuracy}
	}
	dc.IP = a.str(sc.IP)
	dc.UserAgent = a.str(sc.UserAgent)
	dc.Locale = a.str(sc.Locale)
	dc.Timezone = a.str(sc.Timezone)
	dc.Consent.CategoryPreferences = cloneMap(sc.Consent.CategoryPreferences)
	if len(sc.ExternalIDs) > 0 {
		dc.ExternalIDs = make([]ExternalID, len(sc.ExternalIDs))
		for i, x := range sc.ExternalIDs {
			dc.ExternalIDs[i] = ExternalID{ID: a.str(x.ID), Type: a.str(x.Type), Collection: a.str(x.Collection), Encoding: a.str(x.Encoding)}
		}
	}
	dc.Extra = cloneMap(sc.Extra)
}
