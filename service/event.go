package service

import (
	"encoding/binary"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// This file is the one place where a service occurrence becomes a
// connected.Event.

// Occurrence is one happening of the service life cycle. Kind and Time are
// always required; the other fields a kind needs are listed on Event.
type Occurrence struct {
	Kind Kind
	// Time is when it happened at the source (the case's change time, the
	// technician's arrival), not when the webhook arrived.
	Time time.Time

	// The customer: UserID and/or AnonymousID. Either may be empty when
	// Asset is set: the event then identifies the customer by the asset
	// alone (a repair visit that knows only the serial).
	UserID      string
	AnonymousID string

	CaseID         string
	WorkOrderID    string
	AppointmentID  string
	Status         string         // the source system's status, as it says it
	PreviousStatus string         // case updated: the status before
	StatusCategory StatusCategory // canonical category (see StatusCategoryOf)

	WindowStart, WindowEnd time.Time // appointment: the arrival window
	TechnicianID           string    // pseudonymised unless Options.RawIdentifiers
	Outcome                Outcome   // visit completed

	Asset           Asset
	WarrantyID      string
	WarrantyPlan    string
	WarrantyEnd     time.Time
	ConversationID  string        // chat
	AgentID         string        // chat agent; pseudonymised unless Options.RawIdentifiers
	Duration        time.Duration // chat ended: the conversation's length
	PlaceID         string        // the site or store, when known (context.location.placeId)
	AccountID       string        // a B2B account the customer belongs to (property account_id)
	ProductCategory string        // optional product category (property product_category)
}

// Options controls the mapping of Occurrences to connected events.
type Options struct {
	// Pseudonymizer turns asset keys, technician ids and agent ids into
	// keyed pseudonyms (connected.Pseudonymizer). Required unless
	// RawIdentifiers is set. Use the same key everywhere an asset is
	// reported, so the pseudonyms agree.
	Pseudonymizer *connected.Pseudonymizer
	// RawIdentifiers sends asset keys, technician and agent ids in the
	// clear. Only set it when the destinations may receive them.
	RawIdentifiers bool
	// Channel overrides the kind's default channel (Kind.Channel).
	Channel connected.Channel
}

// messageIDSpace is the UUIDv5 namespace of service message ids.
var messageIDSpace = uuid.MustParse("2d7e8f0a-6b1c-5e4d-8a3f-9c0b1d2e3f4a")

// Event maps o to a connected track event named o.Kind.EventName(), on
// the kind's channel (or opts.Channel), category behavioral, at o.Time,
// with a messageId derived from the occurrence (the same occurrence
// delivered twice by a webhook gets the same id). Properties are
// snake_case; empty fields are omitted.
//
// Each kind needs, besides Kind and Time and a customer (UserID,
// AnonymousID or Asset):
//
//   - case opened, resolved: CaseID; updated: CaseID, Status,
//     PreviousStatus;
//   - appointment scheduled: AppointmentID, WindowStart and WindowEnd
//     (not before WindowStart);
//   - technician dispatched, arrived: AppointmentID or WorkOrderID;
//   - visit completed: AppointmentID or WorkOrderID, and a valid Outcome;
//   - product installed, registered, warranty registered: Asset;
//   - chat started: ConversationID; ended: ConversationID and Duration >= 0
//     (conversation_duration in seconds, as Segment's Live Chat spec).
//
// The asset goes into the asset_serial property and context.externalIds
// (type "asset_serial", collection "users", encoding "none": the value
// is the identifier as identity links it) as Asset.Pseudonym;
// technician_id and agent_id are pseudonyms too. Without a Pseudonymizer
// and without RawIdentifiers, an occurrence that carries any of them is
// refused with ErrNoKey. When the customer is known by the asset alone,
// anonymousId is the asset's pseudonym.
//
// It returns a *FieldError (ErrMissing, ErrInvalid, ErrNoKey) and no
// event for invalid input. The event is not validated against a channel
// registry: the Client does that.
func (o Occurrence) Event(opts Options) (connected.Event, error) {
	k := o.Kind
	if err := o.check(); err != nil {
		return connected.Event{}, err
	}
	var assetID string
	if !o.Asset.IsZero() {
		key, err := o.Asset.key(k)
		if err != nil {
			return connected.Event{}, err
		}
		if assetID, err = name(opts, k, "Asset", "asset_serial:", key); err != nil {
			return connected.Event{}, err
		}
	}
	if o.UserID == "" && o.AnonymousID == "" && assetID == "" {
		return connected.Event{}, missing(k, "UserID")
	}
	p := make(connected.Properties, 8)
	opt := func(key, v string) {
		if v != "" {
			p[key] = v
		}
	}
	opt("case_id", o.CaseID)
	opt("work_order_id", o.WorkOrderID)
	opt("appointment_id", o.AppointmentID)
	opt("status", o.Status)
	opt("previous_status", o.PreviousStatus)
	opt("status_category", string(o.StatusCategory))
	if !o.WindowStart.IsZero() {
		p["arrival_window_start"] = o.WindowStart
		p["arrival_window_end"] = o.WindowEnd
	}
	if o.TechnicianID != "" {
		t, err := name(opts, k, "TechnicianID", "technician:", o.TechnicianID)
		if err != nil {
			return connected.Event{}, err
		}
		p["technician_id"] = t
	}
	opt("outcome", string(o.Outcome))
	if assetID != "" {
		p["asset_serial"] = assetID
		p["product_sku"] = o.Asset.Product
	}
	opt("product_category", o.ProductCategory)
	opt("warranty_id", o.WarrantyID)
	opt("warranty_plan", o.WarrantyPlan)
	if !o.WarrantyEnd.IsZero() {
		p["warranty_end"] = o.WarrantyEnd
	}
	opt("conversation_id", o.ConversationID)
	if o.AgentID != "" {
		a, err := name(opts, k, "AgentID", "agent:", o.AgentID)
		if err != nil {
			return connected.Event{}, err
		}
		p["agent_id"] = a
	}
	if k == KindChatEnded {
		p["conversation_duration"] = math.Round(o.Duration.Seconds()*1000) / 1000
	}
	opt("account_id", o.AccountID)

	ch := opts.Channel
	if ch == "" {
		ch = k.Channel()
	}
	ev := connected.Event{
		Type:              connected.TypeTrack,
		Event:             k.EventName(),
		MessageID:         o.messageID(assetID),
		UserID:            o.UserID,
		AnonymousID:       o.AnonymousID,
		OriginalTimestamp: o.Time,
		Properties:        p,
		Category:          connected.CategoryBehavioral,
		Context:           connected.Context{Channel: ch, Location: connected.Location{PlaceID: o.PlaceID}},
	}
	if assetID != "" {
		ev.Context.ExternalIDs = []connected.ExternalID{{ID: assetID, Type: "asset_serial", Collection: "users", Encoding: "none"}}
		if ev.UserID == "" && ev.AnonymousID == "" {
			ev.AnonymousID = assetID
		}
	}
	return ev, nil
}

// check validates the fields o.Kind needs.
func (o *Occurrence) check() error {
	k := o.Kind
	if !k.Valid() {
		return invalid(k, "Kind", "unknown kind")
	}
	if o.Time.IsZero() {
		return missing(k, "Time")
	}
	if o.UserID != "" && strings.TrimSpace(o.UserID) == "" {
		return invalid(k, "UserID", "only white space")
	}
	if o.AnonymousID != "" && strings.TrimSpace(o.AnonymousID) == "" {
		return invalid(k, "AnonymousID", "only white space")
	}
	if o.StatusCategory != "" && !o.StatusCategory.Valid() {
		return invalid(k, "StatusCategory", "unknown category "+quote(string(o.StatusCategory)))
	}
	if o.Outcome != "" && !o.Outcome.Valid() {
		return invalid(k, "Outcome", "unknown outcome "+quote(string(o.Outcome)))
	}
	switch k {
	case KindCaseOpened, KindCaseResolved, KindCaseUpdated:
		if o.CaseID == "" {
			return missing(k, "CaseID")
		}
		if k == KindCaseUpdated && o.Status == "" {
			return missing(k, "Status")
		}
		if k == KindCaseUpdated && o.PreviousStatus == "" {
			return missing(k, "PreviousStatus")
		}
	case KindAppointmentScheduled:
		switch {
		case o.AppointmentID == "":
			return missing(k, "AppointmentID")
		case o.WindowStart.IsZero():
			return missing(k, "WindowStart")
		case o.WindowEnd.IsZero():
			return missing(k, "WindowEnd")
		}
	case KindTechnicianDispatched, KindTechnicianArrived, KindVisitCompleted:
		if o.AppointmentID == "" && o.WorkOrderID == "" {
			return missing(k, "WorkOrderID")
		}
		if k == KindVisitCompleted && o.Outcome == "" {
			return missing(k, "Outcome")
		}
	case KindProductInstalled, KindProductRegistered, KindWarrantyRegistered:
		if o.Asset.IsZero() {
			return missing(k, "Asset")
		}
	case KindChatStarted, KindChatEnded:
		if o.ConversationID == "" {
			return missing(k, "ConversationID")
		}
		if o.Duration < 0 {
			return invalid(k, "Duration", "negative")
		}
	}
	if !o.WindowStart.IsZero() && (o.WindowEnd.IsZero() || o.WindowEnd.Before(o.WindowStart)) {
		return invalid(k, "WindowEnd", "the arrival window ends before it starts")
	}
	return nil
}

// name returns the outgoing form of an identifier of a person or device:
// the pseudonym of domain+id (the domain keeps equal values of different
// kinds apart), or id itself with RawIdentifiers.
func name(opts Options, k Kind, field, domain, id string) (string, error) {
	switch {
	case opts.RawIdentifiers:
		return id, nil
	case opts.Pseudonymizer == nil:
		return "", &FieldError{Kind: k, Field: field, Err: ErrNoKey}
	}
	return opts.Pseudonymizer.Pseudonym(domain + id), nil
}

// messageID derives the messageId from what identifies the occurrence.
func (o *Occurrence) messageID(assetID string) string {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(o.Time.UnixNano()))
	b := make([]byte, 0, 160)
	b = append(b, o.Kind.String()...)
	for _, s := range [...]string{o.CaseID, o.WorkOrderID, o.AppointmentID, o.ConversationID, assetID, o.Status, o.UserID, o.AnonymousID} {
		b = append(b, 0)
		b = append(b, s...)
	}
	b = append(b, 0)
	b = append(b, n[:]...)
	return uuid.NewSHA1(messageIDSpace, b).String()
}
