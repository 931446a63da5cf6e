package fleet

import (
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// The bodies of the envelope scanner (see scanEnvelope for the contract).
// Each returns nil when the value is not an object (d.OK cleared).

func (d *scanner) consent() *consentJSON {
	c := &consentJSON{}
	d.Object(d.once(consentFields, func(i int) {
		switch consentFields[i] {
		case "recordId":
			c.RecordID = d.str(nil)
		case "subject":
			c.Subject = d.refs()
		case "purposes":
			c.Purposes = d.purposes()
		case "state":
			c.State = d.str(nil)
		case "method":
			c.Method = d.str(nil)
		case "cmpString":
			c.CMPString = d.str(nil)
		case "notice":
			c.Notice = d.str(nil)
		case "language":
			c.Language = d.str(nil)
		case "jurisdiction":
			c.Jurisdiction = d.str(nil)
		case "store":
			c.Store = d.str(nil)
		case "collector":
			c.Collector = d.str(nil)
		case "validFor":
			c.ValidFor = d.str(nil)
		}
	}))
	return okOr(d, c)
}

func (d *scanner) touchpoint() *touchpointJSON {
	t := &touchpointJSON{}
	d.Object(d.once(touchpointFields, func(i int) {
		switch touchpointFields[i] {
		case "subject":
			t.Subject = d.refs()
		case "type":
			t.Type = d.str(internTouchpointType)
		case "event":
			t.Event = d.str(nil)
		case "channel":
			t.Channel = d.str(nil)
		case "store":
			t.Store = d.str(nil)
		case "zone":
			t.Zone = d.str(nil)
		case "purposes":
			t.Purposes = d.purposes()
		case "traits":
			if d.S.Peek() != '{' {
				d.OK = false
				return
			}
			t.Traits, _ = d.value(0).(map[string]any)
		}
	}))
	return okOr(d, t)
}

func (d *scanner) membership() *membershipJSON {
	m := &membershipJSON{}
	d.Object(d.once(membershipFields, func(i int) {
		switch membershipFields[i] {
		case "subject":
			m.Subject = d.refs()
		case "audience":
			m.Audience = d.str(nil)
		case "entered":
			if c := d.S.Peek(); c != 't' && c != 'f' {
				d.OK = false
				return
			}
			m.Entered = d.S.Bool()
		case "purpose":
			m.Purpose = consent.Purpose(d.str(nil))
		case "reason":
			m.Reason = d.str(nil)
		}
	}))
	return okOr(d, m)
}

func (d *scanner) action() *actionJSON {
	a := &actionJSON{}
	d.Object(d.once(actionFields, func(i int) {
		switch actionFields[i] {
		case "subject":
			a.Subject = d.refs()
		case "journey":
			a.Journey = d.str(nil)
		case "destination":
			a.Destination = d.str(nil)
		case "purpose":
			a.Purpose = consent.Purpose(d.str(nil))
		case "trigger":
			a.Trigger = d.str(nil)
		}
	}))
	return okOr(d, a)
}

func (d *scanner) tombstone() *tombstoneJSON {
	t := &tombstoneJSON{}
	d.Object(d.once(tombstoneFields, func(i int) {
		switch tombstoneFields[i] {
		case "requestId":
			t.RequestID = d.str(nil)
		case "keys":
			t.Keys = d.refs()
		}
	}))
	return okOr(d, t)
}

func okOr[T any](d *scanner, v *T) *T {
	if !d.OK || d.S.Failed() {
		d.OK = false
		return nil
	}
	return v
}

func internTouchpointType(t []byte) string {
	switch string(t) {
	case "track":
		return "track"
	case "identify":
		return "identify"
	case "page":
		return "page"
	case "screen":
		return "screen"
	}
	return ""
}

// value reads any JSON value as encoding/json does into an interface{}:
// map[string]any, []any (never nil), string, float64, bool or nil.
func (d *scanner) value(depth int) any {
	if !d.OK {
		return nil
	}
	switch c := d.S.Peek(); {
	case c == '{':
		if depth >= maxTraitDepth {
			d.OK = false
			return nil
		}
		m := map[string]any{}
		d.Object(func(k []byte) {
			if !utf8.Valid(k) {
				d.OK = false
				return
			}
			key := string(k) // k is valid only until the next string is read
			if _, dup := m[key]; dup {
				d.OK = false
				return
			}
			m[key] = d.value(depth + 1)
		})
		return m
	case c == '[':
		if depth >= maxTraitDepth {
			d.OK = false
			return nil
		}
		a := []any{}
		d.Array(func() { a = append(a, d.value(depth+1)) })
		return a
	case c == '"':
		return d.str(nil)
	case c == 't' || c == 'f':
		return d.S.Bool()
	case c == 'n':
		d.S.Null()
		return nil
	case c == '-' || c >= '0' && c <= '9':
		f, ok := jsonscan.Float(d.S.NumberParts())
		if !ok {
			d.OK = false
		}
		return f
	}
	d.OK = false
	return nil
}
