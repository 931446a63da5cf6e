package fleet

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// Collection methods beyond consent's own Sources (consent.SourceCMP,
// consent.SourceStoreKiosk, consent.SourceAppSetting, ...).
const (
	// SourceForm is a paper or web form the customer signed or submitted.
	SourceForm consent.Source = "form"
)

// ConsentRecord is one consent decision as the fleet keeps it: who (the
// subject's keys), what (purposes), when (Time), how (Method, with the CMP
// string or the form's notice version as proof), where (Store,
// Collector), under which notice, language and jurisdiction. It is the
// record of ISO/IEC TS 27560:2023; Receipt renders the copy a customer is
// shown.
type ConsentRecord struct {
	// RecordID identifies the record fleet-wide (a UUID chosen where it was
	// collected). Required. The message id and the receipt id derive from
	// it.
	RecordID string
	// Subject is the principal, by keys (identity.Ref; values are never
	// sent). Required.
	Subject []identity.Ref
	// Purposes the decision covers. Required.
	Purposes []consent.Purpose
	// Granted is true for "given", false for "withdrawn".
	Granted bool
	// Time is when the decision was made (the message's Time).
	Time time.Time
	// Method is how it was collected: consent.SourceCMP, SourceForm,
	// consent.SourceStoreKiosk, consent.SourceAppSetting, ... Required.
	Method consent.Source
	// CMPString is the TCF or GPP string collected by a CMP, kept as proof.
	CMPString string
	// Notice is the version of the notice or policy shown ("privacy-2026-03").
	Notice string
	// Language of the notice (BCP 47, "fr-FR").
	Language string
	// Jurisdiction is the legal regime ("EU", "UK", "US-CA").
	Jurisdiction string
	// Store and Collector say where: the store id and the gateway, kiosk or
	// staff device that collected it.
	Store, Collector string
	// ValidFor is how long a grant stays valid (0: until withdrawn).
	ValidFor time.Duration
}

func (c *ConsentRecord) validate(k Kind, t time.Time) error {
	switch {
	case c.RecordID == "" || !text(c.RecordID, maxID):
		return &FieldError{Kind: k, Field: "Consent.RecordID", Reason: "is empty or longer than 256 bytes"}
	case len(c.Purposes) == 0 || len(c.Purposes) > MaxPurposes:
		return &FieldError{Kind: k, Field: "Consent.Purposes", Reason: "must list 1 to 16 purposes"}
	case c.Method == "" || !text(string(c.Method), 64):
		return &FieldError{Kind: k, Field: "Consent.Method", Reason: "is empty or longer than 64 bytes"}
	case !text(c.CMPString, maxCMP):
		return &FieldError{Kind: k, Field: "Consent.CMPString", Reason: "is longer than 8192 bytes or not UTF-8"}
	case !text(c.Notice, maxText) || !text(c.Language, 35) || !text(c.Jurisdiction, 64) || !text(c.Store, maxID) || !text(c.Collector, maxID):
		return &FieldError{Kind: k, Field: "Consent.Notice", Reason: "Notice, Language, Jurisdiction, Store or Collector is too long or not UTF-8"}
	case c.ValidFor < 0:
		return &FieldError{Kind: k, Field: "Consent.ValidFor", Reason: "is negative"}
	case !c.Time.IsZero() && !c.Time.Equal(t):
		return &FieldError{Kind: k, Field: "Consent.Time", Reason: "differs from the message time"}
	}
	for _, p := range c.Purposes {
		if err := checkPurpose(k, "Consent.Purposes", p, false); err != nil {
			return err
		}
	}
	return checkSubject(k, "Consent.Subject", c.Subject)
}

// Controller is the data controller named on receipts (ISO/IEC TS 27560
// "parties"; Kantara piiControllers), and the processing facts every
// receipt repeats.
type Controller struct {
	Name    string // legal name. Default "the controller"
	Contact string // a postal address, email or URL for privacy questions
	// PolicyURL is where the notice versions are published.
	PolicyURL string
	// StorageLocation is where records are kept ("EU (PostgreSQL, Frankfurt)").
	StorageLocation string
	// Retention says how long the data consented to is kept, and how long
	// the proof of consent is kept after it (see ProofRetention).
	Retention string
	// WithdrawalMethod tells the customer how to withdraw ("at any till,
	// kiosk or in the app under Privacy").
	WithdrawalMethod string
}

// ReceiptSchema is the schema version written in every receipt.
const ReceiptSchema = "touchpoint-consent-receipt/1 (ISO/IEC TS 27560:2023; Kantara CR v1.1 fields)"

// Receipt is the copy of a consent record given to the customer, with the
// fields of ISO/IEC TS 27560:2023 (record and receipt ids, schema version,
// PII principal, notice, language, purposes, controller, collection method,
// storage location, retention, jurisdiction, withdrawal method, and the
// event: time, validity, type and state) under their Kantara Consent
// Receipt v1.1 names where Kantara has one. It holds keys, never
// identifier values.
type Receipt struct {
	SchemaVersion     string            `json:"version"`
	ReceiptID         string            `json:"consentReceiptID"`
	RecordID          string            `json:"recordID"`
	PIIPrincipalID    string            `json:"piiPrincipalId"`
	Timestamp         time.Time         `json:"consentTimestamp"`
	EventType         string            `json:"eventType"`  // "expressed" (an explicit act of the customer)
	EventState        string            `json:"eventState"` // "given" or "withdrawn"
	ValidityDuration  string            `json:"validityDuration"`
	Purposes          []consent.Purpose `json:"purposes"`
	CollectionMethod  string            `json:"collectionMethod"`
	CMPString         string            `json:"cmpString,omitempty"`
	PolicyVersion     string            `json:"policyVersion,omitempty"`
	PolicyURL         string            `json:"policyUrl,omitempty"`
	Language          string            `json:"language,omitempty"`
	Jurisdiction      string            `json:"jurisdiction,omitempty"`
	Controller        string            `json:"piiController"`
	ControllerContact string            `json:"piiControllerContact,omitempty"`
	StorageLocation   string            `json:"storageLocation,omitempty"`
	Retention         string            `json:"retention,omitempty"`
	WithdrawalMethod  string            `json:"withdrawalMethod,omitempty"`
	CollectedAt       string            `json:"collectedAt,omitempty"` // store / collector
}

// NewReceipt renders rec as a receipt for controller c. The receipt id is
// derived from the record id, so the same record always gives the same
// receipt.
func NewReceipt(rec ConsentRecord, c Controller) Receipt {
	state := StateWithdrawn
	if rec.Granted {
		state = StateGiven
	}
	validity := "until withdrawn"
	if rec.ValidFor > 0 {
		validity = rec.ValidFor.String()
	}
	if !rec.Granted {
		validity = "not applicable"
	}
	name := c.Name
	if name == "" {
		name = "the controller"
	}
	where := rec.Store
	if rec.Collector != "" {
		where = strings.TrimPrefix(where+" / "+rec.Collector, " / ")
	}
	principal := ""
	if len(rec.Subject) > 0 {
		principal = string(rec.Subject[0].Type) + ":" + rec.Subject[0].Key.String()
	}
	return Receipt{
		SchemaVersion: ReceiptSchema, ReceiptID: DeriveID("receipt", rec.RecordID), RecordID: rec.RecordID,
		PIIPrincipalID: principal, Timestamp: rec.Time.UTC(), EventType: "expressed", EventState: state,
		ValidityDuration: validity, Purposes: slices.Clone(rec.Purposes), CollectionMethod: string(rec.Method),
		CMPString: rec.CMPString, PolicyVersion: rec.Notice, PolicyURL: c.PolicyURL, Language: rec.Language,
		Jurisdiction: rec.Jurisdiction, Controller: name, ControllerContact: c.Contact,
		StorageLocation: c.StorageLocation, Retention: c.Retention, WithdrawalMethod: c.WithdrawalMethod,
		CollectedAt: where,
	}
}

// Text renders the receipt for a person: one short paragraph per fact.
func (r Receipt) Text() string {
	var b strings.Builder
	verb := "gave"
	if r.EventState == StateWithdrawn {
		verb = "withdrew"
	}
	ps := make([]string, len(r.Purposes))
	for i, p := range r.Purposes {
		ps[i] = string(p)
	}
	fmt.Fprintf(&b, "Consent receipt %s\n", r.ReceiptID)
	fmt.Fprintf(&b, "On %s you %s consent to %s (%s", r.Timestamp.Format("2 January 2006 15:04 MST"), verb, strings.Join(ps, ", "), r.CollectionMethod)
	if r.CollectedAt != "" {
		fmt.Fprintf(&b, ", at %s", r.CollectedAt)
	}
	b.WriteString(").\n")
	if r.PolicyVersion != "" {
		fmt.Fprintf(&b, "Notice: %s", r.PolicyVersion)
		if r.Language != "" {
			fmt.Fprintf(&b, " (%s)", r.Language)
		}
		b.WriteString(".\n")
	}
	fmt.Fprintf(&b, "Controller: %s", r.Controller)
	if r.ControllerContact != "" {
		fmt.Fprintf(&b, ", %s", r.ControllerContact)
	}
	b.WriteString(".\n")
	if r.EventState == StateGiven {
		fmt.Fprintf(&b, "Valid: %s.\n", r.ValidityDuration)
	}
	if r.WithdrawalMethod != "" {
		fmt.Fprintf(&b, "To withdraw: %s.\n", r.WithdrawalMethod)
	}
	if r.Retention != "" {
		fmt.Fprintf(&b, "Retention: %s.\n", r.Retention)
	}
	return b.String()
}

// ProofKey is where the proof of a consent record of an erased identifier
// is kept: a one-way tag of its key, so the proof that consent existed (or
// was withdrawn) survives the erasure without naming the person. Given the
// identifier again (a legal claim), the controller recomputes the tag.
func ProofKey(k identity.Key) identity.Key {
	h := sha256.Sum256(append([]byte("touchpoint/fleet/proof/v1\x00"), k[:]...))
	var out identity.Key
	copy(out[:], h[:])
	return out
}
