package connected_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

// TestChannelRegistryAcceptsRegistered: a Client configured WithChannels
// emits events on its registered channels, and its registry decodes them
// back; the package-level functions still know only the built-ins.
func TestChannelRegistryAcceptsRegistered(t *testing.T) {
	rec := &connectedtest.Recorder{}
	c, err := connected.New(rec, connected.WithClock(connectedtest.Clock(t0, 0)),
		connected.WithChannels("service", "field"), connected.WithChannels("contact_center", "email", "social", "home"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, ch := range []connected.Channel{"service", "field", "contact_center", "email", "social", "home", connected.ChannelStore, ""} {
		if err := c.Track(ctx, connected.Event{UserID: "u1", Event: "Case Opened", Context: connected.Context{Channel: ch}}); err != nil {
			t.Errorf("channel %q: %v", ch, err)
		}
	}
	if rec.Len() != 8 {
		t.Fatalf("recorded %d events, want 8", rec.Len())
	}
	payload := []byte(rec.Payloads()[0])
	if _, err := connected.DecodeSegment(payload); !errors.Is(err, connected.ErrInvalidEvent) {
		t.Errorf("package DecodeSegment of a service-channel event: %v, want ErrInvalidEvent (built-ins only)", err)
	}
	e, err := c.Channels().DecodeSegment(payload)
	if err != nil || e.Context.Channel != "service" {
		t.Errorf("registry DecodeSegment: %v, channel %q", err, e.Context.Channel)
	}
	if err := c.Channels().Validate(&e); err != nil {
		t.Errorf("registry Validate: %v", err)
	}
	if b, err := c.Channels().AppendSegment(nil, &e); err != nil || string(b) != string(payload) {
		t.Errorf("registry AppendSegment: %v\n got %s\nwant %s", err, b, payload)
	}
	want := []connected.Channel{"contact_center", "email", "field", "home", "kiosk", "mobile", "pos", "server", "service", "social", "store", "vehicle", "wearable", "web"}
	if got := c.Channels().List(); strings.Join(chanStrings(got), ",") != strings.Join(chanStrings(want), ",") {
		t.Errorf("List = %v, want %v", got, want)
	}
}

func chanStrings(cs []connected.Channel) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

// TestChannelRegistryRejectsTypos: an unregistered name is refused with a
// *ValidationError on context.channel that suggests the nearest registered
// name; nothing is emitted.
func TestChannelRegistryRejectsTypos(t *testing.T) {
	rec := &connectedtest.Recorder{}
	c, err := connected.New(rec, connected.WithClock(connectedtest.Clock(t0, 0)),
		connected.WithChannels("service", "field", "contact_center", "email", "social"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		ch      connected.Channel
		suggest string // "" when no suggestion is expected
	}{
		{"sevice", "service"},
		{"servcie", "service"},
		{"services", "service"},
		{"fild", "field"},
		{"contactcenter", "contact_center"},
		{"contact-center", "contact_center"},
		{"Service", "service"},
		{"emial", "email"},
		{"webb", "web"},
		{"sotre", "store"},
		{"pso", "pos"},
		{"telepathy", ""},
		{"xyz", ""},
		{"\xff\xfe", ""},
	}
	for _, tc := range cases {
		err := c.Track(context.Background(), connected.Event{UserID: "u1", Event: "x", Context: connected.Context{Channel: tc.ch}})
		var ve *connected.ValidationError
		if !errors.As(err, &ve) || ve.Field != "context.channel" || !errors.Is(err, connected.ErrInvalidEvent) {
			t.Errorf("channel %q: err %v, want a ValidationError on context.channel", tc.ch, err)
			continue
		}
		hint := `did you mean "` + tc.suggest + `"?`
		if tc.suggest != "" && !strings.Contains(ve.Reason, hint) {
			t.Errorf("channel %q: reason %q lacks %s", tc.ch, ve.Reason, hint)
		}
		if tc.suggest == "" && strings.Contains(ve.Reason, "did you mean") {
			t.Errorf("channel %q: reason %q suggests a name", tc.ch, ve.Reason)
		}
		if s, ok := c.Channels().Suggest(tc.ch); ok != (tc.suggest != "") || string(s) != tc.suggest {
			t.Errorf("Suggest(%q) = %q, %v; want %q", tc.ch, s, ok, tc.suggest)
		}
	}
	if rec.Len() != 0 {
		t.Errorf("%d events emitted with unknown channels", rec.Len())
	}
	// A channel registered on one client is unknown to another.
	c2, err := connected.New(rec, connected.WithClock(connectedtest.Clock(t0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if err := c2.Track(context.Background(), connected.Event{UserID: "u1", Event: "x", Context: connected.Context{Channel: "service"}}); !errors.Is(err, connected.ErrInvalidEvent) {
		t.Errorf("unregistered client accepted service: %v", err)
	}
}

// TestChannelRegistryNames: malformed names are refused at New with a
// *ChannelNameError, with the well-formed spelling suggested; the default
// channel must be registered.
func TestChannelRegistryNames(t *testing.T) {
	bad := map[connected.Channel]string{
		"":               "empty",
		"Contact-Center": `did you mean "contact_center"?`,
		"field ":         `did you mean "field"?`,
		"1st":            "lower-case letter",
		"a__b":           `"__"`,
		"tail_":          "end with",
		"café":           "only lower-case",
		connected.Channel(strings.Repeat("a", 33)): "longer than 32",
	}
	for name, want := range bad {
		_, err := connected.New(&connectedtest.Recorder{}, connected.WithChannels(name))
		var ne *connected.ChannelNameError
		if !errors.As(err, &ne) || !errors.Is(err, connected.ErrChannelName) || !strings.Contains(err.Error(), want) {
			t.Errorf("WithChannels(%q): %v, want a ChannelNameError containing %q", name, err, want)
		}
	}
	many := make([]connected.Channel, connected.MaxRegisteredChannels+1)
	for i := range many {
		many[i] = connected.Channel("ch" + string(rune('a'+i/26)) + string(rune('a'+i%26)))
	}
	if _, err := connected.NewChannels(many...); !errors.Is(err, connected.ErrChannelName) {
		t.Errorf("%d channels: %v, want ErrChannelName", len(many), err)
	}
	if _, err := connected.NewChannels(many[1:]...); err != nil {
		t.Errorf("%d channels: %v", len(many)-1, err)
	}
	if _, err := connected.New(&connectedtest.Recorder{}, connected.WithChannel("service")); !errors.Is(err, connected.ErrInvalidEvent) {
		t.Errorf("WithChannel(service) without registering it: %v", err)
	}
	c, err := connected.New(&connectedtest.Recorder{}, connected.WithChannel("service"), connected.WithChannels("service"))
	if err != nil {
		t.Fatalf("WithChannel(service) registered: %v", err)
	}
	if !c.Channels().Has("service") || c.Channels().Has("servic") || c.Channels().Has("") {
		t.Error("Has disagrees with the registration")
	}
	var builtin *connected.Channels
	if !builtin.Has(connected.ChannelPOS) || builtin.Has("service") || builtin.Check("service") == nil {
		t.Error("the nil registry is not the built-ins")
	}
}

// TestChannelCheckAllocs: checking a registered channel costs nothing.
func TestChannelCheckAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	cs, err := connected.NewChannels("service", "field")
	if err != nil {
		t.Fatal(err)
	}
	e := connected.Event{Type: connected.TypeTrack, MessageID: "m1", UserID: "u1", Event: "Technician Arrived",
		OriginalTimestamp: t0, Context: connected.Context{Channel: "field"}}
	buf := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(200, func() { _, _ = cs.AppendSegment(buf[:0], &e) }); n != 0 {
		t.Errorf("AppendSegment with a registered channel: %v allocs, want 0", n)
	}
}

func FuzzChannelSuggest(f *testing.F) {
	for _, s := range []string{"sevice", "contact-center", "Web", "", "\xff", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"} {
		f.Add(s)
	}
	cs, err := connected.NewChannels("service", "field", "contact_center")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := cs.Check(connected.Channel(s))
		if s == "" || cs.Has(connected.Channel(s)) {
			if err != nil {
				t.Fatalf("Check(%q) = %v for a registered name", s, err)
			}
			return
		}
		if !errors.Is(err, connected.ErrInvalidEvent) {
			t.Fatalf("Check(%q) = %v", s, err)
		}
		if sug, ok := cs.Suggest(connected.Channel(s)); ok && !cs.Has(sug) {
			t.Fatalf("Suggest(%q) = %q, not registered", s, sug)
		}
	})
}

// BenchmarkTrackRegisteredChannel is BenchmarkTrack on a channel from a
// registry of 20 registered channels: the registry lookup adds no
// allocation.
func BenchmarkTrackRegisteredChannel(b *testing.B) {
	names := []connected.Channel{"service", "field", "contact_center", "email", "social"}
	for i := range 15 {
		names = append(names, connected.Channel("extra"+string(rune('a'+i))))
	}
	c, err := connected.New(discardPayload{}, connected.WithChannels(names...))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	e := benchEvent()
	e.Context.Channel = "contact_center"
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Track(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}
