package vehicle

import (
	"time"
	"unsafe"
)

func (s *scanner) scResolution() string {
	if s.isNull() || !s.enterObject() {
		return ""
	}
	var t string
	first := true
	for {
		k, ok := s.nextKey(&first)
		if !ok {
			return t
		}
		if string(k) == "type" {
			t = s.optString()
		} else {
			s.skip()
		}
	}
}

func (s *scanner) scMeta(m *SmartcarMeta) {
	if s.isNull() || !s.enterObject() {
		return
	}
	first := true
	for {
		k, ok := s.nextKey(&first)
		if !ok {
			return
		}
		switch string(k) {
		case "version":
			m.Version = s.optString()
		case "deliveryId":
			m.DeliveryID = s.optString()
		case "deliveredAt":
			if !s.isNull() {
				m.DeliveredAt, _ = s.timeVal()
			}
			s.inKey("deliveredAt")
		case "webhookId":
			m.WebhookID = s.optString()
		case "webhookName":
			m.WebhookName = s.optString()
		case "signalCount":
			m.SignalCount = s.optInt()
			s.inKey("signalCount")
		case "mode":
			m.Mode = s.optString()
		default:
			s.skip()
		}
	}
}

func (s *scanner) scSignals(dst []SmartcarSignal) []SmartcarSignal {
	if !s.enterArray() {
		return dst
	}
	if s.bufs != nil {
		return s.scSignalsInto()
	}
	// Signals are decoded into a buffer on the stack and copied into a
	// slice of the exact length: one allocation of the size needed.
	var local [8]SmartcarSignal
	buf := local[:0]
	first := true
	for i := 0; s.nextElem(&first); i++ {
		n := s.pushIndex(i)
		buf = append(buf, SmartcarSignal{})
		s.scSignal(&buf[len(buf)-1])
		s.pop(n)
	}
	if s.err != nil || len(buf) == 0 && dst != nil {
		return dst
	}
	out := make([]SmartcarSignal, len(dst)+len(buf))
	copy(out, dst)
	copy(out[len(dst):], buf)
	return out
}

// scSignalsInto is scSignals for a SmartcarDecoder: the signals are
// decoded in place into its reused slice.
func (s *scanner) scSignalsInto() []SmartcarSignal {
	buf := s.bufs.sigs[:0]
	first := true
	for i := 0; s.nextElem(&first); i++ {
		n := s.pushIndex(i)
		buf = append(buf, SmartcarSignal{})
		s.scSignal(&buf[len(buf)-1])
		s.pop(n)
	}
	s.bufs.sigs = buf
	return buf
}

func (s *scanner) scSignal(g *SmartcarSignal) {
	if !s.enterObject() {
		return
	}
	bodyAt := -1
	first := true
	for {
		k, ok := s.nextKey(&first)
		if !ok {
			break
		}
		switch string(k) {
		case "code":
			g.Code = s.optString()
			s.inKey("code")
		case "name":
			g.Name = s.optString()
		case "group":
			g.Group = s.optString()
		case "status":
			n := s.push("status")
			s.scStatus(g)
			s.pop(n)
		case "meta":
			n := s.push("meta")
			s.scSignalMeta(g)
			s.pop(n)
		case "body":
			n := s.push("body")
			bodyAt = s.at()
			if !s.isNull() {
				s.scBody(g)
			}
			s.pop(n)
		default:
			s.skip()
		}
	}
	if !s.ok() { // the reader's error, if the loop ended on one
		return
	}
	if g.Code == "" {
		s.fail(s.at(), ErrMissing)
		s.err.Field += ".code"
		return
	}
	if g.HasBody {
		s.checkBody(g, bodyAt)
	}
}

// checkBody validates the bodies of the signals this package interprets;
// an error names the body's field (at its value), or the body when a
// required field is missing (at the body). A body that passes costs no
// path segment: the path is built only for an error (failBody).
func (s *scanner) checkBody(g *SmartcarSignal, at int) {
	b := &s.body
	switch g.Code {
	case SignalPreciseLocation:
		switch {
		case b.lat < 0:
			s.failBody("latitude", at, ErrMissing)
		case b.lon < 0:
			s.failBody("longitude", at, ErrMissing)
		case !g.HasLocation:
			s.failBody("", at, ErrMissing)
		case !validCoord(g.Latitude, 0):
			s.failBody("latitude", b.lat, ErrRange)
		case !validCoord(0, g.Longitude):
			s.failBody("longitude", b.lon, ErrRange)
		case g.HasHeading && (g.Heading < 0 || g.Heading > 360):
			s.failBody("heading", b.heading, ErrRange)
		}
	case SignalStateOfCharge:
		if g.HasValue && (g.Value < 0 || g.Value > 100) {
			s.failBody(b.valueKey, b.value, ErrRange)
		}
	case SignalOdometer, SignalCurrentSpeed:
		if !g.HasValue {
			break
		}
		unitOK := false
		if g.Code == SignalOdometer {
			_, unitOK = distanceUnitFactor(g.Unit)
		} else {
			_, unitOK = speedUnitFactor(g.Unit)
		}
		if g.Value < 0 {
			s.failBody(b.valueKey, b.value, ErrRange)
		} else if !unitOK {
			s.failBody("unit", max(b.unit, at), ErrUnit)
		}
	}
}

// failBody fails at off on the field key of the signal's body, or on the
// body itself when key is "".
//
//go:noinline
func (s *scanner) failBody(key string, off int, err error) {
	n := s.push("body")
	if key != "" {
		s.push(key)
	}
	s.fail(off, err)
	s.pop(n)
}

func (s *scanner) scStatus(g *SmartcarSignal) {
	if s.isNull() || !s.enterObject() {
		return
	}
	first := true
	for {
		k, ok := s.nextKey(&first)
		if !ok {
			return
		}
		switch string(k) {
		case "value":
			g.Status = s.optString()
		case "error":
			var name string
			s.scErrorPair(&g.ErrorCode, &g.ErrorType, &name)
		default:
			s.skip()
		}
	}
}

// scErrorPair reads {"code", "type"}.
func (s *scanner) scErrorPair(code, typ, _ *string) {
	if s.isNull() || !s.enterObject() {
		return
	}
	first := true
	for {
		k, ok := s.nextKey(&first)
		if !ok {
			return
		}
		switch string(k) {
		case "code":
			*code = s.optString()
		case "type":
			*typ = s.optString()
		default:
			s.skip()
		}
	}
}

func (s *scanner) scSignalMeta(g *SmartcarSignal) {
	if s.isNull() || !s.enterObject() {
		return
	}
	first := true
	for {
		k, ok := s.nextKey(&first)
		if !ok {
			return
		}
		var dst *time.Time
		var name string // the key as a constant: a string read may reuse k's buffer
		switch string(k) {
		case "oemUpdatedAt":
			dst, name = &g.OEMUpdatedAt, "oemUpdatedAt"
		case "retrievedAt":
			dst, name = &g.RetrievedAt, "retrievedAt"
		case "fetchedAt":
			dst, name = &g.RetrievedAt, "fetchedAt"
		default:
			s.skip()
			continue
		}
		if !s.isNull() {
			*dst, _ = s.timeVal()
		}
		s.inKey(name)
	}
}

func (s *scanner) scBody(g *SmartcarSignal) {
	if !s.enterObject() {
		return
	}
	g.HasBody = true
	var haveLat, haveLon bool
	s.body = bodyAt{-1, -1, -1, -1, -1, "value"}
	first := true
	for {
		k, ok := s.nextKey(&first)
		if !ok {
			break
		}
		if s.isNull() {
			continue
		}
		switch string(k) {
		case "value":
			s.body.value, s.body.valueKey = s.valueAt(), "value"
			switch c := s.peek(); {
			case c == 't' || c == 'f':
				g.Bool, g.HasBool = s.boolVal()
			case c == '"':
				g.Text = s.optString()
			case c == '-' || (c >= '0' && c <= '9'):
				g.Value, g.HasValue = s.num()
			default:
				s.skip() // structured values (charge limits, ...) are not decoded
			}
			s.inKey("value")
		case "percentage":
			s.body.value, s.body.valueKey = s.valueAt(), "percentage"
			g.Value, g.HasValue = s.num()
			if g.Unit == "" {
				g.Unit = "percent"
			}
			s.inKey("percentage")
		case "unit":
			s.body.unit = s.valueAt()
			g.Unit = s.optString()
			s.inKey("unit")
		case "latitude":
			s.body.lat = s.valueAt()
			g.Latitude, haveLat = s.num()
			s.inKey("latitude")
		case "longitude":
			s.body.lon = s.valueAt()
			g.Longitude, haveLon = s.num()
			s.inKey("longitude")
		case "heading":
			s.body.heading = s.valueAt()
			g.Heading, g.HasHeading = s.num()
			s.inKey("heading")
		case "direction":
			g.Direction = s.optString()
			s.inKey("direction")
		case "locationType":
			g.LocationType = s.optString()
			s.inKey("locationType")
		default:
			// skip reads no string into k's buffer: k is still the key.
			if !s.skip() {
				s.keyErr(string(k))
			}
		}
	}
	g.HasLocation = haveLat && haveLon
}

// keep returns v as a string that outlives the decode's reads. For
// DecodeSmartcar it is copied into the decode's arena, so that the
// strings of one delivery cost one allocation, not one each: the arena is
// sized from the payload (kept strings are a fraction of it), and a full
// arena is replaced, never rewritten, so the strings stay valid. For a
// SmartcarDecoder a string without escapes aliases the input (see its
// ownership contract), and others are copied into an arena it reuses.
func (s *scanner) keep(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	if s.bufs != nil && s.inInput(v) {
		return unsafe.String(&v[0], len(v))
	}
	return s.keepCopy(v)
}

// keepCopy is keep's copy into the arena.
//
//go:noinline
func (s *scanner) keepCopy(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	if cap(s.arena)-len(s.arena) < len(v) {
		c := max(256, s.n/4, 2*len(v))
		if s.bufs != nil {
			// A SmartcarDecoder's arena is reused: it doubles until it
			// holds its largest delivery's strings.
			c = max(c, 2*cap(s.arena))
		}
		s.arena = make([]byte, 0, c)
	}
	n := len(s.arena)
	s.arena = append(s.arena, v...)
	return unsafe.String(&s.arena[n], len(v))
}

// inInput reports whether v is not empty and lies in the input, rather
// than in the reader's unescape buffer.
func (s *scanner) inInput(v []byte) bool { return within(s.b, unsafe.SliceData(v), len(v)) }

// within reports whether the n > 0 bytes at p lie in b.
func within(b []byte, p *byte, n int) bool {
	off := uintptr(unsafe.Pointer(p)) - uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return n > 0 && off < uintptr(len(b)) && uintptr(n) <= uintptr(len(b))-off
}
