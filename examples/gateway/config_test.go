package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseFlagsDefaults(t *testing.T) {
	c, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Deliver != deliverFile || c.Broker != "mqtt://127.0.0.1:1883" || len(c.Topics) != 3 || c.SpoolDir != "" ||
		c.Place != "store-12" || c.Purpose != consent.PurposeAnalytics || !c.LinkOptIn {
		t.Errorf("defaults %+v", c)
	}
	if want := []connected.Category{"location", "device", "health", "identity"}; !equalCats(c.Categories, want) {
		t.Errorf("categories %v, want %v", c.Categories, want)
	}
	if len(c.Zones) != 3 || c.Zones[1].Name != "shoes" || c.Zones[1].Gateways[0] != "store12-gw-shoes" || c.Zones[1].Rooms[0] != "shoes" {
		t.Errorf("built-in zones %+v", c.Zones)
	}
	if !c.RandomSecret || len(c.Secret) != 32 || c.Consents != nil {
		t.Errorf("secret random=%v len=%d, consents %v", c.RandomSecret, len(c.Secret), c.Consents)
	}
	if c.maxExitTimeout() != 30*time.Second {
		t.Errorf("max exit timeout %v", c.maxExitTimeout())
	}
}

func equalCats(a, b []connected.Category) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseFlagsRefusesBadInput(t *testing.T) {
	short := writeFile(t, "short.key", "too short")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-deliver", "smtp"}, `-deliver "smtp"`},
		{[]string{"-deliver", "http", "-url", "http://x"}, "needs -url and -write-key"},
		{[]string{"-deliver", "kafka"}, "needs -brokers"},
		{[]string{"-deliver", "nats"}, "needs -nats"},
		{[]string{"-deliver", "file", "-out", ""}, "needs -out"},
		{[]string{"-categories", "location,gossip"}, `unknown data category "gossip"`},
		{[]string{"-categories", ","}, "-categories is empty"},
		{[]string{"-purpose", "Ads!"}, "not a consent purpose"},
		{[]string{"-link-consent", "maybe"}, "want opt-in or opt-out"},
		{[]string{"-topics", ""}, "-topics is empty"},
		{[]string{"-place", ""}, "-place is empty"},
		{[]string{"-wearable-idle", "0s"}, "must be > 0"},
		{[]string{"-secret-file", short}, "9 bytes: need at least 16"},
		{[]string{"-secret-file", filepath.Join(t.TempDir(), "missing")}, "no such file"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"-no-such-flag"}, "flag provided but not defined"},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseFlags(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}

func TestZonesFile(t *testing.T) {
	good := writeFile(t, "zones.json", `{"zones": [
		{"name": "shoes", "gateways": ["gw-1"], "beacons": ["ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7"], "exit_timeout": "45s"},
		{"name": "till", "rooms": ["till"], "enter_rssi": -70, "dwell": "1m", "min_hold": "2s"}]}`)
	c, err := parseFlags([]string{"-zones", good, "-place", "store-7"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Zones) != 2 || c.maxExitTimeout() != 45*time.Second {
		t.Fatalf("zones %+v, max exit %v", c.Zones, c.maxExitTimeout())
	}
	zs := trackerZones(c.Zones, c.Place)
	if zs[0].Place != "store-7" || !zs[0].Beacons[0].Matches(mustBeaconID(t, tagID)) || zs[1].Config.EnterRSSI != -70 ||
		zs[1].Config.Dwell != time.Minute || zs[1].Config.MinHold != 2*time.Second {
		t.Errorf("compiled zones %+v", zs)
	}
	if _, err := beacon.NewTracker(zs); err != nil {
		t.Errorf("the tracker refuses the zones: %v", err)
	}

	for _, tc := range []struct{ content, field, want string }{
		{`{"zones": [{"name": "a", "gateway": ["gw"]}]}`, "", `unknown field "gateway"`},
		{`{"zones": []}`, "zones", "no zones"},
		{`{"zones": [{"name": "a", "rooms": ["r"], "beacons": ["ibeacon:nope"]}]}`, "zones[0].beacons[0]", "beacon"},
		{`{"zones": [{"name": "a", "rooms": ["r"], "dwell": 60}]}`, "", "duration string"},
		{`{"zones": [{"name": "a", "rooms": ["r"]}]} {}`, "", "data after"},
	} {
		p := writeFile(t, "zones.json", tc.content)
		_, err := parseFlags([]string{"-zones", p}, io.Discard)
		var fe *fileError
		if !errors.As(err, &fe) || fe.Path != p || fe.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want a fileError for %s at %q containing %q", tc.content, err, p, tc.field, tc.want)
		}
	}
}

func TestConsentFile(t *testing.T) {
	c, err := parseFlags([]string{"-consent", "testdata/consent.json"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Consents) != 5 || c.Consents[1].Source != consent.SourceAppSetting || c.Consents[3].Source != consent.SourceStoreKiosk {
		t.Errorf("consents %+v", c.Consents)
	}
	for _, tc := range []struct{ content, field, want string }{
		{`{"consents": [{"granted": ["analytics"], "effective": "2020-01-01T00:00:00Z"}]}`, "consents[0].device", "empty"},
		{`{"consents": [{"device": "d", "granted": ["analytics"]}]}`, "consents[0].effective", "missing"},
		{`{"consents": [{"device": "d", "effective": "2020-01-01T00:00:00Z"}]}`, "consents[0].granted", "neither"},
		{`{"consents": [{"device": "d", "denied": ["Ads!"], "effective": "2020-01-01T00:00:00Z"}]}`, "consents[0].granted", "not a consent purpose"},
		{`{"consents": [{"device": "d", "granted": ["analytics"], "effective": "yesterday"}]}`, "", "cannot parse"},
	} {
		p := writeFile(t, "consent.json", tc.content)
		_, err := parseFlags([]string{"-consent", p}, io.Discard)
		var fe *fileError
		if !errors.As(err, &fe) || fe.Path != p || fe.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want a fileError at %q containing %q", tc.content, err, tc.field, tc.want)
		}
	}
}

// An invalid zone stops the gateway before it opens a sink.
func TestNewGatewayRefusesInvalidZones(t *testing.T) {
	out := filepath.Join(t.TempDir(), "events.ndjson")
	c, err := parseFlags([]string{"-out", out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c.Zones = append(c.Zones, zoneSpec{Name: "nowhere"})
	if _, err := newGateway(c); !errors.Is(err, beacon.ErrConfig) || !strings.Contains(err.Error(), "nowhere") {
		t.Fatalf("newGateway: %v, want beacon.ErrConfig naming the zone", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the sink file was created: %v", err)
	}
}

// A marketing sink that takes health data is refused by the consent gate's
// configuration check; the chain already built is shut down.
func TestNewGatewayRefusesHealthToMarketing(t *testing.T) {
	dir := t.TempDir()
	c, err := parseFlags([]string{"-purpose", "marketing", "-out", filepath.Join(dir, "events.ndjson"),
		"-spool", filepath.Join(dir, "spool")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newGateway(c); !errors.Is(err, consent.ErrHealthToAdTech) {
		t.Fatalf("newGateway: %v, want consent.ErrHealthToAdTech", err)
	}
	// The spool was closed: it opens again.
	c.Purpose = consent.PurposeAnalytics
	g, err := newGateway(c)
	if err != nil {
		t.Fatalf("second newGateway: %v", err)
	}
	if _, err := g.shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestMainExitCodes(t *testing.T) {
	var stderr bytes.Buffer
	if code := mainExit([]string{"-h"}, &stderr); code != 0 || !strings.Contains(stderr.String(), "-deliver") {
		t.Errorf("-h: exit %d, usage %q", code, stderr.String())
	}
	stderr.Reset()
	if code := mainExit([]string{"-deliver", "smtp"}, &stderr); code != 2 || !strings.Contains(stderr.String(), "gateway: -deliver") {
		t.Errorf("bad flag: exit %d, stderr %q", code, stderr.String())
	}
}

// With the broker unreachable, the gateway keeps trying until it is
// stopped; then run says it never ran, and closes what it had opened.
func TestRunStoppedBeforeBrokerReachable(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, "mqtt://127.0.0.1:1", "-out", filepath.Join(dir, "events.ndjson"), "-spool", filepath.Join(dir, "spool"))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := run(ctx, cfg); !errors.Is(err, errStopped) {
		t.Fatalf("run: %v, want errStopped", err)
	}
}

func TestStreamSubjects(t *testing.T) {
	for tmpl, want := range map[string]string{
		"touchpoint.events.{category}.{type}": "touchpoint.events.>",
		"tp.{category}":                       "tp.>",
		"fixed.subject":                       "fixed.subject",
		"{type}":                              ">",
	} {
		if got := streamSubjects(tmpl); got != want {
			t.Errorf("streamSubjects(%q) = %q, want %q", tmpl, got, want)
		}
	}
}
