package mqtttransport

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// FuzzParseTopic checks the topic template parser: it never panics;
// errors are *TemplateError with an offset inside the template, matching
// one of the sentinels; an accepted template expands, for valid records,
// to a publishable topic name that the filter "#" matches and that is a
// valid filter matching itself; a template without '{' expands to itself.
func FuzzParseTopic(f *testing.F) {
	for _, s := range []string{DefaultTopic, "a", "a/b/c", "t/{partitionkey}", "x-{category}-{type}/ü", "/",
		"a/+", "a/#", "$SYS/x", "{user}", "{type", "type}", "\xff", "a\x00", "{category}{type}{partitionkey}"} {
		f.Add(s)
	}
	recs := []*connected.Record{
		{ID: "m", Type: connected.TypeTrack, Time: time.Unix(0, 0)},
		{ID: "m", Type: connected.TypeAlias, Category: connected.CategoryHealth, PartitionKey: "00ff", Time: time.Unix(0, 0)},
	}
	f.Fuzz(func(t *testing.T, tmpl string) {
		tp, err := parseTopic(tmpl)
		if err != nil {
			var te *TemplateError
			if !errors.As(err, &te) || te.Offset < 0 || te.Offset > len(tmpl) || te.Template != tmpl {
				t.Fatalf("error %v: want a *TemplateError with an offset in [0, %d]", err, len(tmpl))
			}
			if !errors.Is(err, ErrInvalidTopic) && !errors.Is(err, ErrUnknownPlaceholder) {
				t.Fatalf("error %v matches no sentinel", err)
			}
			return
		}
		for _, r := range recs {
			topic := tp.Expand(r)
			if topic == "" || strings.ContainsAny(topic, "+#\x00{}") || topic[0] == '$' {
				t.Fatalf("template %q expands to unpublishable %q", tmpl, topic)
			}
			if !matchFilter("#", topic) || ValidateFilter(topic) != nil || !matchFilter(topic, topic) {
				t.Fatalf("topic %q: '#' or itself as a filter does not match it", topic)
			}
			if !strings.Contains(tmpl, "{") && topic != tmpl {
				t.Fatalf("template %q without placeholders expands to %q", tmpl, topic)
			}
		}
	})
}

// FuzzValidateFilter checks the filter validator and matcher: no panic;
// errors are *FilterError with an offset inside the filter; a valid filter
// without wildcards or share prefix matches exactly itself; replacing a
// level of a topic with '+' keeps the match.
func FuzzValidateFilter(f *testing.F) {
	for _, s := range []string{"a", "#", "+", "a/+/c", "a/#", "$share/g/a/#", "$SYS/#", "a//b",
		"", "a#", "a/#/b", "a+/b", "$share/g", "a/\xff"} {
		f.Add(s, "a/b/c")
	}
	f.Fuzz(func(t *testing.T, filter, topic string) {
		err := ValidateFilter(filter)
		if err != nil {
			var fe *FilterError
			if !errors.As(err, &fe) || fe.Offset < 0 || fe.Offset > len(filter) || !errors.Is(err, ErrInvalidFilter) {
				t.Fatalf("error %v: want a *FilterError with an offset in [0, %d]", err, len(filter))
			}
			return
		}
		_ = matchFilter(filter, topic) // must not panic on any topic
		if !strings.ContainsAny(filter, "+#") && !strings.HasPrefix(filter, "$share/") {
			if !matchFilter(filter, filter) {
				t.Fatalf("literal filter %q does not match itself", filter)
			}
		}
		if ValidateFilter(topic) == nil && !strings.ContainsAny(topic, "+#") && topic != "" && topic[0] != '$' {
			levels := strings.Split(topic, "/")
			for i := range levels {
				wild := append([]string(nil), levels...)
				wild[i] = "+"
				if !matchFilter(strings.Join(wild, "/"), topic) {
					t.Fatalf("topic %q does not match with level %d as '+'", topic, i)
				}
			}
		}
	})
}
