package service_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/service"
)

var zeroTime time.Time

var update = flag.Bool("update", false, "rewrite the golden files")

func registry(t testing.TB) *connected.Channels {
	cs, err := connected.NewChannels(service.Channels()...)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestEventsGolden pins the Segment JSON of one occurrence of every kind.
func TestEventsGolden(t *testing.T) {
	cs := registry(t)
	opts := service.Options{Pseudonymizer: pseudonymizer()}
	var out bytes.Buffer
	seen := map[service.Kind]bool{}
	for _, o := range samples() {
		ev, err := o.Event(opts)
		if err != nil {
			t.Fatalf("%v: %v", o.Kind, err)
		}
		ev.Context.Library = connected.Library{Name: "touchpoint-go", Version: "test"}
		b, err := cs.AppendSegment(nil, &ev)
		if err != nil {
			t.Fatalf("%v: %v", o.Kind, err)
		}
		out.Write(b)
		out.WriteByte('\n')
		seen[o.Kind] = true
	}
	for k := service.KindCaseOpened; k.Valid(); k++ {
		if !seen[k] {
			t.Errorf("no sample of %v", k)
		}
	}
	golden(t, "events.golden", out.Bytes())
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update if intended):\n%s", path, got)
	}
}

// TestNoIdentifierInTheClear: no serial, technician id or agent id appears
// in the encoded events; with RawIdentifiers they do (the test can fail).
func TestNoIdentifierInTheClear(t *testing.T) {
	cs := registry(t)
	// each secret in every spelling it could take
	secrets := [][]string{{"HP-9X-22811", "HP9X22811"}, {"tech-0077"}, {"agent.mia"}}
	encode := func(opts service.Options) string {
		var all strings.Builder
		for _, o := range samples() {
			ev, err := o.Event(opts)
			if err != nil {
				t.Fatal(err)
			}
			b, err := cs.AppendSegment(nil, &ev)
			if err != nil {
				t.Fatal(err)
			}
			all.Write(b)
		}
		return all.String()
	}
	safe := encode(service.Options{Pseudonymizer: pseudonymizer()})
	raw := encode(service.Options{RawIdentifiers: true})
	for _, forms := range secrets {
		inRaw := false
		for _, s := range forms {
			if strings.Contains(strings.ToUpper(safe), strings.ToUpper(s)) {
				t.Errorf("%q leaves in the clear", s)
			}
			inRaw = inRaw || strings.Contains(strings.ToUpper(raw), strings.ToUpper(s))
		}
		if !inRaw {
			t.Errorf("%q absent even with RawIdentifiers: the check above proves nothing", forms)
		}
	}
	if !strings.Contains(safe, connected.PseudonymPrefix) {
		t.Error("no pseudonym in the events")
	}
}

// TestOccurrenceRefused: each kind's required fields, bad values and a
// missing key are refused with a matchable *FieldError naming the field.
func TestOccurrenceRefused(t *testing.T) {
	base := samples()
	mod := func(i int, f func(o *service.Occurrence)) service.Occurrence { o := base[i]; f(&o); return o }
	cases := []struct {
		name  string
		o     service.Occurrence
		opts  service.Options
		field string
		err   error
	}{
		{"no kind", mod(0, func(o *service.Occurrence) { o.Kind = 0 }), service.Options{RawIdentifiers: true}, "Kind", service.ErrInvalid},
		{"no time", mod(0, func(o *service.Occurrence) { o.Time = zeroTime }), service.Options{RawIdentifiers: true}, "Time", service.ErrMissing},
		{"case without id", mod(0, func(o *service.Occurrence) { o.CaseID = "" }), service.Options{RawIdentifiers: true}, "CaseID", service.ErrMissing},
		{"update without previous", mod(1, func(o *service.Occurrence) { o.PreviousStatus = "" }), service.Options{}, "PreviousStatus", service.ErrMissing},
		{"window reversed", mod(2, func(o *service.Occurrence) { o.WindowEnd = o.WindowStart.Add(-1) }), service.Options{RawIdentifiers: true}, "WindowEnd", service.ErrInvalid},
		{"appointment without window", mod(2, func(o *service.Occurrence) { o.WindowStart = zeroTime }), service.Options{RawIdentifiers: true}, "WindowStart", service.ErrMissing},
		{"visit without outcome", mod(5, func(o *service.Occurrence) { o.Outcome = "" }), service.Options{RawIdentifiers: true}, "Outcome", service.ErrMissing},
		{"unknown outcome", mod(5, func(o *service.Occurrence) { o.Outcome = "meh" }), service.Options{RawIdentifiers: true}, "Outcome", service.ErrInvalid},
		{"unknown category", mod(5, func(o *service.Occurrence) { o.StatusCategory = "done" }), service.Options{RawIdentifiers: true}, "StatusCategory", service.ErrInvalid},
		{"visit without ids", mod(4, func(o *service.Occurrence) { o.WorkOrderID, o.AppointmentID = "", "" }), service.Options{RawIdentifiers: true}, "WorkOrderID", service.ErrMissing},
		{"registration without asset", mod(8, func(o *service.Occurrence) { o.Asset = service.Asset{} }), service.Options{RawIdentifiers: true}, "Asset", service.ErrMissing},
		{"serial missing", mod(8, func(o *service.Occurrence) { o.Asset.Serial = " - " }), service.Options{RawIdentifiers: true}, "Asset.Serial", service.ErrMissing},
		{"serial with colon", mod(8, func(o *service.Occurrence) { o.Asset.Serial = "A:B" }), service.Options{RawIdentifiers: true}, "Asset.Serial", service.ErrInvalid},
		{"serial too long", mod(8, func(o *service.Occurrence) { o.Asset.Serial = strings.Repeat("9", 129) }), service.Options{RawIdentifiers: true}, "Asset.Serial", service.ErrInvalid},
		{"chat without conversation", mod(10, func(o *service.Occurrence) { o.ConversationID = "" }), service.Options{RawIdentifiers: true}, "ConversationID", service.ErrMissing},
		{"negative duration", mod(11, func(o *service.Occurrence) { o.Duration = -1 }), service.Options{RawIdentifiers: true}, "Duration", service.ErrInvalid},
		{"nobody", mod(6, func(o *service.Occurrence) { o.UserID = "" }), service.Options{RawIdentifiers: true}, "UserID", service.ErrMissing},
		{"serial without key", base[8], service.Options{}, "Asset", service.ErrNoKey},
		{"technician without key", mod(3, func(o *service.Occurrence) { o.Asset = service.Asset{}; o.UserID = "u42" }), service.Options{}, "TechnicianID", service.ErrNoKey},
		{"agent without key", base[10], service.Options{}, "AgentID", service.ErrNoKey},
	}
	for _, tc := range cases {
		ev, err := tc.o.Event(tc.opts)
		var fe *service.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want a FieldError on %s matching %v", tc.name, err, tc.field, tc.err)
		}
		if ev.Event != "" || ev.Properties != nil {
			t.Errorf("%s: partial event returned: %+v", tc.name, ev)
		}
	}
}

// TestRepairVisitJoinsProfile: the product is registered by its owner; a
// repair visit later carries only the asset serial (pseudonymised); through
// identity.Middleware it lands on the owner's profile, and a visit to
// another customer's asset does not.
func TestRepairVisitJoinsProfile(t *testing.T) {
	g, err := identity.New([]byte("identity-secret-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = g.Shutdown(context.Background()) }()
	mw, err := identity.NewMiddleware(g, identity.WithoutLinkFacts())
	if err != nil {
		t.Fatal(err)
	}
	rec := &connectedtest.Recorder{}
	c, err := connected.New(rec, connected.WithChannels(service.Channels()...), connected.WithMiddleware(mw.Middleware()),
		connected.WithClock(connectedtest.Clock(t0.Add(24*time.Hour), 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown(context.Background())
	opts := service.Options{Pseudonymizer: pseudonymizer()}
	emit := func(o service.Occurrence) *connected.Record {
		t.Helper()
		ev, err := o.Event(opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Track(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		rs := rec.Records()
		return rs[len(rs)-1]
	}
	reg := emit(samples()[8]) // Product Registered by u42
	other := emit(service.Occurrence{Kind: service.KindProductRegistered, Time: t0.Add(-300 * 24 * time.Hour), UserID: "u77",
		Asset: service.Asset{Product: "HEATPUMP-9KW", Serial: "HP-9X-30001"}})
	visit := emit(service.Occurrence{Kind: service.KindVisitCompleted, Time: t0, WorkOrderID: "0WO5g000002AbCd",
		Outcome: service.OutcomeFixed, TechnicianID: "tech-0077",
		Asset: service.Asset{Product: "heatpump 9kw", Serial: "hp9x22811"}}) // spelled differently
	if reg.ProfileID == "" || visit.ProfileID != reg.ProfileID {
		t.Fatalf("visit profile %q, owner profile %q", visit.ProfileID, reg.ProfileID)
	}
	if other.ProfileID == reg.ProfileID {
		t.Fatal("two owners share a profile")
	}
	if visit.Event.UserID != "" || !strings.HasPrefix(visit.Event.AnonymousID, connected.PseudonymPrefix) {
		t.Errorf("visit identified by %q/%q, want the asset pseudonym", visit.Event.UserID, visit.Event.AnonymousID)
	}
	p, err := g.Profile(identity.Identifier{Type: identity.TypeUserID, Value: "u42"})
	if err != nil {
		t.Fatal(err)
	}
	var assets int
	for _, m := range p.Members {
		if m.Type == identity.TypeAssetSerial {
			assets++
		}
	}
	if p.ID != reg.ProfileID || assets != 1 {
		t.Errorf("profile %s has %d assets, want %s with 1", p.ID, assets, reg.ProfileID)
	}
}

func TestStatusCategoryOf(t *testing.T) {
	cases := []struct {
		sys  service.System
		in   string
		want service.StatusCategory
	}{
		{service.SystemSalesforce, "In Progress", service.StatusInProgress},
		{service.SystemSalesforce, "cannot_complete", service.StatusCannotComplete},
		{service.SystemSalesforce, "Dispatched", service.StatusInProgress},
		{service.SystemSalesforce, "None", service.StatusNew},
		{service.SystemZendesk, "pending", service.StatusOnHold},
		{service.SystemZendesk, " Solved ", service.StatusCompleted},
		{service.SystemFreshdesk, "2", service.StatusInProgress},
		{service.SystemFreshdesk, "5", service.StatusClosed},
	}
	for _, tc := range cases {
		got, err := service.StatusCategoryOf(tc.sys, tc.in)
		if err != nil || got != tc.want || !got.Valid() {
			t.Errorf("StatusCategoryOf(%s, %q) = %q, %v; want %q", tc.sys, tc.in, got, err, tc.want)
		}
	}
	for _, bad := range [][2]string{{"salesforce", "Awaiting Parts"}, {"zendesk", "2"}, {"jira", "open"}} {
		if _, err := service.StatusCategoryOf(service.System(bad[0]), bad[1]); !errors.Is(err, service.ErrInvalid) {
			t.Errorf("StatusCategoryOf(%s, %q): %v, want ErrInvalid", bad[0], bad[1], err)
		}
	}
	if !service.StatusOnHold.Open() || service.StatusClosed.Open() {
		t.Error("Open is wrong")
	}
}
