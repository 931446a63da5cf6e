package identity

import (
	"bytes"
	"encoding/hex"
	"time"
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// The link-fact scanner: DecodeLinkFact's encoding/json path without
// reflection, for the shapes EncodeLinkFact writes.
//
// Contract: scanLinkFact either returns exactly the LinkFact the
// encoding/json path (decodeLinkFactJSON) returns with a nil error (ok
// true), or reports false, and the caller decodes with encoding/json,
// which then gives the answer (the fact, or the *FormatError). It never
// reports true for input encoding/json would read differently, nor for
// input the encoding/json path refuses; for that it refuses, rather than
// imitates, what EncodeLinkFact never writes:
//
//   - a key that matches a field only case-insensitively ("EventId"), or a
//     field twice (encoding/json's last-wins or merge rules);
//   - null anywhere a field is read (encoding/json leaves the field
//     alone), a value of another JSON type, an array element that is not
//     an object;
//   - a string it keeps that is not valid UTF-8 (encoding/json replaces
//     the bad bytes with U+FFFD);
//   - a keyVersion other than the literal 1, a time other than
//     "YYYY-MM-DDTHH:MM:SS.mmmZ", a reference without its key or type;
//   - anything after the message but white space, and anything jsonscan
//     refuses (nesting deeper than jsonscan.MaxDepth, say);
//   - every input the encoding/json path refuses (so its errors, offsets
//     included, stay its own).
//
// Keys no field names are skipped (validated), as encoding/json does.
// FuzzDecodeLinkFactFast checks the contract against encoding/json.

// field names, per object, for the case-insensitive check of unknown keys.
var (
	linkMsgFields  = []string{"type", "event", "properties"}
	linkFactFields = []string{"eventId", "identifiers", "blocked", "keyVersion", "profileId", "source", "time"}
	linkRefFields  = []string{"key", "type"}
)

// factScanner is the link-fact scanner's state: the jsonscan.Scanner and
// whether everything read so far is within the contract.
type factScanner struct {
	s  jsonscan.Scanner
	ok bool
}

// scanLinkFact reads a link-fact payload (see the contract above).
func scanLinkFact(b []byte) (lf LinkFact, ok bool) {
	d := factScanner{s: jsonscan.New(b), ok: true}
	var seen uint8
	var track, linked bool
	d.object(func(k []byte) {
		var bit uint8
		switch string(k) {
		case "type":
			bit = 1
			track = d.is(string(connected.TypeTrack))
		case "event":
			bit = 2
			linked = d.is(EventIdentityLinked)
		case "properties":
			bit = 4
			d.properties(&lf)
		default:
			d.unknown(k, linkMsgFields)
		}
		if seen&bit != 0 {
			d.ok = false
		}
		seen |= bit
	})
	d.s.End()
	if !d.ok || d.s.Failed() || !track || !linked || seen&4 == 0 {
		return LinkFact{}, false
	}
	return lf, true
}

// properties reads the fact's properties into lf and checks them as
// decodeLinkFactJSON does (anything it would refuse clears d.ok).
func (d *factScanner) properties(lf *LinkFact) {
	var seen uint8
	var t time.Time
	d.object(func(k []byte) {
		var bit uint8
		switch string(k) {
		case "eventId":
			bit = 1
			lf.EventID = d.str()
		case "identifiers":
			bit = 2
			lf.IDs = d.refs()
		case "blocked":
			bit = 4
			lf.Blocked = d.refs()
		case "keyVersion":
			bit = 8
			if d.s.Peek() != '1' {
				d.ok = false
				return
			}
			if text, _, _, _ := d.s.NumberParts(); string(text) != "1" {
				d.ok = false
			}
		case "profileId":
			bit = 16
			lf.ProfileID = d.str()
		case "source": // read, not kept: only its type matters
			bit = 32
			if d.s.Peek() != '"' {
				d.ok = false
				return
			}
			d.s.Skip()
		case "time":
			bit = 64
			t = d.time()
		default:
			d.unknown(k, linkFactFields)
		}
		if seen&bit != 0 {
			d.ok = false
		}
		seen |= bit
	})
	// keyVersion and time are required; eventId's checks refuse it absent.
	if !d.ok || seen&(8|64) != 8|64 || len(lf.IDs)+len(lf.Blocked) == 0 || checkEvent("eventId", lf.EventID, t) != nil {
		d.ok = false
		return
	}
	lf.Time = t
}

// time reads a time as EncodeLinkFact writes it, "2006-01-02T15:04:05.000Z",
// in UTC: what time.Parse(time.RFC3339Nano) and Time.UTC give for it.
func (d *factScanner) time() time.Time {
	if !d.ok || d.s.Peek() != '"' {
		d.ok = false
		return time.Time{}
	}
	b := d.s.Text()
	if d.s.Failed() || len(b) != len("2006-01-02T15:04:05.000Z") || b[10] != 'T' || b[19] != '.' || b[23] != 'Z' {
		d.ok = false
		return time.Time{}
	}
	// jsonscan.ParseTime reads this shape (digits, ranges and calendar
	// checked) as time.Parse does.
	t, ok := jsonscan.ParseTime(b)
	if !ok {
		d.ok = false
	}
	return t
}

// object reads an object, calling member for each key with the scanner at
// its value; member must read or skip the value (or clear d.ok).
func (d *factScanner) object(member func(k []byte)) {
	if !d.ok || d.s.Peek() != '{' {
		d.ok = false
		return
	}
	d.s.Consume('{')
	for first := true; d.ok; first = false {
		k, more := d.s.Member(first)
		if !more {
			return
		}
		member(k)
	}
}

// array reads an array, calling elem with the scanner at each element.
func (d *factScanner) array(elem func()) {
	if !d.ok || d.s.Peek() != '[' {
		d.ok = false
		return
	}
	d.s.Consume('[')
	for first := true; d.ok && d.s.Element(first); first = false {
		elem()
	}
}

// unknown skips the value of a key no field names, unless the key names
// one of fields case-insensitively (encoding/json's rule: bytes.EqualFold).
func (d *factScanner) unknown(k []byte, fields []string) {
	for _, f := range fields {
		if bytes.EqualFold(k, []byte(f)) {
			d.ok = false
			return
		}
	}
	d.s.Skip()
}

// text reads a string and returns its unescaped bytes (valid until the
// next text), which must be valid UTF-8.
func (d *factScanner) text() []byte {
	if !d.ok || d.s.Peek() != '"' {
		d.ok = false
		return nil
	}
	t := d.s.Text()
	if d.s.Failed() || !utf8.Valid(t) {
		d.ok = false
		return nil
	}
	return t
}

// str reads a string that must be valid UTF-8.
func (d *factScanner) str() string {
	t := d.text()
	if t == nil {
		return ""
	}
	return string(t)
}

// is reads a string and reports whether it is c.
func (d *factScanner) is(c string) bool {
	t := d.text()
	return d.ok && string(t) == c
}

// refs reads an array of {"key","type"} objects, each checked as
// decodeLinkFactJSON's conv checks it: nil for an empty array, as conv
// returns.
func (d *factScanner) refs() []Ref {
	var out []Ref
	d.array(func() {
		var r Ref
		var seen uint8
		d.object(func(k []byte) {
			var bit uint8
			switch string(k) {
			case "key":
				bit = 1
				t := d.text()
				if !d.ok || len(t) != 2*len(r.Key) {
					d.ok = false
					return
				}
				if _, err := hex.Decode(r.Key[:], t); err != nil {
					d.ok = false
				}
			case "type":
				bit = 2
				r.Type = d.refType()
			default:
				d.unknown(k, linkRefFields)
			}
			if seen&bit != 0 {
				d.ok = false
			}
			seen |= bit
		})
		if seen != 3 {
			d.ok = false
			return
		}
		if out == nil {
			out = make([]Ref, 0, 4)
		}
		out = append(out, r)
	})
	return out
}

// builtinTypes are the types refType returns without allocating, the
// most frequent in link facts first.
var builtinTypes = [...]Type{TypeAnonymousID, TypeEmail, TypeUserID, TypeDeviceID, TypePhone, TypeLoyaltyID,
	TypeAdvertisingID, TypeWearableSerial, TypeAssetSerial, TypeVIN, TypeHouseholdID, TypeHomeDeviceID,
	TypeBeaconID, TypeGatewayID}

// refType reads an identifier type, which must be a valid type name; the
// built-in types are returned without allocating.
func (d *factScanner) refType() Type {
	t := d.text()
	if !d.ok {
		return ""
	}
	for _, c := range builtinTypes {
		if string(t) == string(c) {
			return c
		}
	}
	if !validTypeName(string(t)) {
		d.ok = false
		return ""
	}
	return Type(t)
}
