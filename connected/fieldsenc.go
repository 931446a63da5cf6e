package connected

import "time"

// The typed-field fast path: TrackFields into a PayloadOnly sink encodes
// straight from the fields into the arena's chunk, without an Event, in
// one pass over the fields and one over the output, with the slices in
// local variables (no writer, so no write barriers while the garbage
// collector marks). It accepts only events it can prove valid and encode
// exactly as encodeSegment would; for anything else (an invalid field or
// value, a registered-but-unusual case) it falls back to the Event path,
// which produces the error or the bytes, so that both paths agree on
// every input (TestFastFieldsMatchEventPath checks that on random input).

// fieldHead is the event's own fields, as the fields give them.
type fieldHead struct {
	userID, anonID, msgID   string
	placeID, zone, deviceID string
	channel                 Channel
	category                Category
	atMs                    int64 // OccurredAt, Unix ms, when hasAt
	hasAt                   bool
}

// scan copies the event's own fields out of fields. It reports false for
// what applyFields refuses (the zero Field, a field given twice, an empty
// MessageID, a zero OccurredAt).
func (h *fieldHead) scan(fields []Field) bool {
	var seen uint32
	for i := range fields {
		f := &fields[i]
		if f.isProp() {
			continue
		}
		k := f.kind
		if k == kindInvalid || int(k) >= len(headerName) || seen&(1<<k) != 0 {
			return false
		}
		seen |= 1 << k
		switch k {
		case kindUserID:
			h.userID = f.str
		case kindAnonymousID:
			h.anonID = f.str
		case kindMessageID:
			if f.str == "" {
				return false
			}
			h.msgID = f.str
		case kindOccurredAt:
			if f.str == "" {
				return false
			}
			h.atMs, h.hasAt = int64(f.num), true
		case kindChannel:
			h.channel = Channel(f.str)
		case kindCategory:
			h.category = Category(f.str)
		case kindPlaceID:
			h.placeID = f.str
		case kindZone:
			h.zone = f.str
		case kindDeviceID:
			h.deviceID = f.str
		}
	}
	return true
}

// trackFieldsEvent is TrackFields through an Event: the path for sinks
// that read Record.Event, and the fast path's fallback. With stamped, now
// is the clock reading the fast path took, and either genID is the id
// WithIDGenerator gave it or uuid the UUIDv7 it generated (both empty
// when the fields carry a MessageID).
func (c *Client) trackFieldsEvent(name string, fields []Field, stamped bool, now time.Time, genID string, uuid *[36]byte) (*Record, error) {
	var e Event
	e.Type = TypeTrack
	e.Event = name
	if _, err := applyFields(&e, fields); err != nil {
		return nil, err
	}
	if fields == nil {
		fields = []Field{} // not nil: properties come from fields (none)
	}
	if !stamped {
		return c.encode(&e, fields)
	}
	if e.MessageID == "" {
		e.MessageID = genID
	}
	return c.encodeAt(&e, fields, now, uuid)
}

// trackFields is TrackFields into a PayloadOnly sink (no Record.Event):
// the fast path, or the Event path for what the fast path leaves to it.
func (c *Client) trackFields(name string, fields []Field) (*Record, error) {
	var s stamp
	if r, done, err := c.trackFieldsFast(name, fields, &s); done {
		return r, err
	}
	if !s.stamped {
		return c.trackFieldsEvent(name, fields, false, time.Time{}, "", nil)
	}
	u := &s.uuid
	if s.msgID != "" {
		u = nil
	}
	return c.trackFieldsEvent(name, fields, true, s.now, s.genID, u)
}

// stamp is what the fast path decided before it gave up: the clock
// reading and the generated id, which the Event path must reuse (the
// clock and the id generator are the caller's and called once).
type stamp struct {
	stamped bool
	now     time.Time
	msgID   string   // the event's id when not a generated UUIDv7
	genID   string   // the id WithIDGenerator returned
	uuid    [36]byte // the UUIDv7 generated, when msgID is empty
}

// trackFieldsFast encodes the event into a Record when it can prove it
// valid; done is false when the Event path must take it over (with s).
func (c *Client) trackFieldsFast(name string, fields []Field, s *stamp) (r *Record, done bool, err error) {
	var h fieldHead
	if !h.scan(fields) {
		return nil, false, nil
	}
	now := c.cfg.clock()
	t := now
	if h.hasAt {
		t = time.UnixMilli(h.atMs).UTC()
		if t.After(now.Add(c.cfg.maxSkew)) {
			return nil, true, skewError(c.cfg.maxSkew, t)
		}
	}
	s.stamped, s.now, s.msgID = true, now, h.msgID
	if s.msgID == "" {
		if c.cfg.newID != nil {
			if s.genID = c.cfg.newID(); s.genID == "" {
				return nil, true, errEmptyGeneratedID()
			}
			s.msgID = s.genID
		} else {
			appendUUIDV7(&s.uuid, t.UnixMilli())
		}
	}

	// What checkHeader and the encoder refuse, the Event path reports.
	if blank(h.userID) && blank(h.anonID) || blank(name) || !h.category.Valid() ||
		t.Before(minTime) || !t.Before(maxTime) || s.msgID != "" && checkMessageID(s.msgID) != nil {
		return nil, false, nil
	}
	ch := h.channel
	if ch == "" {
		ch = c.cfg.channel
	}
	if ch != "" && !c.cfg.channels.Has(ch) || c.cfg.library != (Library{}) && c.lib.json == nil {
		return nil, false, nil
	}
	cat := canonicalCategory(h.category) // valid: a constant

	a := c.arenas.Get().(*arena)
	b, ot, ok := appendTrackFields(a.room(), name, fields, &h, s.msgID, &s.uuid, t, ch, cat, c.lib.json)
	if !ok || len(b) > c.cfg.maxBytes {
		c.arenas.Put(a)
		return nil, false, nil
	}
	rh := recordHead{typ: TypeTrack, time: t, cat: cat, idOff: -1, userID: h.userID, anonID: h.anonID, ot: ot, ts: -1}
	if s.msgID == "" {
		rh.idOff = len(`{"type":"track","messageId":"`)
	} else {
		rh.msgID = s.msgID
	}
	r = c.finish(a, b, &rh)
	c.arenas.Put(a)
	return r, true, nil
}

// appendTrackFields appends the track event's JSON as encodeSegment writes
// it (messageId msgID, or uuid when msgID is empty) and returns the offset
// of the "originalTimestamp" key's quote; false when a string is not valid
// UTF-8 or a property is invalid. lib is the encoded library block.
func appendTrackFields(b []byte, name string, fields []Field, h *fieldHead, msgID string, uuid *[36]byte,
	t time.Time, ch Channel, cat Category, lib []byte) (_ []byte, ot int, ok bool) {
	b = append(b, `{"type":"track","messageId":`...)
	if msgID == "" {
		b = append(b, '"')
		b = append(b, uuid[:]...)
		b = append(b, '"')
	} else if b, ok = appendString(b, msgID); !ok {
		return b, 0, false
	}
	if h.userID != "" {
		b = append(b, `,"userId":`...)
		if b, ok = appendString(b, h.userID); !ok {
			return b, 0, false
		}
	}
	if h.anonID != "" {
		b = append(b, `,"anonymousId":`...)
		if b, ok = appendString(b, h.anonID); !ok {
			return b, 0, false
		}
	}
	b = append(b, `,"event":`...)
	if b, ok = appendString(b, name); !ok {
		return b, 0, false
	}
	var err error
	if b, err = appendFieldProps(b, fields); err != nil {
		return b, 0, false
	}
	ot = len(b) + 1
	b = append(b, `,"originalTimestamp":`...)
	b = appendTime(b, t)
	b = append(b, `,"context":{`...)
	if ch != "" {
		b = append(b, `"channel":"`...)
		b = append(b, ch...)
		b = append(b, `",`...)
	}
	b = append(b, `"dataCategory":"`...)
	b = append(b, cat...)
	b = append(b, '"')
	b = append(b, lib...)
	if h.deviceID != "" {
		b = append(b, `,"device":{"id":`...)
		if b, ok = appendString(b, h.deviceID); !ok {
			return b, 0, false
		}
		b = append(b, '}')
	}
	if h.placeID != "" || h.zone != "" {
		b = append(b, `,"location":{`...)
		if h.placeID != "" {
			b = append(b, `"placeId":`...)
			if b, ok = appendString(b, h.placeID); !ok {
				return b, 0, false
			}
		}
		if h.zone != "" {
			if h.placeID != "" {
				b = append(b, ',')
			}
			b = append(b, `"zone":`...)
			if b, ok = appendString(b, h.zone); !ok {
				return b, 0, false
			}
		}
		b = append(b, '}')
	}
	return append(b, "}}"...), ot, true
}
