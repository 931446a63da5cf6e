package identity

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// The link-fact writer: EncodeLinkFact's payload without the Properties
// maps and connected.AppendSegment's walk over them.
//
// Contract: appendLinkFact either appends exactly the bytes
// connected.AppendSegment writes for the event EncodeLinkFact builds (ok
// true), or reports false with dst unchanged, and the caller encodes with
// the map path, which then gives the answer (the bytes, or the
// *connected.ValidationError). It declines what would need escaping or
// validation: a string (event id, profile id, source, type) with a byte
// outside printable ASCII or a quote or backslash, an all-space profile
// id (a blank anonymousId), a time outside 2000..2099. The parts
// AppendSegment writes the same for every fact (the context) are taken
// from its own output once (linkFactTail), and the writer is enabled only
// if it matches AppendSegment on a sample fact; TestAppendLinkFact checks
// the contract on many random facts.

// linkFactTail is `,"context":{...}}` as AppendSegment writes it for a
// link fact, or nil when the writer is disabled (see above).
var linkFactTail = sync.OnceValue(func() []byte {
	k := Key{0: 1, 15: 2}
	lf := LinkFact{EventID: "e-1", Time: time.Date(2025, 1, 2, 3, 4, 5, 6e6, time.UTC), ProfileID: "p_1",
		IDs: []Ref{{Type: TypeEmail, Key: k}}, Blocked: []Ref{{Type: TypeUserID, Key: k}}}
	rec, err := encodeLinkFactMaps(lf, "gw", keyWith(nil))
	if err != nil {
		return nil
	}
	i := bytes.LastIndex(rec.Payload, []byte(`,"context":`))
	if i < 0 {
		return nil
	}
	tail := bytes.Clone(rec.Payload[i:])
	var id [36]byte
	linkFactID(&id, lf.EventID)
	if b, ok := appendLinkFactWith(nil, &lf, "gw", lf.ProfileID, &id, tail); !ok || !bytes.Equal(b, rec.Payload) {
		return nil
	}
	return tail
})

// appendLinkFact appends lf's payload (see the contract above); anon is
// the anonymousId (lf.ProfileID, or "identity-graph"), id the message id.
func appendLinkFact(dst []byte, lf *LinkFact, source, anon string, id *[36]byte) ([]byte, bool) {
	tail := linkFactTail()
	if tail == nil {
		return dst, false
	}
	return appendLinkFactWith(dst, lf, source, anon, id, tail)
}

// appendLinkFactWith is appendLinkFact with the context tail given.
func appendLinkFactWith(dst []byte, lf *LinkFact, source, anon string, id *[36]byte, tail []byte) ([]byte, bool) {
	t := lf.Time
	if y := t.UTC().Year(); y < 2000 || y >= 2100 || !plainString(lf.EventID) || !plainString(source) ||
		!plainString(anon) || strings.Trim(anon, " ") == "" {
		return dst, false
	}
	n := len(`{"type":"track","messageId":"","anonymousId":"","event":"Identity Linked","properties":{"eventId":"","identifiers":[],"keyVersion":1,"time":""},"originalTimestamp":""`) +
		len(id) + len(anon) + len(lf.EventID) + 2*len(factTimeLayout) - len("Z07:00") + len("Z") + len(tail)
	for _, list := range [2][]Ref{lf.IDs, lf.Blocked} {
		for _, r := range list {
			if !plainString(string(r.Type)) {
				return dst, false
			}
			n += len(`{"key":"","type":""},`) + 2*len(r.Key) + len(r.Type)
		}
	}
	if len(lf.Blocked) > 0 {
		n += len(`"blocked":[],`)
	}
	if lf.ProfileID != "" {
		n += len(`"profileId":"",`) + len(lf.ProfileID)
	}
	if source != "" {
		n += len(`"source":"",`) + len(source)
	}
	b := slices.Grow(dst, n)
	b = append(b, `{"type":"track","messageId":"`...)
	b = append(b, id[:]...)
	b = append(b, `","anonymousId":"`...)
	b = append(b, anon...)
	b = append(b, `","event":"Identity Linked","properties":{`...)
	if len(lf.Blocked) > 0 {
		b = append(b, `"blocked":`...)
		b = appendRefs(b, lf.Blocked)
		b = append(b, ',')
	}
	b = append(b, `"eventId":"`...)
	b = append(b, lf.EventID...)
	b = append(b, `","identifiers":`...)
	b = appendRefs(b, lf.IDs)
	b = append(b, `,"keyVersion":1,`...)
	if lf.ProfileID != "" {
		b = append(b, `"profileId":"`...)
		b = append(b, lf.ProfileID...)
		b = append(b, `",`...)
	}
	if source != "" {
		b = append(b, `"source":"`...)
		b = append(b, source...)
		b = append(b, `",`...)
	}
	b = append(b, `"time":`...)
	b = appendFactTime(b, t)
	b = append(b, `},"originalTimestamp":`...)
	b = appendFactTime(b, t)
	return append(b, tail...), true
}

// appendRefs appends refs as the JSON array of {"key","type"} objects
// the map path writes (types are plain: see plainString).
func appendRefs(b []byte, refs []Ref) []byte {
	b = append(b, '[')
	for i, r := range refs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"key":"`...)
		b = hex.AppendEncode(b, r.Key[:])
		b = append(b, `","type":"`...)
		b = append(b, r.Type...)
		b = append(b, `"}`...)
	}
	return append(b, ']')
}

// appendFactTime appends t as a quoted "2006-01-02T15:04:05.000Z" in UTC,
// for a year of four digits: Time.Format(factTimeLayout) as connected
// writes timestamps.
func appendFactTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / 1e6
	return append(b, '"',
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-',
		byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':',
		byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.',
		byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
}

// plainString reports whether s is written in JSON as it is: printable
// ASCII without quotes and backslashes (connected's plain bytes, less
// the multi-byte runes it validates).
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// linkFactID writes the message id of the fact of event ev into id:
// uuid.NewSHA1(linkFactNamespace(), "identity-linked\x00"+ev).String(),
// without the hash's allocations.
func linkFactID(id *[36]byte, ev string) {
	var buf [128]byte
	ns := linkFactNamespace()
	data := append(append(append(buf[:0], ns[:]...), "identity-linked\x00"...), ev...)
	sum := sha1.Sum(data)
	sum[6] = sum[6]&0x0f | 5<<4 // version 5
	sum[8] = sum[8]&0x3f | 0x80 // RFC 4122 variant
	hex.Encode(id[0:8], sum[0:4])
	id[8] = '-'
	hex.Encode(id[9:13], sum[4:6])
	id[13] = '-'
	hex.Encode(id[14:18], sum[6:8])
	id[18] = '-'
	hex.Encode(id[19:23], sum[8:10])
	id[23] = '-'
	hex.Encode(id[24:], sum[10:16])
}

// linkFactProps returns the Properties map of lf's event, equal to the
// one encodeLinkFactMaps builds, with fewer allocations: the time and
// the hex keys share one string, the identifiers and the blocked ones
// one []any, and built-in types are boxed once for all.
func linkFactProps(lf *LinkFact, source string) connected.Properties {
	n := len(lf.IDs) + len(lf.Blocked)
	buf := make([]byte, 0, len("2006-01-02T15:04:05.000Z")+2*len(Key{})*n)
	buf = appendFactTime(buf, lf.Time)
	buf = buf[1 : len(buf)-1] // unquoted
	for _, list := range [2][]Ref{lf.IDs, lf.Blocked} {
		for _, r := range list {
			buf = hex.AppendEncode(buf, r.Key[:])
		}
	}
	strs := string(buf)
	props := make(connected.Properties, 7)
	props["eventId"] = lf.EventID
	props["keyVersion"] = 1
	props["time"] = strs[:len("2006-01-02T15:04:05.000Z")]
	strs = strs[len("2006-01-02T15:04:05.000Z"):]
	all := make([]any, n)
	for i, list := range [2][]Ref{lf.IDs, lf.Blocked} {
		refs := all[:len(list):len(list)]
		all = all[len(list):]
		for j, r := range list {
			refs[j] = map[string]any{"key": strs[:2*len(r.Key)], "type": boxType(r.Type)}
			strs = strs[2*len(r.Key):]
		}
		if i == 0 {
			props["identifiers"] = refs
		} else if len(refs) > 0 {
			props["blocked"] = refs
		}
	}
	if lf.ProfileID != "" {
		props["profileId"] = lf.ProfileID
	}
	if source != "" {
		props["source"] = source
	}
	return props
}

// builtinTypesBoxed holds builtinTypes as strings in interfaces, which
// boxType hands out instead of boxing again (interfaces are immutable).
var builtinTypesBoxed = func() (out [len(builtinTypes)]any) {
	for i, t := range builtinTypes {
		out[i] = string(t)
	}
	return out
}()

// boxType returns string(t) as an interface, without allocating for the
// built-in types.
func boxType(t Type) any {
	for i, c := range builtinTypes {
		if t == c {
			return builtinTypesBoxed[i]
		}
	}
	return string(t)
}
