package consent

import (
	"time"
	"unicode/utf8"
)

// Source says where a consent decision was collected.
type Source string

// Known sources. Other non-empty values are accepted as they are.
const (
	SourceCMP         Source = "cmp"          // a consent management platform (banner, TCF, GPP)
	SourceAppSetting  Source = "app_setting"  // a setting in the customer's app or account
	SourceStoreKiosk  Source = "store_kiosk"  // a kiosk or staff device in a store
	SourceCallCentre  Source = "call_centre"  // an agent recording the customer's choice
	SourceEvent       Source = "event"        // context.consent of an event (SegmentReader)
	SourceConsentMode Source = "consent_mode" // Google Consent Mode signals
)

// Fact is one consent decision: Subject granted or denied Purpose from
// Effective on, as collected by Source under a Document (policy) version and
// a Jurisdiction. A Ledger keeps every fact; the one in force at time T is
// the latest fact effective at or before T.
type Fact struct {
	// Subject is whom the decision is about: a profile id, a user id or an
	// anonymous id, the same string the gate uses (see Router).
	Subject string
	Purpose Purpose
	Granted bool
	// Effective is when the decision takes effect. Required.
	Effective time.Time
	// Source is where it was collected. Required.
	Source Source
	// Document is the version of the notice or policy shown, e.g.
	// "privacy-2026-03". Optional.
	Document string
	// Jurisdiction is the legal regime, e.g. "EU", "UK", "US-CA". Optional.
	Jurisdiction string
}

// validate returns a *FactError for the first invalid field.
func (f *Fact) validate() error {
	switch {
	case f.Subject == "":
		return &FactError{Field: "Subject", Reason: "is empty"}
	case len(f.Subject) > maxSubject || !utf8.ValidString(f.Subject):
		return &FactError{Field: "Subject", Reason: "is longer than 512 bytes or not UTF-8"}
	case !f.Purpose.Valid():
		return &FactError{Field: "Purpose", Reason: "is not a built-in purpose or a custom purpose of 1-64 characters [a-z0-9_.:-]"}
	case f.Effective.IsZero():
		return &FactError{Field: "Effective", Reason: "is zero"}
	case f.Effective.Year() < 1970 || f.Effective.Year() >= 2200:
		return &FactError{Field: "Effective", Reason: "is outside 1970..2199: " + f.Effective.UTC().Format(time.RFC3339)}
	case f.Source == "":
		return &FactError{Field: "Source", Reason: "is empty"}
	case len(f.Source) > 64 || len(f.Document) > 256 || len(f.Jurisdiction) > 64:
		return &FactError{Field: "Source", Reason: "Source, Document or Jurisdiction is too long (64, 256, 64 bytes)"}
	}
	return nil
}

// maxSubject bounds subject ids in bytes.
const maxSubject = 512
