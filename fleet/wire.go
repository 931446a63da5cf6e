package fleet

import (
	"bytes"
	"encoding/json"
	"time"

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
// identity.EncodeLinkFact and identity.AppendLinkFact give it (derived
// from the source event id).
func NewLinkMessage(lf identity.LinkFact, source string) (Message, error) {
	_, id, err := identity.AppendLinkFact(nil, lf, source)
	if err != nil {
		return Message{}, err
	}
	return Message{Kind: KindLink, ID: id, Time: lf.Time, Source: source, Link: &lf}, nil
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
		payload, _, err := identity.AppendLinkFact(nil, *m.Link, m.Source) // its id is m.ID (validate)
		if err != nil {
			return nil, &FieldError{Kind: KindLink, Field: "Link", Reason: err.Error()}
		}
		return payload, nil
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
