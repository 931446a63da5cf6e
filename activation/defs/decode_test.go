package defs

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestDecodeStore(t *testing.T) {
	data, err := os.ReadFile("testdata/store.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Traits) != 5 || len(s.Audiences) != 2 || len(s.Journeys) != 3 {
		t.Fatalf("got %d traits, %d audiences, %d journeys", len(s.Traits), len(s.Audiences), len(s.Journeys))
	}
	if s.Journeys[2].Wait.For.D() != 2*time.Hour || s.Traits[0].Within.D() != 30*24*time.Hour {
		t.Errorf("durations: %v %v", s.Journeys[2].Wait.For, s.Traits[0].Within)
	}
	// Encode round-trips.
	out, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Decode(out)
	if err != nil {
		t.Fatalf("re-decode: %v\n%s", err, out)
	}
	a, _ := json.Marshal(s)
	b, _ := json.Marshal(s2)
	if string(a) != string(b) {
		t.Errorf("round trip differs:\n%s\n%s", a, b)
	}
}

func TestDecodeErrors(t *testing.T) {
	base := func(j string) string { return `{"version":1,` + j + `}` }
	cases := []struct {
		name, in       string
		sentinel       error
		kind, key, fld string
	}{
		{"no version", `{}`, ErrRequired, "file", "", "version"},
		{"version 2", `{"version":2}`, ErrVersion, "file", "", "version"},
		{"syntax", `{"version":1,`, ErrSyntax, "file", "", ""},
		{"typo", base(`"audiences":[{"key":"a","wher":{}}]`), ErrUnknownField, "audience", "a", "wher"},
		{"bad kind", base(`"traits":[{"key":"t","kind":"median","event":"X"}]`), ErrInvalid, "trait", "t", "kind"},
		{"missing event", base(`"traits":[{"key":"t","kind":"count"}]`), ErrRequired, "trait", "t", "event"},
		{"bad path", base(`"traits":[{"key":"t","kind":"sum","event":"X","property":"props.x"}]`), ErrInvalid, "trait", "t", "property"},
		{"dup", base(`"traits":[{"key":"t","kind":"count","event":"X"},{"key":"t","kind":"count","event":"Y"}]`), ErrDuplicate, "trait", "t", "key"},
		{"unknown audience", base(`"audiences":[{"key":"a","where":{"audience":"b"}}]`), ErrReference, "audience", "a", "where.audience"},
		{"cycle", base(`"audiences":[{"key":"a","where":{"audience":"b"}},{"key":"b","where":{"not":{"audience":"a"}}}]`), ErrReference, "audience", "a", "where"},
		{"two members", base(`"audiences":[{"key":"a","where":{"audience":"a","trait":{"key":"x","op":"exists"}}}]`), ErrInvalid, "audience", "a", "where"},
		{"bad op", base(`"audiences":[{"key":"a","where":{"event":{"event":"X","where":[{"path":"properties.x","op":"like","value":"y"}]}}}]`), ErrInvalid, "audience", "a", "where.event.where[0].op"},
		{"bad duration", base(`"traits":[{"key":"t","kind":"count","event":"X","within":"1w"}]`), ErrInvalid, "trait", "t", ""},
		{"no action", base(`"journeys":[{"key":"j","trigger":{"event":"X"},"action":{}}]`), ErrRequired, "journey", "j", "action"},
		{"bad tz", base(`"journeys":[{"key":"j","trigger":{"event":"X"},"action":{"emit":"Y"},"quiet_hours":{"start":"22:00","end":"07:00","timezone":"Mars/Olympus"}}]`), ErrInvalid, "journey", "j", "quiet_hours.timezone"},
		{"related ref", base(`"journeys":[{"key":"j","trigger":{"event":"X"},"action":{"emit":"Y","properties":{"p":"$related.properties.x"}}}]`), ErrReference, "journey", "j", "action.properties.p"},
		{"holdout", base(`"journeys":[{"key":"j","trigger":{"event":"X"},"action":{"emit":"Y"},"holdout":101}]`), ErrInvalid, "journey", "j", "holdout"},
		{"type", base(`"journeys":[{"key":"j","trigger":{"event":7},"action":{"emit":"Y"}}]`), ErrInvalid, "journey", "j", "trigger.event"},
		{"no key", base(`"audiences":[{"where":{"audience":"x"}}]`), ErrRequired, "audience", "#0", "key"},
		{"typo in the file", base(`"jouneys":[]`), ErrUnknownField, "file", "", "jouneys"},
		{"typo in a trigger", base(`"journeys":[{"key":"j","trigger":{"evnt":"X"},"action":{"emit":"Y"}}]`), ErrUnknownField, "journey", "j", "trigger.evnt"},
		{"typo deep in a condition", base(`"audiences":[{"key":"a","where":{"all":[{"audience":"b"},{"event":{"event":"X","withn":"2d"}}]}}]`), ErrUnknownField, "audience", "a", "where.all[1].event.withn"},
		{"typo in a predicate", base(`"journeys":[{"key":"j","trigger":{"event":"X","where":[{"path":"properties.x","op":"eq","valeu":1}]},"action":{"emit":"Y"}}]`), ErrUnknownField, "journey", "j", "trigger.where[0].valeu"},
		{"typo under a key of another case", base(`"journeys":[{"key":"j","Trigger":{"evnt":"X"},"action":{"emit":"Y"}}]`), ErrUnknownField, "journey", "j", "Trigger.evnt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Decode([]byte(c.in))
			if s != nil {
				t.Errorf("partial value %+v", s)
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, c.sentinel) {
				t.Fatalf("err = %v, want an *Error matching %v", err, c.sentinel)
			}
			if e.Kind != c.kind || e.Key != c.key || e.Field != c.fld {
				t.Errorf("got kind %q key %q field %q, want %q %q %q (%v)", e.Kind, e.Key, e.Field, c.kind, c.key, c.fld, err)
			}
		})
	}
}

func TestSchemaCoversFields(t *testing.T) {
	var v map[string]any
	if err := json.Unmarshal(Schema, &v); err != nil {
		t.Fatalf("schema.json is not JSON: %v", err)
	}
	// Every JSON member name of the Go types appears in the schema.
	for _, name := range []string{"traits", "audiences", "journeys", "within", "limit", "purpose", "presence", "min_dwell",
		"aggregate", "related", "match", "wait", "unless", "action", "destination", "handler", "cap", "per",
		"quiet_hours", "timezone", "reentry", "after", "exit", "holdout", "when"} {
		if !strings.Contains(string(Schema), `"`+name+`"`) {
			t.Errorf("schema.json does not mention %q", name)
		}
	}
}
