package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/service"
)

var update = flag.Bool("update", false, "rewrite testdata/servicecard.golden")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestServiceCardGolden pins the card the technician's app shows.
func TestServiceCardGolden(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "servicecard.golden")
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("card differs from %s (go test -update if intended):\n%s", path, out.String())
	}
}

// TestVisitLandsOnCustomerProfile: the arrival carries only the asset
// serial (pseudonymised), yet identity stitches it to the customer's
// profile, the one that also holds the till purchases made with the
// loyalty card; the card's facts come from that profile.
func TestVisitLandsOnCustomerProfile(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 2, 10, 9, 41, 5, 0, time.UTC)
	w, err := newWorld(now)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close(ctx)
	if err := history(ctx, w); err != nil {
		t.Fatal(err)
	}
	ev, err := service.Occurrence{Kind: service.KindTechnicianArrived, Time: now, WorkOrderID: "0WO5g000002AbCd",
		TechnicianID: "tech-0077", Asset: heatPump}.Event(service.Options{Pseudonymizer: w.ps})
	if err != nil {
		t.Fatal(err)
	}
	if ev.UserID != "" {
		t.Fatalf("the visit knows the customer: %q", ev.UserID)
	}
	profile, err := w.track(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.graph.Profile(identity.Identifier{Type: identity.TypeUserID, Value: "u42"})
	if err != nil {
		t.Fatal(err)
	}
	if profile == "" || profile != p.ID {
		t.Fatalf("visit stitched to %q, customer's profile is %q", profile, p.ID)
	}
	c := buildCard(profile, w.store.records(profile), w.ledger, now)
	if len(c.purchases) != 2 || len(c.products) != 1 || len(c.cases) != 3 || c.marketing {
		t.Errorf("card: %d purchases, %d products, %d cases, marketing %v", len(c.purchases), len(c.products), len(c.cases), c.marketing)
	}
	// A visit to an unknown asset finds nobody's history.
	other, err := service.Occurrence{Kind: service.KindTechnicianArrived, Time: now, WorkOrderID: "0WO-other",
		Asset: service.Asset{Product: "HEATPUMP-9KW", Serial: "HP-9X-99999"}}.Event(service.Options{Pseudonymizer: w.ps})
	if err != nil {
		t.Fatal(err)
	}
	op, err := w.track(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if op == profile || len(w.store.records(op)) != 1 {
		t.Errorf("an unknown asset reached profile %q with %d records", op, len(w.store.records(op)))
	}
}

// TestNothingInTheClear: no serial, loyalty number, card fingerprint or
// staff id of the demo appears in any encoded event.
func TestNothingInTheClear(t *testing.T) {
	ctx := context.Background()
	w, err := newWorld(time.Date(2026, 2, 10, 9, 41, 5, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	defer w.close(ctx)
	if err := history(ctx, w); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	n := 0
	for _, rs := range w.store.byID {
		for _, r := range rs {
			all.Write(r.Payload)
			n++
		}
	}
	if n < 15 {
		t.Fatalf("only %d records", n)
	}
	for _, s := range []string{"HP-9X-22811", "HP9X22811", "GOLD-7712-04", "GOLD771204", "Xt5EWLLDS7FJjR1c", "last4", "tech-0077", "agent.mia"} {
		if strings.Contains(all.String(), s) {
			t.Errorf("%q leaves in the clear", s)
		}
	}
	if !strings.Contains(all.String(), connected.PseudonymPrefix) {
		t.Error("no pseudonyms at all: the check proves nothing")
	}
}
