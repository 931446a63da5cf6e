package consent_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// The core module's go.mod has no test libraries: small helpers instead.

func equal[T any](t testing.TB, want, got T, msg ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s\nwant %#v\ngot  %#v", fmt.Sprint(msg...), want, got)
	}
}

func noErr(t testing.TB, err error, msg ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", fmt.Sprint(msg...), err)
	}
}

func isTrue(t testing.TB, cond bool, msg ...any) {
	t.Helper()
	if !cond {
		t.Errorf("expected true: %s", fmt.Sprint(msg...))
	}
}

var auditKey = []byte("test-audit-key-0123456789abcdef")

// t0 is the start of every test timeline; at(n) is n minutes later.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

// record builds a record as a connected.Client would: a validated event,
// its Segment payload and partition key. It carries identifying fields so
// that stripping can be checked.
func record(t testing.TB, userID string, cat connected.Category, when time.Time) *connected.Record {
	t.Helper()
	e := connected.Event{
		Type:              connected.TypeTrack,
		MessageID:         messageID(userID, cat, when),
		UserID:            userID,
		AnonymousID:       "anon-" + userID,
		Event:             "Thing Happened",
		Properties:        connected.Properties{"sku": "boot-1207"},
		OriginalTimestamp: when,
		Category:          cat,
		Context: connected.Context{
			IP:          "203.0.113.9",
			UserAgent:   "TestAgent/1.0",
			Device:      connected.Device{ID: "device-" + userID, Type: "phone"},
			Location:    connected.Location{PlaceID: "store-7", Zone: "shoes", Geo: &connected.Geo{Latitude: 52.5, Longitude: 13.4}},
			ExternalIDs: []connected.ExternalID{{ID: userID + "@example.com", Type: "email"}},
		},
	}
	payload, err := connected.AppendSegment(nil, &e)
	noErr(t, err)
	return &connected.Record{
		ID: e.MessageID, Type: e.Type, Time: when, Category: cat.OrDefault(),
		PartitionKey: connected.PartitionKey(nil, userID), UserID: e.UserID, AnonymousID: e.AnonymousID, Payload: payload, Event: &e,
	}
}

// messageID is an opaque id, unique per (user, category, time), that does
// not contain the user id.
func messageID(userID string, cat connected.Category, when time.Time) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%s|%d", userID, cat, when.UnixNano())
	return fmt.Sprintf("msg-%016x", h.Sum64())
}

// sink records what it receives; err, when set, is returned for every record.
type sink struct {
	mu  sync.Mutex
	got []*connected.Record
	err error
}

func (s *sink) Handle(_ context.Context, r *connected.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.got = append(s.got, r)
	return nil
}

func (s *sink) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.got {
		out = append(out, r.ID)
	}
	return out
}

func (s *sink) reset() {
	s.mu.Lock()
	s.got = nil
	s.mu.Unlock()
}

func newLedger(t testing.TB) *consent.Ledger {
	t.Helper()
	l, err := consent.NewLedger()
	noErr(t, err)
	return l
}

func grant(t testing.TB, l *consent.Ledger, subject string, p consent.Purpose, when time.Time) {
	t.Helper()
	_, err := l.Record(context.Background(), consent.Fact{Subject: subject, Purpose: p, Granted: true, Effective: when, Source: consent.SourceAppSetting})
	noErr(t, err)
}

func deny(t testing.TB, l *consent.Ledger, subject string, p consent.Purpose, when time.Time) {
	t.Helper()
	_, err := l.Record(context.Background(), consent.Fact{Subject: subject, Purpose: p, Granted: false, Effective: when, Source: consent.SourceCMP})
	noErr(t, err)
}

// shutdown registers a bounded Shutdown for a router.
func shutdown(t testing.TB, s interface {
	Shutdown(context.Context) error
}) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
}
