package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/vehicle"
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
	// The pickup fires on the car's 20-minute ring, with the ETA the
	// vehicle Tracker computed from Carla's position stream.
	var ring20 map[string]any
	for _, m := range analytics {
		if p, _ := m["properties"].(map[string]any); m["event"] == "Vehicle Approaching" && m["userId"] == "carla" && p["ring_minutes"] == 20.0 {
			ring20 = p
		}
	}
	if ring20 == nil {
		t.Fatal("analytics has no Vehicle Approaching at Carla's 20-minute ring")
	}
	if p, _ := staff[0]["properties"].(map[string]any); p["order_id"] != "web-77120" || p["eta_minutes"] != ring20["eta_minutes"] {
		t.Errorf("pickup request properties %v, want order web-77120 and the ring's ETA %v", p, ring20["eta_minutes"])
	}
	if eta, _ := ring20["eta_minutes"].(float64); eta <= 5 || eta > 20 {
		t.Errorf("ETA at the 20-minute ring: %v minutes", eta)
	}
	// Every ETA is the distance left × the road factor / the recent speed.
	approaches := 0
	for _, m := range analytics {
		p, _ := m["properties"].(map[string]any)
		if m["event"] != "Vehicle Approaching" {
			continue
		}
		approaches++
		eta, _ := p["eta_minutes"].(float64)
		dist, _ := p["distance_m"].(float64)
		speed, _ := p["speed_mps"].(float64)
		if want := dist * vehicle.DefaultRoadFactor / speed / 60; speed <= 0 || math.Abs(eta-want) > 0.03*want+0.1 {
			t.Errorf("eta_minutes %v, want about %.2f (distance %v m, speed %v m/s)", eta, want, dist, speed)
		}
	}
	if approaches != 4 {
		t.Errorf("%d Vehicle Approaching events, want 4 (two drives, two rings each)", approaches)
	}
	for _, name := range []string{"analytics", "marketing"} {
		if n := count(read(name), "Pickup Prepare Requested", ""); n != 0 {
			t.Errorf("%s received %d pickup requests addressed to the staff", name, n)
		}
	}
	report := out.String()
	for _, want := range []string{
		"activation: Offer Triggered boot-1207 -> marketing  because trigger Zone Entered",
		": related_without_consent: the wish was made before",
		"activation: entered frequent_visitor",
		"activation: exited frequent_visitor -> analytics  (consent_revoked",
		"activation: Pickup Prepare Requested web-77120 -> store-staff  because trigger Vehicle Approaching",
		": no_related_event: no click-and-collect order for this store",
		"Mia and Leo the same profile: false; why not: household_scope",
		"the washer's serial alone resolves to Olga's profile: true",
		"activation: Offer Triggered dress-3301 -> stylist  because trigger Virtual Try-On Completed",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// Advertising: only the household's media sessions (its TV plan is
	// ad-supported); never presence at home, never Nora's try-on though
	// she consented to advertising too.
	for _, m := range ads {
		if c := category(m); c != "behavioral" && c != "transaction" {
			t.Errorf("advertising received %s data: %v", c, m)
		}
		if m["event"] != "Media Session Started" && m["event"] != "Media Session Ended" {
			t.Errorf("advertising received %v", m["event"])
		}
	}
	if count(ads, "Media Session Started", "") != 1 {
		t.Errorf("advertising did not receive the household's media session")
	}
	if count(analytics, "Presence Changed", "") != 1 {
		t.Errorf("analytics did not receive the household's presence (it has location consent)")
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

// TestStorefrontAttention: the try-ons are biometric data under the
// attention purpose. Nora (attention and advertising consent) reaches the
// stylist only, whose offer to order the dress follows; Ana (no attention
// consent) reaches nobody and gets no offer. No advertising destination
// ever receives a biometric event.
func TestStorefrontAttention(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(&out, 42, dir); err != nil {
		t.Fatal(err)
	}
	var tryOns, offers int
	for _, name := range []string{"analytics", "marketing", "wellness", "advertising", "store-staff", "stylist"} {
		for _, m := range readNDJSON(t, filepath.Join(dir, name+".ndjson")) {
			c, _ := m["context"].(map[string]any)
			if c["dataCategory"] == "biometric" {
				if name != "stylist" {
					t.Errorf("%s received biometric data: %v", name, m)
				}
				if m["userId"] != "nora" {
					t.Errorf("a try-on without attention consent was delivered: %v", m)
				}
				tryOns++
			}
			if p, _ := m["properties"].(map[string]any); m["event"] == "Offer Triggered" && p["product_id"] == "dress-3301" {
				if name != "stylist" {
					t.Errorf("the try-on offer reached %s", name)
				}
				offers++
			}
		}
	}
	if tryOns != 2 || offers != 1 {
		t.Errorf("stylist: %d try-on events and %d offers, want 2 and 1", tryOns, offers)
	}
	if !strings.Contains(out.String(), "Virtual Try-On Completed dress-3301    -> stylist  refused: marketing (sensitive_to_adtech), advertising (sensitive_to_adtech)") {
		t.Errorf("the report does not show the advertising refusal of Nora's try-on")
	}
	if !strings.Contains(out.String(), "refused tryon_offer on ") {
		t.Errorf("Ana's try-on without attention consent was not refused by the journey")
	}
}

// TestStorefrontNoClearIdentifiers: the VIN, the Home Assistant instance
// and user ids, the washer's serial, the loyalty number, card
// fingerprints and customer ids never reach a destination file or the
// identity facts in the clear.
func TestStorefrontNoClearIdentifiers(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(&out, 42, dir); err != nil {
		t.Fatal(err)
	}
	secrets := []string{carVIN, haInstance, "3c1d7e0a9b2f4c6d", "7e5a0c2b4d6f48a1", "W9-2207-0415", "W92207", "M-20417",
		"sq-1-Lm3bQ", "Qm8TzR3vYk2LwN5c", "JDKYHBWT1D4F8MFH63DBMEN8Y4", "cus_SbT4nQ8wRk2LzY", "pm_1RzPq9LkdIwHu7ixWq2Er7Ty",
		"tech-0042", "ios-4b7d21", "A Film", "media_player.living_room_tv", "person.mia"}
	files, err := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	if err != nil || len(files) < 7 {
		t.Fatalf("destination files %v, %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q in the clear", filepath.Base(f), s)
			}
		}
	}
}

func readNDJSON(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var msgs []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		msgs = append(msgs, m)
	}
	return msgs
}
