package fleet

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// Decode reads one fleet message: a fleet envelope or an identity-link
// fact (told apart by their fields). It validates everything Encode
// validates. Errors are *FormatError (ErrCorrupt; wrapping
// ErrUnsupportedVersion for another wire version, or identity's
// *FormatError for a bad link fact). It never panics and never returns a
// partial message.
//
// It reads the envelope with a scanner over the exact shapes Encode and
// identity.EncodeLinkFact write (scanEnvelope), and falls back to
// encoding/json for anything else; both give the same message or the same
// error (FuzzDecodeFast).
func Decode(b []byte) (Message, error) { return decode(b, true) }

// decode is Decode; with fast false it reads the envelope with
// encoding/json only (the reference the fuzz test compares with).
func decode(b []byte, fast bool) (Message, error) {
	var e envJSON
	props := -1
	if fast {
		props, fast = scanEnvelope(b, &e)
	}
	if !fast {
		e = envJSON{}
		if err := json.Unmarshal(b, &e); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return Message{}, &FormatError{Offset: se.Offset, Err: err}
			}
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return Message{}, &FormatError{Field: te.Field, Offset: te.Offset, Err: errors.New("wrong JSON type")}
			}
			return Message{}, &FormatError{Err: err}
		}
	}
	if e.Kind == "" && e.Event == identity.EventIdentityLinked {
		lf, err := identity.DecodeLinkFact(b)
		if err != nil {
			return Message{}, &FormatError{Kind: KindLink, Err: err}
		}
		src, ok := "", false
		if fast {
			src, ok = scanLinkSource(b, props)
		}
		if !ok {
			src = ""
			var p struct {
				Properties struct {
					Source string `json:"source"`
				} `json:"properties"`
			}
			if json.Unmarshal(b, &p) == nil {
				src = p.Properties.Source
			}
		}
		m := Message{Kind: KindLink, ID: e.MessageID, Time: lf.Time, Source: src, Link: &lf}
		if err := validate(&m); err != nil {
			return Message{}, formatOf(err)
		}
		return m, nil
	}
	if e.V != WireVersion {
		return Message{}, &FormatError{Kind: e.Kind, Field: "v", Err: ErrUnsupportedVersion}
	}
	t, err := time.Parse(time.RFC3339Nano, e.Time)
	if err != nil {
		return Message{}, &FormatError{Kind: e.Kind, Field: "time", Err: errors.New("not RFC 3339")}
	}
	m := Message{Kind: e.Kind, ID: e.ID, Time: t.UTC().Truncate(time.Millisecond), Source: e.Source}
	bodies := 0
	for _, present := range []bool{e.Consent != nil, e.Touchpoint != nil, e.Membership != nil, e.Action != nil, e.Tombstone != nil} {
		if present {
			bodies++
		}
	}
	if bodies != 1 {
		return Message{}, &FormatError{Kind: e.Kind, Err: errors.New("a message carries exactly one body")}
	}
	switch e.Kind {
	case KindConsent, KindConsentChange:
		c := e.Consent
		if c == nil {
			return Message{}, &FormatError{Kind: e.Kind, Field: "consent", Err: errors.New("missing")}
		}
		subj, err := parseRefs(e.Kind, "consent.subject", c.Subject)
		if err != nil {
			return Message{}, err
		}
		rec := ConsentRecord{RecordID: c.RecordID, Subject: subj, Purposes: c.Purposes, Time: m.Time,
			Method: consent.Source(c.Method), CMPString: c.CMPString, Notice: c.Notice, Language: c.Language,
			Jurisdiction: c.Jurisdiction, Store: c.Store, Collector: c.Collector}
		switch c.State {
		case StateGiven:
			rec.Granted = true
		case StateWithdrawn:
		default:
			return Message{}, &FormatError{Kind: e.Kind, Field: "consent.state", Err: errors.New("neither given nor withdrawn")}
		}
		if c.ValidFor != "" {
			d, err := time.ParseDuration(c.ValidFor)
			if err != nil || d <= 0 {
				return Message{}, &FormatError{Kind: e.Kind, Field: "consent.validFor", Err: errors.New("not a positive duration")}
			}
			rec.ValidFor = d
		}
		m.Consent = &rec
	case KindTouchpoint:
		tj := e.Touchpoint
		if tj == nil {
			return Message{}, &FormatError{Kind: e.Kind, Field: "touchpoint", Err: errors.New("missing")}
		}
		subj, err := parseRefs(e.Kind, "touchpoint.subject", tj.Subject)
		if err != nil {
			return Message{}, err
		}
		m.Touchpoint = &Touchpoint{Subject: subj, Type: tj.Type, Event: tj.Event, Channel: tj.Channel, Store: tj.Store,
			Zone: tj.Zone, Purposes: tj.Purposes, Traits: tj.Traits}
	case KindMembership, KindFleetMembership:
		mj := e.Membership
		if mj == nil {
			return Message{}, &FormatError{Kind: e.Kind, Field: "membership", Err: errors.New("missing")}
		}
		subj, err := parseRefs(e.Kind, "membership.subject", mj.Subject)
		if err != nil {
			return Message{}, err
		}
		m.Membership = &Membership{Subject: subj, Audience: mj.Audience, Entered: mj.Entered, Purpose: mj.Purpose, Reason: mj.Reason}
	case KindAction:
		aj := e.Action
		if aj == nil {
			return Message{}, &FormatError{Kind: e.Kind, Field: "action", Err: errors.New("missing")}
		}
		subj, err := parseRefs(e.Kind, "action.subject", aj.Subject)
		if err != nil {
			return Message{}, err
		}
		m.Action = &Action{Subject: subj, Journey: aj.Journey, Destination: aj.Destination, Purpose: aj.Purpose, Trigger: aj.Trigger}
	case KindTombstone:
		tj := e.Tombstone
		if tj == nil {
			return Message{}, &FormatError{Kind: e.Kind, Field: "tombstone", Err: errors.New("missing")}
		}
		keys, err := parseRefs(e.Kind, "tombstone.keys", tj.Keys)
		if err != nil {
			return Message{}, err
		}
		m.Tombstone = &Tombstone{RequestID: tj.RequestID, Keys: keys}
	default:
		return Message{}, &FormatError{Field: "kind", Err: errors.New("unknown kind")}
	}
	if err := validate(&m); err != nil {
		return Message{}, formatOf(err)
	}
	return m, nil
}

func formatOf(err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		return &FormatError{Kind: fe.Kind, Field: fe.Field, Err: errors.New(fe.Reason)}
	}
	return &FormatError{Err: err}
}

func parseRefs(k Kind, field string, in []refJSON) ([]identity.Ref, error) {
	if len(in) > MaxSubjectKeys {
		return nil, &FormatError{Kind: k, Field: field, Err: errors.New("more than 64 keys")}
	}
	out := make([]identity.Ref, 0, len(in))
	for _, r := range in {
		key, err := identity.ParseKey(r.Key)
		if err != nil {
			return nil, &FormatError{Kind: k, Field: field, Err: errors.New("a key is not 32 hex characters")}
		}
		out = append(out, identity.Ref{Type: identity.Type(r.Type), Key: key})
	}
	return out, nil
}
