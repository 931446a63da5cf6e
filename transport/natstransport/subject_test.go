package natstransport

import (
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

func TestSubjectExpand(t *testing.T) {
	r := &connected.Record{ID: "m", Type: connected.TypeIdentify, Category: connected.CategoryHealth, PartitionKey: "ab12", Time: time.Unix(0, 0)}
	noKey := &connected.Record{ID: "m", Type: connected.TypeTrack, Time: time.Unix(0, 0)}
	for _, tc := range []struct{ tmpl, want, wantNoKey string }{
		{DefaultSubject, "touchpoint.events.health.identify", "touchpoint.events.behavioral.track"},
		{"fixed.subject", "fixed.subject", "fixed.subject"},
		{"t.{partitionkey}", "t.ab12", "t._"},
		{"x-{category}-{type}.ü", "x-health-identify.ü", "x-behavioral-track.ü"},
		{"{type}", "identify", "track"},
	} {
		s, err := parseSubject(tc.tmpl)
		if err != nil {
			t.Fatalf("parseSubject(%q): %v", tc.tmpl, err)
		}
		if got := s.Expand(r); got != tc.want {
			t.Errorf("%q expands to %q, want %q", tc.tmpl, got, tc.want)
		}
		if got := s.Expand(noKey); got != tc.wantNoKey {
			t.Errorf("%q expands to %q for a keyless record, want %q", tc.tmpl, got, tc.wantNoKey)
		}
	}
}

func TestParseSubjectErrors(t *testing.T) {
	for _, tc := range []struct {
		tmpl   string
		offset int
		is     error
	}{
		{"", 0, ErrInvalidSubject},
		{"a..b", 2, ErrInvalidSubject},
		{".a", 0, ErrInvalidSubject},
		{"a.", 2, ErrInvalidSubject},
		{"a.*", 2, ErrInvalidSubject},
		{"a.>", 2, ErrInvalidSubject},
		{"a b", 1, ErrInvalidSubject},
		{"a\x00", 1, ErrInvalidSubject},
		{"a.\xff", 2, ErrInvalidSubject},
		{"a.{user}", 2, ErrUnknownPlaceholder},
		{"a.{type", 2, ErrUnknownPlaceholder},
		{"a.type}", 6, ErrUnknownPlaceholder},
		{"{Type}", 0, ErrUnknownPlaceholder},
	} {
		err := ParseSubject(tc.tmpl)
		var te *TemplateError
		if !errors.As(err, &te) || te.Offset != tc.offset || !errors.Is(err, tc.is) || te.Template != tc.tmpl {
			t.Errorf("ParseSubject(%q) = %v; want a TemplateError at offset %d matching %v", tc.tmpl, err, tc.offset, tc.is)
		}
	}
}
