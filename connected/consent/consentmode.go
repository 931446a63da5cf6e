package consent

import (
	"github.com/touchpoint-sdk/touchpoint/connected"

	"fmt"
	"sort"
	"time"
)

// ModeState is the state of one Google Consent Mode signal.
type ModeState int8

// The states. ModeUnset means the signal was not given.
const (
	ModeUnset ModeState = iota
	ModeGranted
	ModeDenied
)

// String returns "granted", "denied" or "" for ModeUnset.
func (s ModeState) String() string {
	switch s {
	case ModeGranted:
		return "granted"
	case ModeDenied:
		return "denied"
	}
	return ""
}

// ConsentMode holds Google Consent Mode v2 signals: the four of v2
// (ad_storage, analytics_storage, ad_user_data, ad_personalization) and the
// three that tag templates also know.
type ConsentMode struct {
	AdStorage              ModeState // ad_storage
	AnalyticsStorage       ModeState // analytics_storage
	AdUserData             ModeState // ad_user_data: sending user data to Google for advertising
	AdPersonalization      ModeState // ad_personalization: personalised advertising (remarketing)
	FunctionalityStorage   ModeState // functionality_storage
	PersonalizationStorage ModeState // personalization_storage
	SecurityStorage        ModeState // security_storage
}

func (c *ConsentMode) field(key string) *ModeState {
	switch key {
	case "ad_storage":
		return &c.AdStorage
	case "analytics_storage":
		return &c.AnalyticsStorage
	case "ad_user_data":
		return &c.AdUserData
	case "ad_personalization":
		return &c.AdPersonalization
	case "functionality_storage":
		return &c.FunctionalityStorage
	case "personalization_storage":
		return &c.PersonalizationStorage
	case "security_storage":
		return &c.SecurityStorage
	}
	return nil
}

// ParseConsentMode reads the object given to gtag('consent', 'default' or
// 'update', {...}) as key/value strings. Values must be "granted" or
// "denied"; wait_for_update and region, which gtag also accepts there, are
// ignored; any other key is an error. Errors are *SignalError
// (ErrInvalidSignal) naming the key.
func ParseConsentMode(m map[string]string) (ConsentMode, error) {
	var c ConsentMode
	for k, v := range m {
		if k == "wait_for_update" || k == "region" {
			continue
		}
		f := c.field(k)
		if f == nil {
			return ConsentMode{}, &SignalError{Signal: "consent_mode", Key: k, Reason: "unknown signal"}
		}
		switch v {
		case "granted":
			*f = ModeGranted
		case "denied":
			*f = ModeDenied
		default:
			return ConsentMode{}, &SignalError{Signal: "consent_mode", Key: k, Reason: fmt.Sprintf("value %q is not granted or denied", v)}
		}
	}
	return c, nil
}

// ParseGCS reads the gcs parameter of Google tag hits: "G1" then one
// character for ad_storage and one for analytics_storage, each '1'
// (granted), '0' (denied) or '-' (not set). Errors are *SignalError.
func ParseGCS(s string) (ConsentMode, error) {
	if len(s) != 4 || s[:2] != "G1" {
		return ConsentMode{}, &SignalError{Signal: "gcs", Reason: fmt.Sprintf("%q is not G1 followed by two states", s)}
	}
	var c ConsentMode
	for i, f := range []*ModeState{&c.AdStorage, &c.AnalyticsStorage} {
		switch s[2+i] {
		case '1':
			*f = ModeGranted
		case '0':
			*f = ModeDenied
		case '-':
		default:
			return ConsentMode{}, &SignalError{Signal: "gcs", Key: fmt.Sprint("character ", 2+i), Reason: fmt.Sprintf("%q is not 0, 1 or -", s[2+i])}
		}
	}
	return c, nil
}

// allOf combines states: denied if any is denied, granted if all are
// granted, unset otherwise.
func allOf(states ...ModeState) ModeState {
	out := ModeGranted
	for _, s := range states {
		switch s {
		case ModeDenied:
			return ModeDenied
		case ModeUnset:
			out = ModeUnset
		}
	}
	return out
}

// Signals maps the signals to purposes, in purpose order, leaving out
// purposes whose signals are unset:
//
//	analytics       <- analytics_storage
//	advertising     <- ad_storage and ad_user_data (both granted; denied if either is)
//	personalization <- personalization_storage
//
// ad_personalization (Google remarketing) has no purpose of its own here:
// ConsentModeFor derives it from advertising and personalization.
func (c ConsentMode) Signals() []Signal {
	var out []Signal
	add := func(p Purpose, s ModeState) {
		if s != ModeUnset {
			out = append(out, Signal{Purpose: p, Granted: s == ModeGranted})
		}
	}
	add(PurposeAdvertising, allOf(c.AdStorage, c.AdUserData))
	add(PurposeAnalytics, allOf(c.AnalyticsStorage))
	add(PurposePersonalization, allOf(c.PersonalizationStorage))
	sort.Slice(out, func(i, j int) bool { return out[i].Purpose < out[j].Purpose })
	return out
}

// Map returns the set signals as gtag('consent', 'update', ...) takes them.
func (c ConsentMode) Map() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"ad_storage", "analytics_storage", "ad_user_data", "ad_personalization",
		"functionality_storage", "personalization_storage", "security_storage"} {
		if s := *c.field(k); s != ModeUnset {
			m[k] = s.String()
		}
	}
	return m
}

// ConsentModeFor derives the Consent Mode v2 signals to send with subject's
// data from time t from the ledger, deciding each purpose exactly as the
// Router does (for a record whose only identifier is subject):
// ad_storage and ad_user_data from advertising, analytics_storage from
// analytics, personalization_storage from personalization, and
// ad_personalization from advertising and personalization together. Every
// one is set: what the ledger does not permit is denied. The storage
// signals of functionality and security are left unset. For an event with
// several identifiers use ConsentModeForRecord.
func ConsentModeFor(l *Ledger, subject string, t time.Time) ConsentMode {
	ids := [1]string{subject}
	return l.consentMode(ids[:], t)
}

// ConsentModeForRecord is ConsentModeFor over all of a record's
// identifiers — its ProfileID, userId and anonymousId, read as one history,
// any erased one denying everything — at the record's time: the signals say
// what the Router would let through for each purpose.
func ConsentModeForRecord(l *Ledger, r *connected.Record) ConsentMode {
	ids, n := idsOf(r)
	return l.consentMode(ids[:n], r.Time)
}

func (l *Ledger) consentMode(ids []string, t time.Time) ConsentMode {
	state := func(ok bool) ModeState {
		if ok {
			return ModeGranted
		}
		return ModeDenied
	}
	tn := t.UnixNano()
	l.mu.RLock()
	sts, erased := l.statesLocked(ids)
	erased = erased || len(ids) == 0
	ads := permitsLocked(&sts, erased, PurposeAdvertising, tn)
	pers := permitsLocked(&sts, erased, PurposePersonalization, tn)
	analytics := permitsLocked(&sts, erased, PurposeAnalytics, tn)
	l.mu.RUnlock()
	return ConsentMode{
		AdStorage:              state(ads),
		AdUserData:             state(ads),
		AdPersonalization:      state(ads && pers),
		AnalyticsStorage:       state(analytics),
		PersonalizationStorage: state(pers),
	}
}
