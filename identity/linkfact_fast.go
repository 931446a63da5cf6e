package identity

import (
	"encoding/hex"
	"time"

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

// factScanner is the link-fact scanner's state: a jsonscan.Compat (its OK
// says whether everything read so far is within the contract).
type factScanner struct{ jsonscan.Compat }

// scanLinkFact reads a link-fact payload (see the contract above).
func scanLinkFact(b []byte) (lf LinkFact, ok bool) {
	d := factScanner{jsonscan.NewCompat(b)}
	var seen uint8
	var track, linked bool
	d.Object(func(k []byte) {
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
			d.Unknown(k, linkMsgFields)
		}
		if seen&bit != 0 {
			d.OK = false
		}
		seen |= bit
	})
	d.S.End()
	if !d.OK || d.S.Failed() || !track || !linked || seen&4 == 0 {
		return LinkFact{}, false
	}
	return lf, true
}

// properties reads the fact's properties into lf and checks them as
// decodeLinkFactJSON does (anything it would refuse clears d.OK).
func (d *factScanner) properties(lf *LinkFact) {
	var seen uint8
	var t time.Time
	d.Object(func(k []byte) {
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
			if d.S.Peek() != '1' {
				d.OK = false
				return
			}
			if text, _, _, _ := d.S.NumberParts(); string(text) != "1" {
				d.OK = false
			}
		case "profileId":
			bit = 16
			lf.ProfileID = d.str()
		case "source": // read, not kept: only its type matters
			bit = 32
			if d.S.Peek() != '"' {
				d.OK = false
				return
			}
			d.S.Skip()
		case "time":
			bit = 64
			t = d.time()
		default:
			d.Unknown(k, linkFactFields)
		}
		if seen&bit != 0 {
			d.OK = false
		}
		seen |= bit
	})
	// keyVersion and time are required; eventId's checks refuse it absent.
	if !d.OK || seen&(8|64) != 8|64 || len(lf.IDs)+len(lf.Blocked) == 0 || checkEvent("eventId", lf.EventID, t) != nil {
		d.OK = false
		return
	}
	lf.Time = t
}

// time reads a time as EncodeLinkFact writes it, "2006-01-02T15:04:05.000Z",
// in UTC: what time.Parse(time.RFC3339Nano) and Time.UTC give for it.
func (d *factScanner) time() time.Time {
	if !d.OK || d.S.Peek() != '"' {
		d.OK = false
		return time.Time{}
	}
	b := d.S.Text()
	if d.S.Failed() || len(b) != len("2006-01-02T15:04:05.000Z") || b[10] != 'T' || b[19] != '.' || b[23] != 'Z' {
		d.OK = false
		return time.Time{}
	}
	// jsonscan.ParseTime reads this shape (digits, ranges and calendar
	// checked) as time.Parse does.
	t, ok := jsonscan.ParseTime(b)
	if !ok {
		d.OK = false
	}
	return t
}

// str reads a string that must be valid UTF-8.
func (d *factScanner) str() string {
	t := d.Text()
	if t == nil {
		return ""
	}
	return string(t)
}

// is reads a string and reports whether it is c.
func (d *factScanner) is(c string) bool {
	t := d.Text()
	return d.OK && string(t) == c
}

// refs reads an array of {"key","type"} objects, each checked as
// decodeLinkFactJSON's conv checks it: nil for an empty array, as conv
// returns.
func (d *factScanner) refs() []Ref {
	var out []Ref
	d.Array(func() {
		var r Ref
		var seen uint8
		d.Object(func(k []byte) {
			var bit uint8
			switch string(k) {
			case "key":
				bit = 1
				t := d.Text()
				if !d.OK || len(t) != 2*len(r.Key) {
					d.OK = false
					return
				}
				if _, err := hex.Decode(r.Key[:], t); err != nil {
					d.OK = false
				}
			case "type":
				bit = 2
				r.Type = d.refType()
			default:
				d.Unknown(k, linkRefFields)
			}
			if seen&bit != 0 {
				d.OK = false
			}
			seen |= bit
		})
		if seen != 3 {
			d.OK = false
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
	t := d.Text()
	if !d.OK {
		return ""
	}
	for _, c := range builtinTypes {
		if string(t) == string(c) {
			return c
		}
	}
	if !validTypeName(string(t)) {
		d.OK = false
		return ""
	}
	return Type(t)
}
