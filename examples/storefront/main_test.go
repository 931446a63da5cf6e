package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"go.uber.org/goleak"
)

var update = flag.Bool("update", false, "rewrite testdata/storefront.golden")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestStorefrontGolden pins the whole day's report.
func TestStorefrontGolden(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, 42, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "storefront.golden")
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
		t.Errorf("report differs from %s (run go test -update if the change is intended)\n%s", path, out.String())
	}
}

// TestStorefrontDeliveries checks the delivered files themselves, not the
// report: what each destination received must follow the consent rules.
func TestStorefrontDeliveries(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(&out, 42, dir); err != nil {
		t.Fatal(err)
	}
	read := func(name string) []map[string]any {
		t.Helper()
		f, err := os.Open(filepath.Join(dir, name+".ndjson"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var msgs []map[string]any
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			msgs = append(msgs, m)
		}
		return msgs
	}
	category := func(m map[string]any) string {
		c, _ := m["context"].(map[string]any)
		s, _ := c["dataCategory"].(string)
		return s
	}
	count := func(msgs []map[string]any, event string, user string) int {
		n := 0
		for _, m := range msgs {
			if m["event"] == event && (user == "" || m["userId"] == user) {
				n++
			}
		}
		return n
	}

	marketing, wellness, analytics, ads := read("marketing"), read("wellness"), read("analytics"), read("advertising")
	for _, m := range append(append([]map[string]any{}, marketing...), ads...) {
		if category(m) == "health" {
			t.Errorf("health data reached a marketing or advertising destination: %v", m)
		}
	}
	if count(wellness, "Workout Completed", "ben") != 1 {
		t.Errorf("the workout did not reach the wellness destination")
	}
	// Activation: one offer, for Ana's boots (wished after consent); none
	// for Ben's jacket (wished before he consented); the pickup request
	// reaches the staff app and nobody else.
	offers := 0
	for _, m := range marketing {
		if m["event"] == "Offer Triggered" {
			offers++
			if p, _ := m["properties"].(map[string]any); p["product_id"] != "boot-1207" {
				t.Errorf("offer for %v, want boot-1207", p["product_id"])
			}
		}
	}
	if offers != 1 {
		t.Errorf("marketing received %d offers, want 1 (Ana's boots)", offers)
	}
	staff := read("store-staff")
	if len(staff) != 1 || staff[0]["event"] != "Pickup Prepare Requested" {
		t.Fatalf("store-staff received %v, want one Pickup Prepare Requested", staff)
	}
	if p, _ := staff[0]["properties"].(map[string]any); p["order_id"] != "web-77120" || p["eta_minutes"] != 18.0 {
		t.Errorf("pickup request properties %v", p)
	}
	for _, name := range []string{"analytics", "marketing"} {
		if n := count(read(name), "Pickup Prepare Requested", ""); n != 0 {
			t.Errorf("%s received %d pickup requests addressed to the staff", name, n)
		}
	}
	report := out.String()
	for _, want := range []string{
		"activation: Offer Triggered boot-1207 -> marketing  because trigger Zone Entered",
		"refused wish_reminder on evt-0014: related_without_consent",
		"activation: entered frequent_visitor",
		"activation: exited frequent_visitor -> analytics  (consent_revoked",
		"activation: Pickup Prepare Requested web-77120 -> store-staff  because trigger Vehicle Approaching",
		"refused pickup_prepare on evt-0008: no_related_event",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if len(ads) != 0 {
		t.Errorf("advertising received %d events; nobody consented to advertising", len(ads))
	}
	// Dan withdrew marketing consent at 10:31: nothing of his after that,
	// though his zone events before it did reach marketing.
	dan := beacon.HashID(hashKey, phoneBeacon(1004))
	before, after := 0, 0
	for _, m := range marketing {
		if m["anonymousId"] != dan && m["userId"] != "dan" {
			continue
		}
		if ts, _ := m["originalTimestamp"].(string); ts >= "2026-11-24T10:31:00.000Z" {
			after++
		} else {
			before++
		}
	}
	if before == 0 || after != 0 {
		t.Errorf("Dan's marketing events: %d before the withdrawal, %d after; want some, then none", before, after)
	}
	// Anonymous browsing before any consent reached analytics only stripped:
	// no identifiers in it.
	for _, m := range analytics {
		pre := m["type"] == "page" && m["name"] == "Trail boots" && m["anonymousId"] == "web-7f3a" ||
			m["event"] == "Product Added to Wishlist" && m["anonymousId"] == "web-b3n1"
		if pre {
			t.Errorf("an event without analytics consent reached analytics unstripped: %v", m)
		}
	}
	// Zone events carry a pseudonym, never the phone's beacon identity.
	for _, m := range analytics {
		if s, _ := m["anonymousId"].(string); strings.Contains(s, "e2c56db5") {
			t.Errorf("a device identifier left in the clear: %v", m)
		}
	}
	if !strings.Contains(out.String(), "same profile: false") {
		t.Errorf("the kiosk merged two strangers:\n%s", out.String())
	}
}
