package brokersend

import (
	"errors"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// The two grammars the senders use, as they declare them.
var (
	natsGrammar = Grammar{Sep: '.', Level: "token", Wildcards: "*>", Control: true}
	mqttGrammar = Grammar{Sep: '/', Level: "level", Wildcards: "+#", EmptyLevels: true,
		Reserved: '$', ReservedWhy: "reserved", MaxBytes: 65535}
)

func TestParseExpand(t *testing.T) {
	r := &connected.Record{Category: connected.CategoryLocation, Type: connected.TypeTrack, PartitionKey: "ab12"}
	noKey := &connected.Record{Type: connected.TypeIdentify}
	for _, tc := range []struct {
		g               *Grammar
		tmpl, want, nok string
	}{
		{&natsGrammar, "touchpoint.events.{category}.{type}", "touchpoint.events.location.track", "touchpoint.events.behavioral.identify"},
		{&natsGrammar, "p.{partitionkey}", "p.ab12", "p._"},
		{&natsGrammar, "x-{type}-y.z", "x-track-y.z", "x-identify-y.z"},
		{&natsGrammar, "fixed.subject", "fixed.subject", "fixed.subject"},
		{&mqttGrammar, "touchpoint/{category}/{type}", "touchpoint/location/track", "touchpoint/behavioral/identify"},
		{&mqttGrammar, "a//{partitionkey}/", "a//ab12/", "a//_/"},
		{&mqttGrammar, "ünï côdé/{type}", "ünï côdé/track", "ünï côdé/identify"},
	} {
		tp, err := tc.g.Parse(tc.tmpl)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.tmpl, err)
		}
		if got := tp.Expand(r); got != tc.want {
			t.Errorf("Expand(%q) = %q, want %q", tc.tmpl, got, tc.want)
		}
		if got := tp.Expand(noKey); got != tc.nok {
			t.Errorf("Expand(%q) without key = %q, want %q", tc.tmpl, got, tc.nok)
		}
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("a", 65536)
	for _, tc := range []struct {
		g      *Grammar
		tmpl   string
		offset int
		ph     bool
		msg    string
	}{
		{&natsGrammar, "", 0, false, "empty"},
		{&natsGrammar, "a..b", 2, false, "empty token"},
		{&natsGrammar, ".a", 0, false, "empty token"},
		{&natsGrammar, "a.", 2, false, "empty token"},
		{&natsGrammar, "a.*", 2, false, "wildcard '*'"},
		{&natsGrammar, "a.b>", 3, false, "wildcard '>'"},
		{&natsGrammar, "a b", 1, false, "whitespace or control byte 0x20"},
		{&natsGrammar, "a\x00", 1, false, "control byte 0x00"},
		{&natsGrammar, "a.\xff", 2, false, "invalid UTF-8"},
		{&natsGrammar, "a.{nope}", 2, true, `"{nope}"`},
		{&natsGrammar, "a.{type", 2, true, "'{' without '}'"},
		{&natsGrammar, "a.type}", 6, true, "'}' without '{'"},
		{&mqttGrammar, "$SYS/x", 0, false, "reserved"},
		{&mqttGrammar, "a/+/b", 2, false, "wildcard '+'"},
		{&mqttGrammar, "a/#", 2, false, "wildcard '#'"},
		{&mqttGrammar, "a\x00b", 1, false, "NUL byte"},
		{&mqttGrammar, long, 65535, false, "longer than 65535 bytes"},
		{&mqttGrammar, "{category}/{bad}", 11, true, `"{bad}"`},
	} {
		_, err := tc.g.Parse(tc.tmpl)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%.20q) = %v, want a *SyntaxError", tc.tmpl, err)
			continue
		}
		if se.Offset != tc.offset || se.Placeholder != tc.ph || !strings.Contains(se.Msg, tc.msg) {
			t.Errorf("Parse(%.20q) = %+v, want offset %d placeholder %v message containing %q", tc.tmpl, se, tc.offset, tc.ph, tc.msg)
		}
	}
	// Whitespace is a name character in MQTT, not in NATS.
	if _, err := mqttGrammar.Parse("a b/c"); err != nil {
		t.Errorf("MQTT Parse(\"a b/c\"): %v", err)
	}
}

func TestFits(t *testing.T) {
	nats, _ := natsGrammar.Parse("a.{type}")
	mqtt, _ := mqttGrammar.Parse("a/{type}")
	for _, tc := range []struct {
		r              connected.Record
		natsOK, mqttOK bool
	}{
		{connected.Record{Type: connected.TypeTrack, PartitionKey: "ab"}, true, true},
		{connected.Record{Type: connected.TypeTrack, PartitionKey: "a.b"}, false, true},
		{connected.Record{Type: connected.TypeTrack, PartitionKey: "a/b"}, true, false},
		{connected.Record{Type: connected.TypeTrack, PartitionKey: "a b"}, false, true},
		{connected.Record{Type: "tr+ck"}, true, false},
		{connected.Record{Type: "tr*ck"}, false, true},
		{connected.Record{Category: "x\x00"}, false, false},
		{connected.Record{Type: ""}, false, false},   // a placeholder is a non-empty token
		{connected.Record{Type: "$SYS"}, true, true}, // not first in "a.{type}"

		{connected.Record{Category: "\xff"}, false, false},
	} {
		if got := nats.Fits(&tc.r); got != tc.natsOK {
			t.Errorf("NATS Fits(%+v) = %v, want %v", tc.r, got, tc.natsOK)
		}
		if got := mqtt.Fits(&tc.r); got != tc.mqttOK {
			t.Errorf("MQTT Fits(%+v) = %v, want %v", tc.r, got, tc.mqttOK)
		}
	}
	// A name may not start with MQTT's reserved '$', whichever value puts
	// it there (the template itself may not start with it either).
	for _, tc := range []struct {
		tmpl string
		r    connected.Record
		ok   bool
	}{
		{"{category}", connected.Record{Category: "$", Type: connected.TypeTrack}, false},
		{"{type}/x", connected.Record{Type: "$SYS"}, false},
		{"{partitionkey}{type}", connected.Record{Type: "$x"}, true}, // "_$x"
		{"{category}{type}", connected.Record{Category: "location", Type: "$x"}, true},
		{"{type}", connected.Record{Type: connected.TypeTrack}, true},
	} {
		tp, err := mqttGrammar.Parse(tc.tmpl)
		if err != nil {
			t.Fatal(err)
		}
		if got := tp.Fits(&tc.r); got != tc.ok {
			t.Errorf("MQTT %q Fits(%+v) = %v, want %v", tc.tmpl, tc.r, got, tc.ok)
		}
	}
}

// A template that parses, expanded for a record that fits, is a name the
// grammar accepts with no placeholder left.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"touchpoint.events.{category}.{type}", "p.{partitionkey}", "a..b", "x.{nope}", "$SYS/{type}",
		"touchpoint/{category}/{type}", "a//b", "{type}{category}", "a.{type"} {
		f.Add(s, "location", "ab12", true)
		f.Add(s, "be havioral", "k.k/k", false)
	}
	f.Fuzz(func(t *testing.T, tmpl, cat, key string, nats bool) {
		g := &mqttGrammar
		if nats {
			g = &natsGrammar
		}
		tp, err := g.Parse(tmpl)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(tmpl) {
				t.Fatalf("Parse(%q): %v", tmpl, err)
			}
			return
		}
		r := &connected.Record{Category: connected.Category(cat), Type: connected.TypeTrack, PartitionKey: key}
		if !tp.Fits(r) {
			return
		}
		name := tp.Expand(r)
		if strings.ContainsAny(name, "{}") && !strings.ContainsAny(cat+key, "{}") {
			t.Fatalf("Expand(%q) = %q: a placeholder is left", tmpl, name)
		}
		if strings.ContainsAny(cat+key, "{}") {
			return // a value with braces reads as a placeholder when parsed again
		}
		if g.MaxBytes > 0 && len(name) > g.MaxBytes {
			return
		}
		if _, err := g.Parse(name); err != nil {
			t.Fatalf("Expand(%q) = %q, which the grammar refuses: %v", tmpl, name, err)
		}
	})
}
