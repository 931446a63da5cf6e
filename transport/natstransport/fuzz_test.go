package natstransport

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// FuzzParseSubject checks the subject template parser: it never panics;
// errors are *TemplateError with an offset inside the template, matching one
// of the two sentinels; an accepted template expands, for any valid record,
// to a publishable subject (no empty token, no wildcard, no whitespace),
// and a template without '{' expands to itself.
func FuzzParseSubject(f *testing.F) {
	for _, s := range []string{DefaultSubject, "a", "a.b.c", "t.{partitionkey}", "x-{category}-{type}.ü",
		"a..b", "a.*", "a.>", "{user}", "{type", "type}", "a b", "\xff", ".", "{category}{type}{partitionkey}"} {
		f.Add(s)
	}
	recs := []*connected.Record{
		{ID: "m", Type: connected.TypeTrack, Time: time.Unix(0, 0)},
		{ID: "m", Type: connected.TypeAlias, Category: connected.CategoryHealth, PartitionKey: "00ff", Time: time.Unix(0, 0)},
	}
	f.Fuzz(func(t *testing.T, tmpl string) {
		s, err := parseSubject(tmpl)
		if err != nil {
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("error %v is not a *TemplateError", err)
			}
			if te.Offset < 0 || te.Offset > len(tmpl) || te.Template != tmpl {
				t.Fatalf("offset %d outside template of %d bytes", te.Offset, len(tmpl))
			}
			if !errors.Is(err, ErrInvalidSubject) && !errors.Is(err, ErrUnknownPlaceholder) {
				t.Fatalf("error %v matches no sentinel", err)
			}
			return
		}
		for _, r := range recs {
			subj := s.expand(r)
			if subj == "" || strings.HasPrefix(subj, ".") || strings.HasSuffix(subj, ".") || strings.Contains(subj, "..") ||
				strings.ContainsAny(subj, "*> \t\r\n{}") {
				t.Fatalf("template %q expands to unpublishable subject %q", tmpl, subj)
			}
			if !strings.Contains(tmpl, "{") && subj != tmpl {
				t.Fatalf("template %q without placeholders expands to %q", tmpl, subj)
			}
		}
	})
}
