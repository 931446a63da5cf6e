package natstransport

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

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
			subj := s.Expand(r)
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

// FuzzParseAck checks the reader of JetStream's publish answers: it never
// panics; it returns either an acknowledgement or one of the documented
// error kinds; an acknowledgement is exactly a JSON object with a
// non-empty stream and no error, and dup is only ever set on one.
func FuzzParseAck(f *testing.F) {
	for _, s := range []string{
		`{"stream":"S","seq":7}`, `{"stream":"S", "seq":7,"duplicate": true}`,
		`{"error":{"code":400,"err_code":10054,"description":"message size exceeds maximum allowed"},"stream":"S","seq":0}`,
		`{"error":{"code":503,"description":"no leader"}}`, `{"seq":1}`, `{"stream":""}`, ``, `null`, `[]`, `{`,
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte(nil), true)
	f.Fuzz(func(t *testing.T, data []byte, noResponders bool) {
		m := &nats.Msg{Data: data}
		if noResponders {
			m.Header = nats.Header{"Status": []string{"503"}}
		}
		dup, err := parseAck(m)
		var api *jetstream.APIError
		switch {
		case err == nil:
			var a pubAck
			if json.Unmarshal(data, &a) != nil || a.Stream == "" || a.Error != nil || dup != a.Duplicate {
				t.Fatalf("accepted %q, which is not a PubAck (dup %v)", data, dup)
			}
		case dup:
			t.Fatalf("duplicate reported with error %v", err)
		case errors.As(err, &api):
			if !retryable(err) && api.Code >= 500 {
				t.Fatalf("API error %d classified permanent", api.Code)
			}
		case errors.Is(err, jetstream.ErrNoStreamResponse):
			if len(data) != 0 || !noResponders {
				t.Fatalf("no-responders reported for %q", data)
			}
		case errors.Is(err, jetstream.ErrInvalidJSAck):
		default:
			t.Fatalf("undocumented error %v", err)
		}
	})
}
