package cloudeventsinterop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var ceOpts = connected.CloudEventsOptions{
	Source:     "urn:touchpoint:store:12:gateway:3",
	TypePrefix: "com.acme.omni",
	DataSchema: "https://touchpoint.dev/schemas/segment-message.json",
}

// records emits a few realistic events through a Client and returns their
// records.
func records(t *testing.T) []*connected.Record {
	t.Helper()
	rec := &connectedtest.Recorder{}
	c, err := connected.New(rec, connected.WithClock(func() time.Time { return t0 }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
	})
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Track(ctx, connected.Event{AnonymousID: "phone-5c1e", Event: connected.EventZoneEntered, Category: connected.CategoryLocation,
		Properties: connected.Properties{"zone": "shoes", "distance_m": 1.8},
		Context:    connected.Context{Channel: connected.ChannelStore, Location: connected.Location{PlaceID: "store-12", Zone: "shoes"}}}))
	must(c.Identify(ctx, connected.Event{UserID: "user-42", Traits: connected.Traits{"firstName": "Ana", "vip": true}}))
	must(c.Track(ctx, connected.Event{UserID: "user-42", Event: connected.EventOrderCompleted, Category: connected.CategoryTransaction,
		OriginalTimestamp: t0.Add(-90 * time.Minute), Properties: connected.Properties{"order_id": "ord-1001", "total": 159.9, "note": "caf\u00e9 \"quoted\""}}))
	return rec.Records()
}

// checkEvent compares an event the SDK parsed with the record it came from.
func checkEvent(t *testing.T, e *event.Event, r *connected.Record) {
	t.Helper()
	if err := e.Validate(); err != nil {
		t.Errorf("event %s does not validate in the SDK: %v", r.ID, err)
	}
	want := map[string]string{
		"specversion": "1.0", "id": r.ID, "source": ceOpts.Source, "type": "com.acme.omni." + string(r.Type),
		"datacontenttype": "application/json", "dataschema": ceOpts.DataSchema,
		"time": r.Time.UTC().Format(time.RFC3339Nano),
	}
	got := map[string]string{
		"specversion": e.SpecVersion(), "id": e.ID(), "source": e.Source(), "type": e.Type(),
		"datacontenttype": e.DataContentType(), "dataschema": e.DataSchema(),
		"time": e.Time().UTC().Format(time.RFC3339Nano),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("event %s: %s = %q, want %q", r.ID, k, got[k], v)
		}
	}
	ext := e.Extensions()
	if ext["datacategory"] != string(r.Category) || ext["partitionkey"] != r.PartitionKey {
		t.Errorf("event %s: extensions %v, want datacategory %s partitionkey %s", r.ID, ext, r.Category, r.PartitionKey)
	}
	var a, b any
	if err := json.Unmarshal(e.Data(), &a); err != nil {
		t.Fatalf("event %s: data is not JSON: %v", r.ID, err)
	}
	_ = json.Unmarshal(r.Payload, &b)
	ab, _ := json.Marshal(a)
	bb, _ := json.Marshal(b)
	if !bytes.Equal(ab, bb) {
		t.Errorf("event %s: data %s, want the payload %s", r.ID, e.Data(), r.Payload)
	}
}

// sdkReceiver is an HTTP endpoint that parses every request with the
// CloudEvents Go SDK, as a receiver built on it does, answering 400 with
// the SDK's error when it cannot.
type sdkReceiver struct {
	mu     sync.Mutex
	batch  bool
	events []event.Event
	errs   []error
	encs   []string
}

func (s *sdkReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var evs []event.Event
	var err error
	if s.batch {
		evs, err = cehttp.NewEventsFromHTTPRequest(r)
	} else {
		var e *event.Event
		if e, err = cehttp.NewEventFromHTTPRequest(r); err == nil {
			evs = []event.Event{*e}
		}
	}
	s.mu.Lock()
	s.encs = append(s.encs, r.Header.Get("Content-Encoding"))
	s.events = append(s.events, evs...)
	if err != nil {
		s.errs = append(s.errs, err)
	}
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// The CloudEvents sender's real requests, parsed by the SDK: accepted with
// the default options, rejected when gzip is turned on (the SDK does not
// decode Content-Encoding, so gzip is opt-in and documented as needing a
// receiver that accepts it).
func TestSDKReceiverParsesCloudEventsSender(t *testing.T) {
	recs := records(t)

	t.Run("default", func(t *testing.T) {
		rcv := &sdkReceiver{batch: true}
		srv := httptest.NewServer(rcv)
		defer srv.Close()
		h, err := transport.NewCloudEvents(srv.URL, ceOpts)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Shutdown(context.Background())
		if err := h.Send(t.Context(), recs); err != nil {
			t.Fatalf("Send: %v (SDK errors: %v)", err, rcv.errs)
		}
		if len(rcv.events) != len(recs) || rcv.encs[0] != "" {
			t.Fatalf("SDK parsed %d events (Content-Encoding %q), want %d", len(rcv.events), rcv.encs[0], len(recs))
		}
		for i, r := range recs {
			checkEvent(t, &rcv.events[i], r)
		}
	})

	t.Run("gzip asked", func(t *testing.T) {
		rcv := &sdkReceiver{batch: true}
		srv := httptest.NewServer(rcv)
		defer srv.Close()
		h, err := transport.NewCloudEvents(srv.URL, ceOpts, transport.WithGzip(true))
		if err != nil {
			t.Fatal(err)
		}
		defer h.Shutdown(context.Background())
		err = h.Send(t.Context(), recs)
		var he *transport.HTTPError
		if !errors.As(err, &he) || he.StatusCode != http.StatusBadRequest {
			t.Fatalf("Send with gzip = %v; the SDK cannot read a gzipped body and must answer 400", err)
		}
		if len(rcv.errs) != 1 || len(rcv.events) != 0 || rcv.encs[0] != "gzip" {
			t.Fatalf("SDK errors %v, events %d, Content-Encoding %v", rcv.errs, len(rcv.events), rcv.encs)
		}
	})
}

// Structured and binary content modes, framed by connected and sent as the
// HTTP protocol binding says, read back by the SDK's NewEventFromHTTPRequest.
func TestSDKReadsStructuredAndBinaryModes(t *testing.T) {
	recs := records(t)
	rcv := &sdkReceiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	post := func(h http.Header, body []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = h
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("status %d, SDK errors %v", resp.StatusCode, rcv.errs)
		}
	}
	for _, r := range recs {
		body, err := connected.AppendCloudEvent(nil, r, ceOpts)
		if err != nil {
			t.Fatal(err)
		}
		post(http.Header{"Content-Type": {connected.CloudEventsContentType}}, body)

		h := http.Header{}
		err = connected.CloudEventAttributes(r, ceOpts, func(name, value string) {
			if name == "datacontenttype" { // the HTTP binding carries it as Content-Type
				h.Set("Content-Type", value)
				return
			}
			h.Set("ce-"+name, value)
		})
		if err != nil {
			t.Fatal(err)
		}
		post(h, r.Payload)
	}
	if len(rcv.events) != 2*len(recs) {
		t.Fatalf("SDK parsed %d events, want %d", len(rcv.events), 2*len(recs))
	}
	for i, r := range recs {
		checkEvent(t, &rcv.events[2*i], r)
		checkEvent(t, &rcv.events[2*i+1], r)
	}
}
