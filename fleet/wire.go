package fleet

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// Kind says what a fleet message carries.
type Kind string

// Message kinds. Gateways publish link, consent, touchpoint, membership and
// action messages to the hub; the hub publishes consent_change, tombstone
// and fleet_membership messages back to every gateway.
const (
	// KindLink is an identity-link fact exactly as identity.EncodeLinkFact
	// writes it (a Segment "Identity Linked" track event; keys only).
	KindLink Kind = "link"
	// KindConsent is a consent record collected at a gateway.
	KindConsent Kind = "consent"
	// KindTouchpoint is one event seen at a gateway, reduced to its keys,
	// name, place and time.
	KindTouchpoint Kind = "touchpoint"
	// KindMembership is an audience entry or exit decided by a gateway's
	// activation engine.
	KindMembership Kind = "membership"
	// KindAction is a journey action a gateway took.
	KindAction Kind = "action"
	// KindConsentChange is a consent record the hub applied, published back.
	KindConsentChange Kind = "consent_change"
	// KindTombstone is an erasure the hub performed, published back.
	KindTombstone Kind = "tombstone"
	// KindFleetMembership is a membership the hub recorded, published back
	// so that every store knows it.
	KindFleetMembership Kind = "fleet_membership"
)

// WireVersion is the version ("v") of the fleet envelope.
const WireVersion = 1

// Limits on decoded messages.
const (
	MaxSubjectKeys = 64   // keys in one subject
	MaxPurposes    = 16   // purposes in one consent record
	MaxTraits      = 64   // traits in one touchpoint
	maxID          = 256  // bytes of an id
	maxText        = 512  // bytes of a free-text field (notice, CMP string is longer)
	maxCMP         = 8192 // bytes of a CMP string
)

// Message is one fleet message: an envelope (kind, id, time, source) and
// exactly one body, the one its Kind names (ConsentChange uses Consent,
// FleetMembership uses Membership). ID is the dedupe key everywhere; it is
// stable across retries and replays (see the New* constructors).
type Message struct {
	Kind   Kind
	ID     string
	Time   time.Time // millisecond precision, UTC
	Source string    // the emitting gateway or hub ("store-12/gw-3")

	Link       *identity.LinkFact
	Consent    *ConsentRecord
	Touchpoint *Touchpoint
	Membership *Membership
	Action     *Action
	Tombstone  *Tombstone
}

// Touchpoint is one event seen at a gateway, as the fleet keeps it: keys,
// never identifier values.
type Touchpoint struct {
	Subject  []identity.Ref    // the event's identifiers, by key
	Type     string            // track, identify, page, screen
	Event    string            // the track event's name
	Channel  string            // store, pos, kiosk, web, ...
	Store    string            // context.location store id
	Zone     string            // department or zone, optional
	Purposes []consent.Purpose // purposes in force when it was collected
	Traits   map[string]any    // identify traits, as the gateway chose to send them
}

// Membership is an audience entry (Entered) or exit of a subject.
type Membership struct {
	Subject  []identity.Ref
	Audience string
	Entered  bool
	Purpose  consent.Purpose
	Reason   string // the activation reason code or description
}

// Action is a journey action a gateway took for a subject.
type Action struct {
	Subject     []identity.Ref
	Journey     string
	Destination string
	Purpose     consent.Purpose
	Trigger     string // the triggering event's message id
}

// Tombstone is an erasure: the keys removed (and tombstoned) everywhere.
type Tombstone struct {
	RequestID string         // the data subject request
	Keys      []identity.Ref // removed and tombstoned identifiers
}

var fleetNamespace = uuid.UUID{0x7a, 0x1e, 0x3f, 0x52, 0x0c, 0x4b, 0x5d, 0x6e, 0x8f, 0x90, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6}

// DeriveID returns the deterministic message id of a derived message: a
// UUIDv5 of kind and the id it derives from. The hub derives what it
// publishes from what it consumed, so two hub instances, or one replaying,
// publish the same ids and followers drop the repeats.
func DeriveID(k Kind, from string) string {
	return uuid.NewSHA1(fleetNamespace, []byte(string(k)+"\x00"+from)).String()
}

// NewConsentMessage wraps a consent record collected by source. Its id
// derives from rec.RecordID, so resending the record gives the same id.
func NewConsentMessage(rec ConsentRecord, source string) Message {
	return Message{Kind: KindConsent, ID: DeriveID(KindConsent, rec.RecordID), Time: rec.Time, Source: source, Consent: &rec}
}

// NewTouchpointMessage wraps a touchpoint under its event's messageId.
func NewTouchpointMessage(messageID string, t time.Time, tp Touchpoint, source string) Message {
	return Message{Kind: KindTouchpoint, ID: messageID, Time: t, Source: source, Touchpoint: &tp}
}

// NewMembershipMessage wraps a membership change under the activation
// output id that announced it.
func NewMembershipMessage(outputID string, t time.Time, m Membership, source string) Message {
	return Message{Kind: KindMembership, ID: outputID, Time: t, Source: source, Membership: &m}
}

// NewActionMessage wraps a journey action under its action id.
func NewActionMessage(actionID string, t time.Time, a Action, source string) Message {
	return Message{Kind: KindAction, ID: actionID, Time: t, Source: source, Action: &a}
}

// NewLinkMessage wraps an identity-link fact; its id is the one
// identity.EncodeLinkFact gives it (derived from the source event id).
func NewLinkMessage(lf identity.LinkFact, source string) (Message, error) {
	rec, err := identity.EncodeLinkFact(lf, source, nil)
	if err != nil {
		return Message{}, err
	}
	return Message{Kind: KindLink, ID: rec.ID, Time: lf.Time, Source: source, Link: &lf}, nil
}

// wire shapes: field order is the wire order (deterministic output).

type refJSON struct {
	Type string `json:"type"`
	Key  string `json:"key"`
}

type envJSON struct {
	V          int             `json:"v"`
	Kind       Kind            `json:"kind"`
	ID         string          `json:"id"`
	Time       string          `json:"time"`
	Source     string          `json:"source,omitempty"`
	Consent    *consentJSON    `json:"consent,omitempty"`
	Touchpoint *touchpointJSON `json:"touchpoint,omitempty"`
	Membership *membershipJSON `json:"membership,omitempty"`
	Action     *actionJSON     `json:"action,omitempty"`
	Tombstone  *tombstoneJSON  `json:"tombstone,omitempty"`
	// a link fact (identity's Segment JSON) is recognised by these
	Type      string `json:"type,omitempty"`
	Event     string `json:"event,omitempty"`
	MessageID string `json:"messageId,omitempty"`
}

type consentJSON struct {
	RecordID     string            `json:"recordId"`
	Subject      []refJSON         `json:"subject"`
	Purposes     []consent.Purpose `json:"purposes"`
	State        string            `json:"state"`
	Method       string            `json:"method"`
	CMPString    string            `json:"cmpString,omitempty"`
	Notice       string            `json:"notice,omitempty"`
	Language     string            `json:"language,omitempty"`
	Jurisdiction string            `json:"jurisdiction,omitempty"`
	Store        string            `json:"store,omitempty"`
	Collector    string            `json:"collector,omitempty"`
	ValidFor     string            `json:"validFor,omitempty"`
}

type touchpointJSON struct {
	Subject  []refJSON         `json:"subject"`
	Type     string            `json:"type"`
	Event    string            `json:"event,omitempty"`
	Channel  string            `json:"channel,omitempty"`
	Store    string            `json:"store,omitempty"`
	Zone     string            `json:"zone,omitempty"`
	Purposes []consent.Purpose `json:"purposes,omitempty"`
	Traits   map[string]any    `json:"traits,omitempty"`
}

type membershipJSON struct {
	Subject  []refJSON       `json:"subject"`
	Audience string          `json:"audience"`
	Entered  bool            `json:"entered"`
	Purpose  consent.Purpose `json:"purpose,omitempty"`
	Reason   string          `json:"reason,omitempty"`
}

type actionJSON struct {
	Subject     []refJSON       `json:"subject"`
	Journey     string          `json:"journey"`
	Destination string          `json:"destination,omitempty"`
	Purpose     consent.Purpose `json:"purpose,omitempty"`
	Trigger     string          `json:"trigger,omitempty"`
}

type tombstoneJSON struct {
	RequestID string    `json:"requestId"`
	Keys      []refJSON `json:"keys"`
}

const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// Consent record states on the wire (ISO/IEC TS 27560 event states).
const (
	StateGiven     = "given"
	StateWithdrawn = "withdrawn"
)

func refsJSON(rs []identity.Ref) []refJSON {
	out := make([]refJSON, len(rs))
	for i, r := range rs {
		out[i] = refJSON{Type: string(r.Type), Key: r.Key.String()}
	}
	return out
}

// Encode writes m in the fleet wire format: one JSON object, keys in a
// fixed order, times in RFC 3339 UTC with milliseconds; a link message in
// identity's link-fact format instead. Identifier values (Ref.Value) are
// never written. It returns a *FieldError (ErrInvalid) for a message that
// would not decode.
func Encode(m Message) ([]byte, error) {
	if err := validate(&m); err != nil {
		return nil, err
	}
	if m.Kind == KindLink {
		rec, err := identity.EncodeLinkFact(*m.Link, m.Source, nil)
		if err != nil {
			return nil, &FieldError{Kind: KindLink, Field: "Link", Reason: err.Error()}
		}
		if rec.ID != m.ID {
			return nil, &FieldError{Kind: KindLink, Field: "ID", Reason: "is not the id identity derives from the event id"}
		}
		return rec.Payload, nil
	}
	e := envJSON{V: WireVersion, Kind: m.Kind, ID: m.ID, Time: m.Time.UTC().Format(timeLayout), Source: m.Source}
	switch m.Kind {
	case KindConsent, KindConsentChange:
		c := m.Consent
		st := StateWithdrawn
		if c.Granted {
			st = StateGiven
		}
		cj := &consentJSON{RecordID: c.RecordID, Subject: refsJSON(c.Subject), Purposes: c.Purposes, State: st,
			Method: string(c.Method), CMPString: c.CMPString, Notice: c.Notice, Language: c.Language,
			Jurisdiction: c.Jurisdiction, Store: c.Store, Collector: c.Collector}
		if c.ValidFor > 0 {
			cj.ValidFor = c.ValidFor.String()
		}
		e.Consent = cj
	case KindTouchpoint:
		t := m.Touchpoint
		e.Touchpoint = &touchpointJSON{Subject: refsJSON(t.Subject), Type: t.Type, Event: t.Event, Channel: t.Channel,
			Store: t.Store, Zone: t.Zone, Purposes: t.Purposes, Traits: t.Traits}
	case KindMembership, KindFleetMembership:
		ms := m.Membership
		e.Membership = &membershipJSON{Subject: refsJSON(ms.Subject), Audience: ms.Audience, Entered: ms.Entered, Purpose: ms.Purpose, Reason: ms.Reason}
	case KindAction:
		a := m.Action
		e.Action = &actionJSON{Subject: refsJSON(a.Subject), Journey: a.Journey, Destination: a.Destination, Purpose: a.Purpose, Trigger: a.Trigger}
	case KindTombstone:
		e.Tombstone = &tombstoneJSON{RequestID: m.Tombstone.RequestID, Keys: refsJSON(m.Tombstone.Keys)}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&e); err != nil {
		return nil, &FieldError{Kind: m.Kind, Field: "Traits", Reason: "not encodable as JSON: " + err.Error()}
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Decode reads one fleet message: a fleet envelope or an identity-link
// fact (told apart by their fields). It validates everything Encode
// validates. Errors are *FormatError (ErrCorrupt; wrapping
// ErrUnsupportedVersion for another wire version, or identity's
// *FormatError for a bad link fact). It never panics and never returns a
// partial message.
func Decode(b []byte) (Message, error) {
	var e envJSON
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
	if e.Kind == "" && e.Event == identity.EventIdentityLinked {
		lf, err := identity.DecodeLinkFact(b)
		if err != nil {
			return Message{}, &FormatError{Kind: KindLink, Err: err}
		}
		src := ""
		var p struct {
			Properties struct {
				Source string `json:"source"`
			} `json:"properties"`
		}
		if json.Unmarshal(b, &p) == nil {
			src = p.Properties.Source
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
