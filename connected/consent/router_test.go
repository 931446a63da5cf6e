package consent_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

const (
	C = connected.CategoryBehavioral
	L = connected.CategoryLocation
	H = connected.CategoryHealth
	T = connected.CategoryTransaction
	I = connected.CategoryIdentity
)

// tableDests are the destinations of the routing table. Each outcome column
// in routingTable follows this order.
var tableDests = []struct {
	name    string
	purpose consent.Purpose
	cats    []connected.Category
	action  consent.Action
}{
	{"analytics", consent.PurposeAnalytics, []connected.Category{C, L, H, T}, consent.Drop},
	{"ads", consent.PurposeAdvertising, []connected.Category{C, T}, consent.Drop},
	{"crm", consent.PurposeMarketing, []connected.Category{C, T, I, L}, consent.Drop},
	{"wellness", consent.PurposeHealth, []connected.Category{H}, consent.Drop},
	{"lite", consent.PurposeAnalytics, []connected.Category{C, L}, consent.Strip},
}

type tableFact struct {
	subject string
	purpose consent.Purpose
	granted bool
	min     int
}

// tableFacts, recorded in many orders by the test.
var tableFacts = []tableFact{
	{"alice", consent.PurposeAnalytics, true, 0},
	{"alice", consent.PurposeMarketing, true, 0},
	{"alice", consent.PurposeMarketing, false, 10}, // revoked
	{"alice", consent.PurposeLocation, true, 0},
	{"alice", consent.PurposeHealth, true, 0},
	{"alice", consent.PurposeAdvertising, false, 0},
	{"carol", consent.PurposeAnalytics, true, 5},
	{"carol", consent.PurposeMarketing, false, 0},
	{"carol", consent.PurposeMarketing, true, 20},
	{"carol", consent.PurposeAdvertising, true, 0},
	{"dave", consent.PurposeAnalytics, true, 0},
	{"dave", consent.PurposeLocation, false, 0},
	{"dave", consent.PurposeMarketing, true, 0},
	{"erin", consent.PurposeAnalytics, true, 0},
	{"erin", consent.PurposeAdvertising, true, 0},
	{"erin", consent.PurposeMarketing, true, 0},
	{"erin", consent.PurposeHealth, true, 0}, // everything granted, yet no health to ads
	{"eve", consent.PurposeAnalytics, true, 0},
}

// routingTable: subject x category x time -> outcome per destination
// ("ok" delivered, "strip" a stripped copy delivered, else the drop reason).
var routingTable = []struct {
	name    string
	subject string
	cat     connected.Category
	min     int
	want    [5]string // analytics, ads, crm, wellness, lite
}{
	{"granted analytics, revoked marketing", "alice", C, 1, [5]string{"ok", "denied", "revoked", "category_not_allowed", "ok"}},
	{"after the revocation", "alice", C, 11, [5]string{"ok", "denied", "denied", "category_not_allowed", "ok"}},
	{"workout: wellness yes, ads never", "alice", H, 1, [5]string{"ok", "health_to_adtech", "health_to_adtech", "ok", "category_not_allowed"}},
	{"location with location consent", "alice", L, 1, [5]string{"ok", "category_not_allowed", "revoked", "category_not_allowed", "ok"}},
	{"transaction", "alice", T, 1, [5]string{"ok", "denied", "revoked", "category_not_allowed", "category_not_allowed"}},
	{"unknown subject: unknown means denied", "bob", C, 1, [5]string{"no_consent", "no_consent", "no_consent", "category_not_allowed", "strip"}},
	{"before the grant", "carol", C, 3, [5]string{"no_consent", "ok", "denied", "category_not_allowed", "strip"}},
	{"after the grant", "carol", C, 6, [5]string{"ok", "ok", "denied", "category_not_allowed", "ok"}},
	{"marketing granted later", "carol", C, 21, [5]string{"ok", "ok", "ok", "category_not_allowed", "ok"}},
	{"marketing denial in force at T", "carol", C, 15, [5]string{"ok", "ok", "denied", "category_not_allowed", "ok"}},
	{"health without health consent", "carol", H, 21, [5]string{"no_consent", "health_to_adtech", "health_to_adtech", "no_consent", "category_not_allowed"}},
	{"location denied: no strip either", "dave", L, 1, [5]string{"denied", "category_not_allowed", "denied", "category_not_allowed", "denied"}},
	{"identity category", "dave", I, 1, [5]string{"category_not_allowed", "category_not_allowed", "ok", "category_not_allowed", "category_not_allowed"}},
	{"everything granted: health still never to ads", "erin", H, 1, [5]string{"ok", "health_to_adtech", "health_to_adtech", "ok", "category_not_allowed"}},
	{"everything granted: behavioral", "erin", C, 1, [5]string{"ok", "ok", "ok", "category_not_allowed", "ok"}},
	{"erased subject", "eve", C, 1, [5]string{"erased", "erased", "erased", "erased", "erased"}},
}

type tableSetup struct {
	ledger *consent.Ledger
	router *consent.Router
	sinks  []*sink
}

func newTable(t *testing.T, facts []tableFact, opts ...consent.Option) tableSetup {
	t.Helper()
	l := newLedger(t)
	for _, f := range facts {
		if f.granted {
			grant(t, l, f.subject, f.purpose, at(f.min))
		} else {
			deny(t, l, f.subject, f.purpose, at(f.min))
		}
	}
	noErr(t, l.Erase(context.Background(), "eve", at(0)))
	var dests []consent.Destination
	var sinks []*sink
	for _, d := range tableDests {
		s := &sink{}
		sinks = append(sinks, s)
		dests = append(dests, consent.Destination{Name: d.name, Purpose: d.purpose, Categories: d.cats, OnRefusal: d.action, Handler: s})
	}
	rt, err := consent.NewRouter(l, auditKey, dests, append([]consent.Option{consent.WithClock(func() time.Time { return at(100) })}, opts...)...)
	noErr(t, err)
	shutdown(t, rt)
	return tableSetup{l, rt, sinks}
}

func TestRoutingTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for run := range 20 {
		facts := append([]tableFact(nil), tableFacts...)
		switch {
		case run == 1:
			slicesReverse(facts)
		case run > 1:
			rng.Shuffle(len(facts), func(a, b int) { facts[a], facts[b] = facts[b], facts[a] })
		}
		ts := newTable(t, facts)
		for _, row := range routingTable {
			for _, s := range ts.sinks {
				s.reset()
			}
			r := record(t, row.subject, row.cat, at(row.min))
			noErr(t, ts.router.Handle(context.Background(), r), row.name)
			audit := ts.router.Audit()
			for i, want := range row.want {
				got := outcome(ts.sinks[i], r, audit, tableDests[i].name)
				if got != want {
					t.Errorf("run %d, %s, %s: got %s, want %s", run, row.name, tableDests[i].name, got, want)
				}
			}
		}
	}
}

// outcome says what destination name did with r.
func outcome(s *sink, r *connected.Record, audit []consent.AuditEntry, name string) string {
	s.mu.Lock()
	got := append([]*connected.Record(nil), s.got...)
	s.mu.Unlock()
	if len(got) == 1 && got[0] == r {
		return "ok"
	}
	if len(got) == 1 && got[0].ID == r.ID && got[0].Event.UserID == "" {
		return "strip"
	}
	if len(got) > 0 {
		return "delivered something else"
	}
	for i := len(audit) - 1; i >= 0; i-- {
		e := audit[i]
		if e.MessageID == r.ID && e.Destination == name && e.Action == consent.Drop {
			return e.Reason.String()
		}
	}
	return "nothing"
}

func slicesReverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

func TestRoutingStatsAndAudit(t *testing.T) {
	ts := newTable(t, tableFacts)
	for _, row := range routingTable {
		noErr(t, ts.router.Handle(context.Background(), record(t, row.subject, row.cat, at(row.min))))
	}
	stats := ts.router.Stats()
	equal(t, len(tableDests), len(stats))
	for i, d := range tableDests {
		s := stats[i]
		equal(t, d.name, s.Name)
		var ok, strip uint64
		drops := map[consent.Reason]uint64{}
		for _, row := range routingTable {
			switch w := row.want[i]; w {
			case "ok":
				ok++
			case "strip":
				strip++
			default:
				for r := consent.ReasonNoConsent; r <= consent.ReasonShutdown; r++ {
					if r.String() == w {
						drops[r]++
					}
				}
			}
		}
		equal(t, ok, s.Delivered, d.name)
		equal(t, strip, s.Stripped, d.name)
		equal(t, drops, s.Dropped, d.name)
		var refused uint64
		for _, n := range s.Refusals {
			refused += n
		}
		equal(t, uint64(len(routingTable))-ok, refused, d.name, " refusals include stripped ones")
	}

	// The audit trail: keyed hashes, never ids.
	key := consent.Tag(auditKey, "alice")
	found := 0
	for _, e := range ts.router.Audit() {
		isTrue(t, e.Time.Equal(at(100)), "router clock")
		s := fmt.Sprintf("%+v %s", e, e.Subject)
		for _, pii := range []string{"alice", "bob", "carol", "dave", "erin", "eve", "203.0.113.9", "example.com"} {
			isTrue(t, !strings.Contains(s, pii), "plaintext ", pii, " in ", s)
		}
		if e.Subject == key {
			found++
		}
	}
	isTrue(t, found > 0, "alice's refusals are findable with the key")
	isTrue(t, consent.Tag(auditKey, "") == consent.SubjectTag{})
}

func TestRevocationTakesEffectNextEvent(t *testing.T) {
	l := newLedger(t)
	s := &sink{}
	rt, err := consent.NewRouter(l, auditKey, []consent.Destination{{Name: "crm", Purpose: consent.PurposeMarketing, Categories: []connected.Category{C}, Handler: s}})
	noErr(t, err)
	shutdown(t, rt)
	grant(t, l, "u", consent.PurposeMarketing, at(0))
	first := record(t, "u", C, at(5))
	noErr(t, rt.Handle(context.Background(), first))
	deny(t, l, "u", consent.PurposeMarketing, at(10))
	// An event from before the revocation, arriving after it: refused.
	late := record(t, "u", C, at(6))
	noErr(t, rt.Handle(context.Background(), late))
	next := record(t, "u", C, at(11))
	noErr(t, rt.Handle(context.Background(), next))
	equal(t, []string{first.ID}, s.ids())
	equal(t, map[consent.Reason]uint64{consent.ReasonRevoked: 1, consent.ReasonDenied: 1}, rt.Stats()[0].Dropped)
	// A grant arriving out of order (effective before the revocation)
	// changes nothing: the latest decision is still the revocation.
	grant(t, l, "u", consent.PurposeMarketing, at(8))
	noErr(t, rt.Handle(context.Background(), record(t, "u", C, at(9))))
	equal(t, 1, len(s.ids()))
}

func TestProfileIDIsTheSubject(t *testing.T) {
	l := newLedger(t)
	s := &sink{}
	rt, err := consent.NewRouter(l, auditKey, []consent.Destination{{Name: "a", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}, Handler: s}})
	noErr(t, err)
	shutdown(t, rt)
	grant(t, l, "profile-1", consent.PurposeAnalytics, at(0))
	r := record(t, "bob", C, at(1))
	noErr(t, rt.Handle(context.Background(), r))
	equal(t, 0, len(s.ids()), "bob has no consent")
	r2 := *r
	r2.ProfileID = "profile-1"
	noErr(t, rt.Handle(context.Background(), &r2))
	equal(t, []string{r.ID}, s.ids())
	// Erasing any id on the record blocks it, even under a profile.
	noErr(t, l.Erase(context.Background(), "anon-bob", at(2)))
	noErr(t, rt.Handle(context.Background(), &r2))
	equal(t, 1, len(s.ids()))
	equal(t, uint64(1), rt.Stats()[0].Dropped[consent.ReasonErased])
	// A record rebuilt from bytes has no Event: no subject.
	bare := &connected.Record{ID: "m", Time: at(3), Category: C, Payload: r.Payload}
	noErr(t, rt.Handle(context.Background(), bare))
	equal(t, uint64(1), rt.Stats()[0].Dropped[consent.ReasonNoSubject])
}

func TestStrip(t *testing.T) {
	l := newLedger(t)
	s := &sink{}
	rt, err := consent.NewRouter(l, auditKey, []consent.Destination{{Name: "lite", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C, L}, OnRefusal: consent.Strip, Handler: s}})
	noErr(t, err)
	shutdown(t, rt)
	r := record(t, "bob", C, at(1))
	r.Event.Traits = connected.Traits{"email": "bob@example.com"}
	r.Event.Type = connected.TypeIdentify
	r.Event.Event = ""
	noErr(t, rt.Handle(context.Background(), r))
	got := s.got
	equal(t, 1, len(got))
	st := got[0]
	equal(t, r.ID, st.ID)
	isTrue(t, st.Time.Equal(r.Time) && st.Category == r.Category && st.Type == r.Type)
	isTrue(t, st.PartitionKey != r.PartitionKey && len(st.PartitionKey) == 32)
	equal(t, connected.PartitionKey(nil, st.Event.AnonymousID), st.PartitionKey)
	isTrue(t, strings.HasPrefix(st.Event.AnonymousID, "stripped-"))
	for _, pii := range []string{"bob", "203.0.113.9", "TestAgent", "device-", "example.com", "52.5", "latitude"} {
		isTrue(t, !strings.Contains(string(st.Payload), pii), "stripped payload holds ", pii, ": ", string(st.Payload))
	}
	for _, kept := range []string{`"sku":"boot-1207"`, `"placeId":"store-7"`, `"zone":"shoes"`, `"type":"phone"`, r.ID} {
		isTrue(t, strings.Contains(string(st.Payload), kept), "stripped payload lost ", kept)
	}
	isTrue(t, st.ProfileID == "")
	// Deterministic: a retry of the same record strips to the same bytes.
	s.reset()
	noErr(t, rt.Handle(context.Background(), r))
	equal(t, string(st.Payload), string(s.got[0].Payload))
	// The original is untouched.
	equal(t, "bob", r.Event.UserID)

	// Alias events cannot be stripped.
	a := record(t, "bob", C, at(2))
	a.Event.Type, a.Event.Event, a.Event.PreviousID = connected.TypeAlias, "", "old-bob"
	s.reset()
	noErr(t, rt.Handle(context.Background(), a))
	equal(t, 0, len(s.got))
	equal(t, uint64(1), rt.Stats()[0].Dropped[consent.ReasonStripUnsupported])
}

func TestDeliveryErrors(t *testing.T) {
	l := newLedger(t)
	grant(t, l, "u", consent.PurposeAnalytics, at(0))
	bad := &sink{err: errors.New("queue full")}
	good := &sink{}
	rt, err := consent.NewRouter(l, auditKey, []consent.Destination{
		{Name: "bad", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}, Handler: bad},
		{Name: "good", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}, Handler: good},
	})
	noErr(t, err)
	shutdown(t, rt)
	r := record(t, "u", C, at(1))
	err = rt.Handle(context.Background(), r)
	var de *consent.DeliveryError
	if !errors.As(err, &de) || de.Destination != "bad" || de.MessageID != r.ID || !errors.Is(err, bad.err) {
		t.Fatalf("error %v", err)
	}
	equal(t, []string{r.ID}, good.ids(), "the other destination still got it")
	equal(t, uint64(1), rt.Stats()[0].Errors)
	equal(t, uint64(0), rt.Stats()[0].Delivered)
}

func TestConfigErrors(t *testing.T) {
	l := newLedger(t)
	h := &sink{}
	okDest := consent.Destination{Name: "a", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}, Handler: h}
	for _, tc := range []struct {
		name  string
		dests []consent.Destination
		opts  []consent.Option
		also  error
	}{
		{"health to marketing", []consent.Destination{{Name: "m", Purpose: consent.PurposeMarketing, Categories: []connected.Category{C, H}, Handler: h}}, nil, consent.ErrHealthToAdTech},
		{"health to advertising", []consent.Destination{{Name: "m", Purpose: consent.PurposeAdvertising, Categories: []connected.Category{H}, Handler: h}}, nil, consent.ErrHealthToAdTech},
		{"no destinations", nil, nil, nil},
		{"no name", []consent.Destination{{Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}, Handler: h}}, nil, nil},
		{"duplicate name", []consent.Destination{okDest, okDest}, nil, nil},
		{"bad purpose", []consent.Destination{{Name: "a", Purpose: "Ads!", Categories: []connected.Category{C}, Handler: h}}, nil, nil},
		{"no categories", []consent.Destination{{Name: "a", Purpose: consent.PurposeAnalytics, Handler: h}}, nil, nil},
		{"unknown category", []consent.Destination{{Name: "a", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{"genetic"}, Handler: h}}, nil, nil},
		{"no handler", []consent.Destination{{Name: "a", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}}}, nil, nil},
		{"bad action", []consent.Destination{{Name: "a", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}, OnRefusal: 7, Handler: h}}, nil, nil},
		{"negative hold", []consent.Destination{{Name: "a", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}, OnRefusal: consent.Hold, Hold: consent.HoldLimits{MaxAge: -1}, Handler: h}}, nil, nil},
		{"store without hold", []consent.Destination{{Name: "a", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C}, HoldStore: consent.NewMemoryHold(consent.HoldLimits{}), Handler: h}}, nil, nil},
		{"no audit key", []consent.Destination{okDest}, []consent.Option{}, nil},
		{"short audit key", []consent.Destination{okDest}, []consent.Option{}, nil},
		{"nil option", []consent.Destination{okDest}, []consent.Option{nil}, nil},
		{"nil clock", []consent.Destination{okDest}, []consent.Option{consent.WithClock(nil)}, nil},
		{"negative audit capacity", []consent.Destination{okDest}, []consent.Option{consent.WithAuditCapacity(-1)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := auditKey
			switch tc.name {
			case "no audit key":
				key = nil
			case "short audit key":
				key = []byte("short")
			}
			_, err := consent.NewRouter(l, key, tc.dests, tc.opts...)
			var ce *consent.ConfigError
			if !errors.As(err, &ce) || !errors.Is(err, consent.ErrConfig) {
				t.Fatalf("error %v, want a *ConfigError", err)
			}
			if tc.also != nil && !errors.Is(err, tc.also) {
				t.Fatalf("error %v does not match %v", err, tc.also)
			}
		})
	}
	_, err := consent.NewRouter(nil, auditKey, []consent.Destination{okDest})
	isTrue(t, errors.Is(err, consent.ErrConfig))
	many := make([]consent.Destination, consent.MaxDestinations+1)
	for i := range many {
		many[i] = okDest
		many[i].Name = fmt.Sprint("d", i)
	}
	_, err = consent.NewRouter(l, auditKey, many)
	isTrue(t, errors.Is(err, consent.ErrConfig))
}

// Consent belongs to the person, whatever identifier it was recorded under:
// a grant recorded for the anonymous id on the web still holds after login
// gives the record a new canonical profile id, and a later withdrawal
// recorded for the user id stops it.
func TestConsentAcrossIdentifiers(t *testing.T) {
	l := newLedger(t)
	s := &sink{}
	rt, err := consent.NewRouter(l, auditKey, []consent.Destination{{Name: "m", Purpose: consent.PurposeMarketing, Categories: []connected.Category{C}, Handler: s}})
	noErr(t, err)
	shutdown(t, rt)
	grant(t, l, "anon-ana", consent.PurposeMarketing, at(0)) // the web CMP knew only the anonymous id
	r := record(t, "ana", C, at(1))
	r.ProfileID = "p_after_login"
	noErr(t, rt.Handle(context.Background(), r))
	equal(t, []string{r.ID}, s.ids(), "the grant under the anonymous id applies to the stitched record")

	deny(t, l, "ana", consent.PurposeMarketing, at(2)) // the app setting knows the user id
	r2 := record(t, "ana", C, at(3))
	r2.ProfileID = "p_after_login"
	noErr(t, rt.Handle(context.Background(), r2))
	equal(t, 1, len(s.ids()), "the later denial under the user id wins")

	grant(t, l, "p_after_login", consent.PurposeMarketing, at(4))
	r3 := record(t, "ana", C, at(5))
	r3.ProfileID = "p_after_login"
	noErr(t, rt.Handle(context.Background(), r3))
	equal(t, 2, len(s.ids()), "the latest decision of all the person's identifiers applies")

	// At the same instant, a denial under one identifier beats a grant under another.
	deny(t, l, "anon-ana", consent.PurposeMarketing, at(6))
	grant(t, l, "ana", consent.PurposeMarketing, at(6))
	r4 := record(t, "ana", C, at(7))
	noErr(t, rt.Handle(context.Background(), r4))
	equal(t, 2, len(s.ids()), "a tie goes to the denial")
}

// A held record is released when consent arrives under any of its
// identifiers, not only the one it was held under.
func TestHoldReleasedByAnyIdentifier(t *testing.T) {
	l := newLedger(t)
	s := &sink{}
	rt, err := consent.NewRouter(l, auditKey, []consent.Destination{{Name: "m", Purpose: consent.PurposeMarketing, Categories: []connected.Category{C},
		OnRefusal: consent.Hold, Hold: consent.HoldLimits{MaxRecords: 10, MaxBytes: 1 << 20, MaxAge: time.Hour}, Handler: s}}, consent.WithEventTimeClock(true))
	noErr(t, err)
	shutdown(t, rt)
	r := record(t, "ana", C, at(1))
	r.ProfileID = "p_ana"
	noErr(t, rt.Handle(context.Background(), r))
	equal(t, 0, len(s.ids()), "held")
	grant(t, l, "anon-ana", consent.PurposeMarketing, at(2))
	equal(t, []string{r.ID}, s.ids(), "released by a grant under the anonymous id")
	equal(t, 0, rt.Stats()[0].Holding)
}
