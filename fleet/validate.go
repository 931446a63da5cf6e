package fleet

import (
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// text reports whether s is valid UTF-8 of at most n bytes.
func text(s string, n int) bool { return len(s) <= n && utf8.ValidString(s) }

func validType(t identity.Type) bool {
	if len(t) == 0 || len(t) > 64 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func checkSubject(k Kind, field string, s []identity.Ref) error {
	if len(s) == 0 {
		return &FieldError{Kind: k, Field: field, Reason: "has no keys"}
	}
	if len(s) > MaxSubjectKeys {
		return &FieldError{Kind: k, Field: field, Reason: "has more than 64 keys"}
	}
	for _, r := range s {
		if !validType(r.Type) {
			return &FieldError{Kind: k, Field: field, Reason: "has a key of an invalid type name"}
		}
	}
	return nil
}

func checkPurpose(k Kind, field string, p consent.Purpose, optional bool) error {
	if p == "" && optional {
		return nil
	}
	if !p.Valid() {
		return &FieldError{Kind: k, Field: field, Reason: "is not a valid purpose"}
	}
	return nil
}

// validate checks the envelope and the body its kind names.
func validate(m *Message) error {
	k := m.Kind
	switch {
	case m.ID == "" || !text(m.ID, maxID):
		return &FieldError{Kind: k, Field: "ID", Reason: "is empty, longer than 256 bytes or not UTF-8"}
	case m.Time.Year() < 2000 || m.Time.Year() >= 2200:
		return &FieldError{Kind: k, Field: "Time", Reason: "is outside 2000..2199"}
	case !text(m.Source, maxID):
		return &FieldError{Kind: k, Field: "Source", Reason: "is longer than 256 bytes or not UTF-8"}
	}
	n := 0
	for _, present := range []bool{m.Link != nil, m.Consent != nil, m.Touchpoint != nil, m.Membership != nil, m.Action != nil, m.Tombstone != nil} {
		if present {
			n++
		}
	}
	if n != 1 {
		return &FieldError{Kind: k, Field: "body", Reason: "a message carries exactly one body"}
	}
	switch k {
	case KindLink:
		if m.Link == nil {
			return &FieldError{Kind: k, Field: "Link", Reason: "is nil"}
		}
		if m.ID != identity.LinkFactID(m.Link.EventID) {
			return &FieldError{Kind: k, Field: "ID", Reason: "is not the id identity derives from the event id (identity.LinkFactID)"}
		}
	case KindConsent, KindConsentChange:
		c := m.Consent
		if c == nil {
			return &FieldError{Kind: k, Field: "Consent", Reason: "is nil"}
		}
		return c.validate(k, m.Time)
	case KindTouchpoint:
		t := m.Touchpoint
		if t == nil {
			return &FieldError{Kind: k, Field: "Touchpoint", Reason: "is nil"}
		}
		if err := checkSubject(k, "Touchpoint.Subject", t.Subject); err != nil {
			return err
		}
		switch {
		case t.Type == "" || !text(t.Type, 32):
			return &FieldError{Kind: k, Field: "Touchpoint.Type", Reason: "is empty or longer than 32 bytes"}
		case !text(t.Event, maxID) || !text(t.Channel, 64) || !text(t.Store, maxID) || !text(t.Zone, maxID):
			return &FieldError{Kind: k, Field: "Touchpoint.Event", Reason: "Event, Channel, Store or Zone is too long or not UTF-8"}
		case len(t.Purposes) > MaxPurposes:
			return &FieldError{Kind: k, Field: "Touchpoint.Purposes", Reason: "more than 16"}
		case len(t.Traits) > MaxTraits:
			return &FieldError{Kind: k, Field: "Touchpoint.Traits", Reason: "more than 64"}
		}
		for _, p := range t.Purposes {
			if err := checkPurpose(k, "Touchpoint.Purposes", p, false); err != nil {
				return err
			}
		}
	case KindMembership, KindFleetMembership:
		ms := m.Membership
		if ms == nil {
			return &FieldError{Kind: k, Field: "Membership", Reason: "is nil"}
		}
		if err := checkSubject(k, "Membership.Subject", ms.Subject); err != nil {
			return err
		}
		if ms.Audience == "" || !text(ms.Audience, maxID) || !text(ms.Reason, maxText) {
			return &FieldError{Kind: k, Field: "Membership.Audience", Reason: "Audience is empty, or Audience or Reason too long"}
		}
		return checkPurpose(k, "Membership.Purpose", ms.Purpose, true)
	case KindAction:
		a := m.Action
		if a == nil {
			return &FieldError{Kind: k, Field: "Action", Reason: "is nil"}
		}
		if err := checkSubject(k, "Action.Subject", a.Subject); err != nil {
			return err
		}
		if a.Journey == "" || !text(a.Journey, maxID) || !text(a.Destination, maxID) || !text(a.Trigger, maxID) {
			return &FieldError{Kind: k, Field: "Action.Journey", Reason: "Journey is empty, or Journey, Destination or Trigger too long"}
		}
		return checkPurpose(k, "Action.Purpose", a.Purpose, true)
	case KindTombstone:
		t := m.Tombstone
		if t == nil {
			return &FieldError{Kind: k, Field: "Tombstone", Reason: "is nil"}
		}
		if t.RequestID == "" || !text(t.RequestID, maxID) {
			return &FieldError{Kind: k, Field: "Tombstone.RequestID", Reason: "is empty or too long"}
		}
		return checkSubject(k, "Tombstone.Keys", t.Keys)
	default:
		return &FieldError{Kind: k, Field: "Kind", Reason: "is not a known kind"}
	}
	return nil
}
