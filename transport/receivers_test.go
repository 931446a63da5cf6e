package transport_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// CloudEvents receivers do not decode Content-Encoding: the sender's
// default is identity, gzip only when asked.
func TestCloudEventsIdentityEncodingByDefault(t *testing.T) {
	ce := connected.CloudEventsOptions{Source: "urn:touchpoint:test"}
	for _, c := range []struct {
		name string
		opts []transport.HTTPOption
		gzip bool
	}{
		{"default", nil, false},
		{"asked", []transport.HTTPOption{transport.WithGzip(true)}, true},
		{"asked then undone", []transport.HTTPOption{transport.WithGzip(true), transport.WithGzip(false)}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got http.Header
			cap := &capture{}
			srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Clone()
				cap.ServeHTTP(w, r)
			}))
			h, err := transport.NewCloudEvents(srv.URL, ce, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = h.Shutdown(context.Background()) })
			if err := h.Send(t.Context(), recs(2)); err != nil {
				t.Fatal(err)
			}
			raw := cap.bodies[0]
			if enc := got.Get("Content-Encoding"); (enc == "gzip") != c.gzip || (!c.gzip && enc != "") {
				t.Fatalf("Content-Encoding %q, want gzip=%v", enc, c.gzip)
			}
			var events []map[string]any
			if err := json.Unmarshal(raw, &events); err != nil || len(events) != 2 {
				t.Fatalf("body is not a batch of 2 CloudEvents: %v %s", err, raw)
			}
		})
	}
	// Segment and RudderStack keep gzip on by default.
	for _, mk := range []func(string) (*transport.HTTP, error){
		func(u string) (*transport.HTTP, error) { return transport.NewSegment(u, "wk") },
		func(u string) (*transport.HTTP, error) { return transport.NewRudderStack(u, "wk") },
	} {
		var enc string
		cap := &capture{}
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			enc = r.Header.Get("Content-Encoding")
			cap.ServeHTTP(w, r)
		}))
		h, err := mk(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Send(t.Context(), recs(1)); err != nil {
			t.Fatal(err)
		}
		_ = h.Shutdown(context.Background())
		if enc != "gzip" {
			t.Fatalf("Segment/RudderStack Content-Encoding %q, want gzip", enc)
		}
	}
}

// skewReceiver computes each message's event time as the collector does
// (the documented rules, below), from a request received at receivedAt.
type skewReceiver func(t *testing.T, body []byte, receivedAt time.Time) []time.Time

func parseTime(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	if s == "" {
		return time.Time{}
	}
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return tm
}

// segmentReceiver: Segment's HTTP API takes the caller's time from each
// message's timestamp (stored as originalTimestamp) and sentAt from the
// batch, then sets timestamp = receivedAt - (sentAt - originalTimestamp);
// with no timestamp given, the event time is receivedAt.
func segmentReceiver(t *testing.T, body []byte, receivedAt time.Time) []time.Time {
	var b struct {
		Batch  []map[string]any `json:"batch"`
		SentAt string           `json:"sentAt"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatal(err)
	}
	sentAt := parseTime(t, b.SentAt)
	var out []time.Time
	for _, m := range b.Batch {
		ts := parseTime(t, m["timestamp"])
		switch {
		case ts.IsZero():
			out = append(out, receivedAt)
		case sentAt.IsZero():
			out = append(out, ts)
		default:
			out = append(out, receivedAt.Add(-sentAt.Sub(ts)))
		}
	}
	return out
}

// rudderReceiver: rudder-server reads originalTimestamp and sentAt from
// each message and sets timestamp = receivedAt - (sentAt -
// originalTimestamp); a message's own timestamp is kept as it is, and
// without both fields the event time is receivedAt.
func rudderReceiver(t *testing.T, body []byte, receivedAt time.Time) []time.Time {
	var b struct {
		Batch []map[string]any `json:"batch"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatal(err)
	}
	var out []time.Time
	for _, m := range b.Batch {
		if m["channel"] != "server" {
			t.Errorf("message without channel server: %v", m)
		}
		orig, sent, ts := parseTime(t, m["originalTimestamp"]), parseTime(t, m["sentAt"]), parseTime(t, m["timestamp"])
		switch {
		case !ts.IsZero():
			out = append(out, ts)
		case orig.IsZero() || sent.IsZero():
			out = append(out, receivedAt)
		default:
			out = append(out, receivedAt.Add(-sent.Sub(orig)))
		}
	}
	return out
}

// A gateway whose clock runs an hour fast spools an event and sends it two
// hours later: the collector must still date it when it happened.
func TestEventTimeSurvivesClockSkewAndSpooling(t *testing.T) {
	happened := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) // true time
	skew := time.Hour
	sentTrue := happened.Add(2 * time.Hour)
	r := rec(0, "")
	r.Time = happened.Add(skew) // the gateway's clock
	r.Payload = []byte(`{"type":"track","messageId":"id-000000","userId":"u","event":"Zone Entered","originalTimestamp":"` +
		r.Time.Format(connected.TimeLayout) + `","context":{"dataCategory":"location"}}`)
	for _, c := range []struct {
		name string
		mk   func(string, ...transport.HTTPOption) (*transport.HTTP, error)
		recv skewReceiver
	}{
		{"segment", func(u string, o ...transport.HTTPOption) (*transport.HTTP, error) {
			return transport.NewSegment(u, "wk", o...)
		}, segmentReceiver},
		{"rudderstack", func(u string, o ...transport.HTTPOption) (*transport.HTTP, error) {
			return transport.NewRudderStack(u, "wk", o...)
		}, rudderReceiver},
	} {
		t.Run(c.name, func(t *testing.T) {
			cap := &capture{}
			srv := newServer(t, cap)
			h, err := c.mk(srv.URL, transport.WithHTTPClock(func() time.Time { return sentTrue.Add(skew) }))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = h.Shutdown(context.Background()) })
			if err := h.Send(t.Context(), []*connected.Record{r}); err != nil {
				t.Fatal(err)
			}
			got := c.recv(t, cap.bodies[0], sentTrue.Add(150*time.Millisecond))
			if len(got) != 1 || got[0].Sub(happened).Abs() > time.Second {
				t.Fatalf("collector dates the event %v, it happened at %v\nbody: %s", got, happened, cap.bodies[0])
			}
		})
	}
}
