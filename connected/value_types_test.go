package connected_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

// Property values of common Go types are written as their text form (or
// rejected with a *ValidationError), never reshaped into a byte array, a
// base64 string, a nanosecond count or {}.

type level int

func (l level) String() string { return [...]string{"debug", "info", "warn"}[l] }

type color int

func (c color) MarshalText() ([]byte, error) {
	if c < 0 {
		return nil, errors.New("negative color")
	}
	return []byte([...]string{"red", "green"}[c]), nil
}

type codeErr struct{ Code int }

func (e codeErr) Error() string { return fmt.Sprintf("code %d", e.Code) }

type ptrStringer struct{ n int }

func (p *ptrStringer) String() string { return fmt.Sprintf("#%d", p.n) }

type badText struct{ s string }

func (b badText) String() string { return b.s }

type rawJSON struct{}

func (rawJSON) MarshalJSON() ([]byte, error) { return []byte(`{ "k" : 1 }`), nil }

type hidden struct{ secret int }

func valueTypes() []struct {
	name string
	v    any
	want string
} {
	id := uuid.MustParse("0190d6a8-7c2e-7b3a-9f00-1234567890ab")
	ts := time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
	u, _ := url.Parse("https://shop.example/boots?size=44")
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	return []struct {
		name string
		v    any
		want string
	}{
		{"uuid.UUID", id, `"0190d6a8-7c2e-7b3a-9f00-1234567890ab"`},
		{"*uuid.UUID", &id, `"0190d6a8-7c2e-7b3a-9f00-1234567890ab"`},
		{"nil *uuid.UUID", (*uuid.UUID)(nil), `null`},
		{"[]uuid.UUID", []uuid.UUID{id, id}, `["0190d6a8-7c2e-7b3a-9f00-1234567890ab","0190d6a8-7c2e-7b3a-9f00-1234567890ab"]`},
		{"net.IP v4", net.ParseIP("203.0.113.9"), `"203.0.113.9"`},
		{"net.IP v6", net.ParseIP("2001:db8::1"), `"2001:db8::1"`},
		{"map of net.IP", map[string]net.IP{"gw": net.IPv4(10, 0, 0, 1)}, `{"gw":"10.0.0.1"}`},
		{"netip.Addr", netip.MustParseAddr("2001:db8::7"), `"2001:db8::7"`},
		{"netip.Prefix", netip.MustParsePrefix("10.12.0.0/16"), `"10.12.0.0/16"`},
		{"netip.AddrPort", netip.MustParseAddrPort("192.0.2.1:8443"), `"192.0.2.1:8443"`},
		{"errors.New", errors.New("card declined"), `"card declined"`},
		{"wrapped error", fmt.Errorf("charge: %w", io.ErrUnexpectedEOF), `"charge: unexpected EOF"`},
		{"error struct", codeErr{Code: 7}, `"code 7"`},
		{"fmt.Stringer int", level(2), `"warn"`},
		{"pointer-receiver Stringer", &ptrStringer{n: 3}, `"#3"`},
		{"nil pointer-receiver Stringer", (*ptrStringer)(nil), `null`},
		{"encoding.TextMarshaler int", color(1), `"green"`},
		{"json.Marshaler", rawJSON{}, `{"k":1}`},
		{"json.RawMessage", json.RawMessage(`[1, 2]`), `[1,2]`},
		{"*big.Int", huge, `123456789012345678901234567890`},
		{"time.Duration", 90 * time.Second, `"1m30s"`},
		{"time.Month", time.March, `"March"`},
		{"*time.Time", &ts, `"2026-11-24T10:30:00.000Z"`},
		{"nil *time.Time", (*time.Time)(nil), `null`},
		{"*url.URL", u, `"https://shop.example/boots?size=44"`},
	}
}

func TestPropertyValueTypes(t *testing.T) {
	for _, tc := range valueTypes() {
		t.Run(tc.name, func(t *testing.T) {
			r := record(t, connected.Event{Type: connected.TypeTrack, UserID: "u1", Event: "Typed", Properties: connected.Properties{"v": tc.v}})
			want := `"properties":{"v":` + tc.want + `}`
			if !strings.Contains(string(r.Payload), want) {
				t.Fatalf("%T encoded as\n%s\nwant it to contain %s", tc.v, r.Payload, want)
			}
			if !json.Valid(r.Payload) {
				t.Fatalf("invalid JSON: %s", r.Payload)
			}
		})
	}
}

// TestPropertyValueTypesGolden pins the wire form of all of them in one
// event.
func TestPropertyValueTypesGolden(t *testing.T) {
	props := connected.Properties{}
	for _, tc := range valueTypes() {
		props[tc.name] = tc.v
	}
	r := record(t, connected.Event{Type: connected.TypeTrack, UserID: "user-42", Event: "Typed Values", Properties: props})
	golden(t, "segment_value_types.json", append(append([]byte(nil), r.Payload...), '\n'))
}

func TestPropertyValueTypesRejected(t *testing.T) {
	cases := []struct {
		name, reason string
		v            any
	}{
		{"struct without exported fields", "would encode as {}", hidden{secret: 1}},
		{"MarshalText error", "negative color", color(-1)},
		{"String not UTF-8", "not valid UTF-8", badText{s: "\xff"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &connectedtest.Recorder{}
			c := newTestClient(t, rec)
			err := c.Track(t.Context(), connected.Event{UserID: "u1", Event: "Typed", Properties: connected.Properties{"v": tc.v}})
			var ve *connected.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, connected.ErrInvalidEvent) {
				t.Fatalf("Track = %v, want a *ValidationError", err)
			}
			if ve.Field != "properties.v" || !strings.Contains(ve.Reason, tc.reason) {
				t.Fatalf("ValidationError %+v: want field properties.v and a reason with %q", ve, tc.reason)
			}
			if rec.Len() != 0 {
				t.Fatal("a rejected event reached the sink")
			}
		})
	}
}
