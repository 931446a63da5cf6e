package mqtttransport

import (
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

func TestTopicExpand(t *testing.T) {
	r := &connected.Record{ID: "m", Type: connected.TypeIdentify, Category: connected.CategoryHealth, PartitionKey: "ab12", Time: time.Unix(0, 0)}
	noKey := &connected.Record{ID: "m", Type: connected.TypeTrack, Time: time.Unix(0, 0)}
	for _, tc := range []struct{ tmpl, want, wantNoKey string }{
		{DefaultTopic, "touchpoint/health/identify", "touchpoint/behavioral/track"},
		{"fixed/topic", "fixed/topic", "fixed/topic"},
		{"t/{partitionkey}", "t/ab12", "t/_"},
		{"x-{category}-{type}/ü", "x-health-identify/ü", "x-behavioral-track/ü"},
		{"/{type}/", "/identify/", "/track/"},
	} {
		tp, err := parseTopic(tc.tmpl)
		if err != nil {
			t.Fatalf("parseTopic(%q): %v", tc.tmpl, err)
		}
		if got := tp.Expand(r); got != tc.want {
			t.Errorf("%q expands to %q, want %q", tc.tmpl, got, tc.want)
		}
		if got := tp.Expand(noKey); got != tc.wantNoKey {
			t.Errorf("%q expands to %q for a keyless record, want %q", tc.tmpl, got, tc.wantNoKey)
		}
	}
}

func TestParseTopicErrors(t *testing.T) {
	for _, tc := range []struct {
		tmpl   string
		offset int
		is     error
	}{
		{"", 0, ErrInvalidTopic},
		{"$SYS/x", 0, ErrInvalidTopic},
		{"a/+", 2, ErrInvalidTopic},
		{"a/#", 2, ErrInvalidTopic},
		{"a\x00", 1, ErrInvalidTopic},
		{"a/\xff", 2, ErrInvalidTopic},
		{"a/{user}", 2, ErrUnknownPlaceholder},
		{"a/{type", 2, ErrUnknownPlaceholder},
		{"a/type}", 6, ErrUnknownPlaceholder},
	} {
		err := ParseTopic(tc.tmpl)
		var te *TemplateError
		if !errors.As(err, &te) || te.Offset != tc.offset || !errors.Is(err, tc.is) {
			t.Errorf("ParseTopic(%q) = %v; want a TemplateError at offset %d matching %v", tc.tmpl, err, tc.offset, tc.is)
		}
	}
}

func TestValidateFilter(t *testing.T) {
	for _, ok := range []string{"a", "#", "+", "a/+/c", "a/#", "+/+/#", "/", "$share/g/a/#", "$SYS/#", "a//b"} {
		if err := ValidateFilter(ok); err != nil {
			t.Errorf("ValidateFilter(%q): %v", ok, err)
		}
	}
	for _, tc := range []struct {
		filter string
		offset int
	}{
		{"", 0}, {"a#", 1}, {"a/#/b", 2}, {"a+/b", 1}, {"a/b+", 3}, {"a\x00", 1}, {"a/\xff", 2},
		{"$share/", 7}, {"$share/g", 7}, {"$share/g/", 9}, {"$share/g+/a", 8},
	} {
		err := ValidateFilter(tc.filter)
		var fe *FilterError
		if !errors.As(err, &fe) || fe.Offset != tc.offset || !errors.Is(err, ErrInvalidFilter) {
			t.Errorf("ValidateFilter(%q) = %v; want a FilterError at offset %d", tc.filter, err, tc.offset)
		}
	}
}

func TestMatchFilter(t *testing.T) {
	for _, tc := range []struct {
		filter, topic string
		want          bool
	}{
		{"a/b", "a/b", true},
		{"a/b", "a/c", false},
		{"a/+", "a/b", true},
		{"a/+", "a/b/c", false},
		{"a/+", "a", false},
		{"a/#", "a", true},
		{"a/#", "a/b/c", true},
		{"#", "a/b", true},
		{"+/+", "/x", true},
		{"+", "", true},
		{"#", "$SYS/x", false},
		{"+/x", "$SYS/x", false},
		{"$SYS/#", "$SYS/x", true},
		{"$share/g/a/+", "a/b", true},
		{"$share/g/a/+", "b/b", false},
		{"a/b/c", "a/b", false},
	} {
		if got := matchFilter(tc.filter, tc.topic); got != tc.want {
			t.Errorf("matchFilter(%q, %q) = %v, want %v", tc.filter, tc.topic, got, tc.want)
		}
	}
}
