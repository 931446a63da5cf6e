package fleet

import (
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// The envelope scanner: json.Unmarshal(b, &envJSON{}) without reflection,
// for the shapes the package writes.
//
// Contract: scanEnvelope either fills e exactly as json.Unmarshal would
// and json.Unmarshal would return nil (ok true), or reports false, and the
// caller decodes with encoding/json, which then gives the answer (the
// message, or the typed error). It never reports true for input
// encoding/json would read differently; for that it refuses, rather than
// imitates, what Encode never writes:
//
//   - a key that matches a field only case-insensitively ("Kind"), or a
//     field twice (encoding/json's last-wins or merge rules);
//   - null anywhere a field is read (encoding/json leaves the field
//     alone), a value of another JSON type, a "v" other than 1;
//   - a string it keeps that is not valid UTF-8 (encoding/json replaces
//     the bad bytes with U+FFFD), a trait key seen twice;
//   - nesting deeper than maxTraitDepth in traits, a number beyond the
//     float64 range, and anything jsonscan refuses.
//
// Keys no field names are skipped (validated), as encoding/json does.
// FuzzDecodeFast checks the contract against encoding/json.

// maxTraitDepth bounds the nesting of a trait value the scanner reads
// (deeper ones go to encoding/json).
const maxTraitDepth = 32

// field names, per object, for the case-insensitive check of unknown keys.
var (
	envFields        = []string{"v", "kind", "id", "time", "source", "consent", "touchpoint", "membership", "action", "tombstone", "type", "event", "messageId", "properties"}
	refFields        = []string{"type", "key"}
	consentFields    = []string{"recordId", "subject", "purposes", "state", "method", "cmpString", "notice", "language", "jurisdiction", "store", "collector", "validFor"}
	touchpointFields = []string{"subject", "type", "event", "channel", "store", "zone", "purposes", "traits"}
	membershipFields = []string{"subject", "audience", "entered", "purpose", "reason"}
	actionFields     = []string{"subject", "journey", "destination", "purpose", "trigger"}
	tombstoneFields  = []string{"requestId", "keys"}
	sourceFields     = []string{"source"}
)

// scanner is the envelope scanner's state: a jsonscan.Compat (its OK
// says whether everything read so far is within the contract).
type scanner struct{ jsonscan.Compat }

// scanEnvelope reads b into e (see the contract above). props is the
// offset of the top-level "properties" value (-1 when absent), for
// scanLinkSource.
func scanEnvelope(b []byte, e *envJSON) (props int, ok bool) {
	d := scanner{jsonscan.NewCompat(b)}
	props = -1
	var seen uint32
	d.Object(func(k []byte) {
		var bit uint32
		switch string(k) {
		case "v":
			bit = 1 << 0
			if d.S.Peek() != '1' {
				d.OK = false
				return
			}
			if text, _, _, _ := d.S.NumberParts(); string(text) != "1" {
				d.OK = false
				return
			}
			e.V = 1
		case "kind":
			bit = 1 << 1
			e.Kind = Kind(d.str(internKind))
		case "id":
			bit = 1 << 2
			e.ID = d.str(nil)
		case "time":
			bit = 1 << 3
			e.Time = d.str(nil)
		case "source":
			bit = 1 << 4
			e.Source = d.str(nil)
		case "consent":
			bit = 1 << 5
			e.Consent = d.consent()
		case "touchpoint":
			bit = 1 << 6
			e.Touchpoint = d.touchpoint()
		case "membership":
			bit = 1 << 7
			e.Membership = d.membership()
		case "action":
			bit = 1 << 8
			e.Action = d.action()
		case "tombstone":
			bit = 1 << 9
			e.Tombstone = d.tombstone()
		case "type":
			bit = 1 << 10
			e.Type = d.str(nil)
		case "event":
			bit = 1 << 11
			e.Event = d.str(nil)
		case "messageId":
			bit = 1 << 12
			e.MessageID = d.str(nil)
		case "properties": // not an envJSON field: its place, for scanLinkSource
			bit = 1 << 13
			props = d.S.Pos()
			d.S.Skip()
		default:
			d.Unknown(k, envFields)
		}
		if seen&bit != 0 {
			d.OK = false
		}
		seen |= bit
	})
	d.S.End()
	return props, d.OK && !d.S.Failed()
}

// scanLinkSource reads properties.source of a link fact, as Decode's
// encoding/json fallback does; ok false means "ask encoding/json".
func scanLinkSource(b []byte, props int) (src string, ok bool) {
	if props < 0 || props > len(b) {
		return "", props < 0 // no properties: no source
	}
	d := scanner{jsonscan.NewCompat(b[props:])}
	seen := false
	d.Object(func(k []byte) {
		if string(k) != "source" {
			d.Unknown(k, sourceFields)
			return
		}
		if seen {
			d.OK = false
		}
		seen = true
		src = d.str(nil)
	})
	return src, d.OK && !d.S.Failed()
}

// str reads a string that must be valid UTF-8; intern, if set, returns a
// constant for a known value ("" for others).
func (d *scanner) str(intern func([]byte) string) string {
	t := d.Text()
	if t == nil {
		return ""
	}
	if intern != nil {
		if c := intern(t); c != "" {
			return c
		}
	}
	return string(t)
}

func internKind(t []byte) string {
	switch string(t) {
	case "touchpoint":
		return string(KindTouchpoint)
	case "consent":
		return string(KindConsent)
	case "consent_change":
		return string(KindConsentChange)
	case "membership":
		return string(KindMembership)
	case "fleet_membership":
		return string(KindFleetMembership)
	case "action":
		return string(KindAction)
	case "tombstone":
		return string(KindTombstone)
	}
	return ""
}

// internType returns the identity types the gateways send most.
func internType(t []byte) string {
	switch string(t) {
	case "anonymous_id":
		return "anonymous_id"
	case "loyalty_id":
		return "loyalty_id"
	case "user_id":
		return "user_id"
	case "email":
		return "email"
	case "phone":
		return "phone"
	case "device_id":
		return "device_id"
	}
	return ""
}

// refs reads an array of {"type","key"} objects (never nil: encoding/json
// makes [] an empty slice).
func (d *scanner) refs() []refJSON {
	out := make([]refJSON, 0, 2)
	d.Array(func() {
		var r refJSON
		var seen uint8
		d.Object(func(k []byte) {
			var bit uint8
			switch string(k) {
			case "type":
				bit = 1
				r.Type = d.str(internType)
			case "key":
				bit = 2
				r.Key = d.str(nil)
			default:
				d.Unknown(k, refFields)
			}
			if seen&bit != 0 {
				d.OK = false
			}
			seen |= bit
		})
		out = append(out, r)
	})
	return out
}

// purposes reads an array of strings (never nil, as refs).
func (d *scanner) purposes() []consent.Purpose {
	out := make([]consent.Purpose, 0, 2)
	d.Array(func() { out = append(out, consent.Purpose(d.str(nil))) })
	return out
}

// once returns a member function that refuses a field seen twice: set
// reads the value of field i.
func (d *scanner) once(fields []string, set func(i int)) func(k []byte) {
	var seen uint32
	return func(k []byte) {
		for i, f := range fields {
			if string(k) == f {
				if seen&(1<<i) != 0 {
					d.OK = false
					return
				}
				seen |= 1 << i
				set(i)
				return
			}
		}
		d.Unknown(k, fields)
	}
}
