package connected_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// batchRecords are three records as a gateway would spool them: a zone
// entry two hours before the send, an identify, and an event whose caller
// set its own corrected timestamp.
func batchRecords(t *testing.T) []*connected.Record {
	t.Helper()
	fx := fixtures()
	zone := fx["track_zone_entered"]
	zone.OriginalTimestamp = t0.Add(-2 * time.Hour)
	return []*connected.Record{record(t, zone), record(t, fx["identify"]), record(t, fx["timestamp"])}
}

func decodeBatch(t *testing.T, body []byte) (map[string]json.RawMessage, []map[string]any) {
	t.Helper()
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	var msgs []map[string]any
	if err := json.Unmarshal(env["batch"], &msgs); err != nil {
		t.Fatalf("batch: %v", err)
	}
	return env, msgs
}

// Segment's HTTP API reads the event time from each message's timestamp
// (and the send time from the envelope's sentAt): the body must carry the
// record's time there.
func TestSegmentBatchSendsEventTimeAsTimestamp(t *testing.T) {
	recs := batchRecords(t)
	sentAt := t0.Add(5 * time.Second)
	body, err := connected.AppendSegmentBatch(nil, recs, sentAt)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "segment_batch.json", append(body, '\n'))
	env, msgs := decodeBatch(t, body)
	if string(env["sentAt"]) != `"2026-11-24T10:30:05.000Z"` {
		t.Errorf("envelope sentAt = %s", env["sentAt"])
	}
	want := []string{"2026-11-24T08:30:00.000Z", "2026-11-24T10:30:00.000Z", "2026-11-24T10:30:02.000Z"}
	for i, m := range msgs {
		if m["timestamp"] != want[i] {
			t.Errorf("message %d: timestamp = %v, want %s (the event time)", i, m["timestamp"], want[i])
		}
		if _, ok := m["sentAt"]; ok {
			t.Errorf("message %d has sentAt; Segment reads it from the envelope", i)
		}
	}
	// Renamed, not added: the first two had only originalTimestamp, so the
	// body is shorter than the payloads the Batcher counted, by 8 bytes for
	// each renamed key.
	for i := range 2 {
		if _, ok := msgs[i]["originalTimestamp"]; ok {
			t.Errorf("message %d still has originalTimestamp next to timestamp", i)
		}
	}
	if msgs[2]["originalTimestamp"] != "2026-11-24T10:30:00.000Z" {
		t.Errorf("a caller's own timestamp must leave the payload untouched: %v", msgs[2])
	}
	n := len(`{"batch":[],"sentAt":"2026-11-24T10:30:05.000Z"}`) + len(recs) - 1
	for _, r := range recs {
		n += len(r.Payload)
	}
	if want := n - 2*(len("originalTimestamp")-len("timestamp")); len(body) != want {
		t.Errorf("body is %d bytes, want %d (payloads and envelope, less the renames)", len(body), want)
	}
}

// RudderStack reads sentAt (and originalTimestamp) from each message and
// corrects clock skew per message, as its own SDK sends them.
func TestRudderStackBatchStampsSentAtPerMessage(t *testing.T) {
	recs := batchRecords(t)
	sentAt := t0.Add(5 * time.Second)
	body, err := connected.AppendRudderStackBatch(nil, recs, sentAt)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "rudderstack_batch.json", append(body, '\n'))
	env, msgs := decodeBatch(t, body)
	if len(env) != 1 {
		t.Errorf("envelope keys %v, want only batch", env)
	}
	wantOrig := []string{"2026-11-24T08:30:00.000Z", "2026-11-24T10:30:00.000Z", "2026-11-24T10:30:00.000Z"}
	for i, m := range msgs {
		if m["sentAt"] != "2026-11-24T10:30:05.000Z" || m["channel"] != "server" || m["originalTimestamp"] != wantOrig[i] {
			t.Errorf("message %d: sentAt %v channel %v originalTimestamp %v", i, m["sentAt"], m["channel"], m["originalTimestamp"])
		}
	}
	if _, ok := msgs[0]["timestamp"]; ok {
		t.Error("message 0 has timestamp: RudderStack would take it as is and skip its skew correction")
	}
	for _, r := range recs {
		if _, err := connected.DecodeSegment(r.Payload); err != nil {
			t.Fatal(err)
		}
	}
}

// Hand-built payloads: one without any timestamp gets the record's Time;
// malformed ones are refused with an error naming the record.
func TestBatchFramingEdgeCases(t *testing.T) {
	ok := &connected.Record{ID: "r1", Type: connected.TypeTrack, Time: t0, Category: connected.CategoryBehavioral,
		Payload: []byte(`{"type":"track","messageId":"r1","userId":"u","event":"e","properties":{"timestamp":1,"originalTimestamp":"x","sentAt":2}}`)}
	seg, err := connected.AppendSegmentBatch(nil, []*connected.Record{ok}, t0)
	if err != nil {
		t.Fatal(err)
	}
	_, msgs := decodeBatch(t, seg)
	if msgs[0]["timestamp"] != "2026-11-24T10:30:00.000Z" || msgs[0]["properties"].(map[string]any)["originalTimestamp"] != "x" {
		t.Errorf("nested keys must be left alone, top-level time added: %s", seg)
	}
	rud, err := connected.AppendRudderStackBatch(nil, []*connected.Record{ok}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, msgs = decodeBatch(t, rud); msgs[0]["originalTimestamp"] != "2026-11-24T10:30:00.000Z" {
		t.Errorf("rudderstack message lacks originalTimestamp: %s", rud)
	}

	for name, payload := range map[string]string{
		"empty":           ``,
		"not an object":   `["x"]`,
		"empty object":    `{}`,
		"unterminated":    `{"type":"track","event":"e}`,
		"unbalanced":      `{"type":"track","properties":{"a":1}`,
		"trailing":        `{"type":"track"}x}`,
		"own sentAt":      `{"type":"track","sentAt":"2026-11-24T10:30:00.000Z"}`,
		"escaped key":     `{"type":"track","original\u0054imestamp":"2026-11-24T10:30:00.000Z"}`,
		"extra close":     `{"type":"track"}]}`,
		"escaped quote":   `{"type":"track","event":"a\"}`,
		"escaped sentAt":  `{"type":"track","sent\u0041t":"x"}`,
		"bad key escape":  `{"type":"track","\x":1}`,
		"close in string": `{"type":"track","event":"}"`,
	} {
		r := &connected.Record{ID: "bad-" + strings.ReplaceAll(name, " ", "-"), Type: connected.TypeTrack, Time: t0, Payload: []byte(payload)}
		for fn, f := range map[string]func([]byte, []*connected.Record, time.Time) ([]byte, error){
			"segment": connected.AppendSegmentBatch, "rudderstack": connected.AppendRudderStackBatch,
		} {
			dst := []byte("prefix")
			out, err := f(dst, []*connected.Record{ok, r}, t0)
			if !errors.Is(err, connected.ErrMalformed) || !strings.Contains(err.Error(), r.ID) {
				t.Errorf("%s %s: err = %v, want ErrMalformed naming %s", fn, name, err, r.ID)
			}
			if string(out) != "prefix" {
				t.Errorf("%s %s: dst changed to %q on error", fn, name, out)
			}
		}
	}
	channel := &connected.Record{ID: "ch", Type: connected.TypeTrack, Time: t0, Payload: []byte(`{"type":"track","channel":"web"}`)}
	if _, err := connected.AppendRudderStackBatch(nil, []*connected.Record{channel}, t0); !errors.Is(err, connected.ErrMalformed) {
		t.Errorf("own channel: err = %v", err)
	}
	// No time anywhere: the receivers date it on arrival, nothing is made up.
	noTime := &connected.Record{ID: "nt", Type: connected.TypeTrack, Payload: []byte(`{"type":"track"}`)}
	if b, err := connected.AppendSegmentBatch(nil, []*connected.Record{noTime}, t0); err != nil ||
		string(b) != `{"batch":[{"type":"track"}],"sentAt":"2026-11-24T10:30:00.000Z"}` {
		t.Errorf("no time at all: %s %v", b, err)
	}
	if b, err := connected.AppendRudderStackBatch(nil, []*connected.Record{noTime}, t0); err != nil ||
		string(b) != `{"batch":[{"channel":"server","sentAt":"2026-11-24T10:30:00.000Z","type":"track"}]}` {
		t.Errorf("no time at all: %s %v", b, err)
	}
	if _, err := connected.AppendSegmentBatch(nil, []*connected.Record{nil}, t0); !errors.Is(err, connected.ErrMalformed) {
		t.Errorf("nil record: err = %v", err)
	}
}

// What AppendSegmentBatch sends decodes back to the events it came from:
// a message with only timestamp carries the event time.
func TestSegmentBatchMessagesDecode(t *testing.T) {
	recs := batchRecords(t)
	body, err := connected.AppendSegmentBatch(nil, recs, t0)
	if err != nil {
		t.Fatal(err)
	}
	var env struct{ Batch []json.RawMessage }
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	for i, m := range env.Batch {
		got, err := connected.DecodeSegment(m)
		if err != nil {
			t.Fatalf("message %d: %v\n%s", i, err, m)
		}
		want, err := connected.DecodeSegment(recs[i].Payload)
		if err != nil {
			t.Fatal(err)
		}
		if !got.OriginalTimestamp.Equal(want.OriginalTimestamp) || !got.Timestamp.Equal(want.Timestamp) {
			t.Errorf("message %d: times %v/%v, want %v/%v", i, got.OriginalTimestamp, got.Timestamp, want.OriginalTimestamp, want.Timestamp)
		}
		b, err := connected.AppendSegment(nil, &got)
		if err != nil || string(b) != string(recs[i].Payload) {
			t.Errorf("message %d re-encodes to\n%s\nnot\n%s (%v)", i, b, recs[i].Payload, err)
		}
	}
}
