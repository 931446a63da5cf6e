package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
	"github.com/touchpoint-sdk/touchpoint/wearable"
)

func TestParseGATT(t *testing.T) {
	ts := time.Date(2026, 3, 1, 9, 0, 0, 250e6, time.UTC)
	for _, tc := range []struct {
		name, topic, payload string
		want                 gattMessage
	}{
		{"short uuid", "touchpoint/gatt/strap-1", `{"uuid":"2a37","value":"0648"}`,
			gattMessage{Device: "strap-1", Char: wearable.HeartRateMeasurementUUID, Value: []byte{0x06, 0x48}}},
		{"0x uuid, ts, extra fields", "site/a/gatt/strap-1", `{"uuid":"0x2A19","value":"0F","ts":"2026-03-01T10:00:00.25+01:00","rssi":-60}`,
			gattMessage{Device: "strap-1", Char: wearable.BatteryLevelUUID, Value: []byte{0x0f}, Time: ts}},
		{"base uuid", "gatt/x", `{"uuid":"00002A5B-0000-1000-8000-00805F9B34FB","value":""}`,
			gattMessage{Device: "x", Char: wearable.CSCMeasurementUUID, Value: []byte{}}},
		{"event", "touchpoint/gatt/strap-1", `{"event":"disconnected","ts":"2026-03-01T09:00:00.25Z"}`,
			gattMessage{Device: "strap-1", Event: gattDisconnected, Time: ts}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseGATT(tc.topic, []byte(tc.payload))
			if err != nil {
				t.Fatal(err)
			}
			if got.Device != tc.want.Device || got.Char != tc.want.Char || !bytes.Equal(got.Value, tc.want.Value) ||
				got.Event != tc.want.Event || !got.Time.Equal(tc.want.Time) || (got.Value == nil) != (tc.want.Value == nil) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseGATTErrorsSayWhatAndWhere(t *testing.T) {
	for _, tc := range []struct {
		name, topic, payload, field string
		sentinel                    error
	}{
		{"not json", "t/gatt/d", `[1]`, "", errGATTMalformed},
		{"truncated", "t/gatt/d", `{"uuid":"2a37"`, "", errGATTMalformed},
		{"empty", "t/gatt/d", ``, "", errGATTMalformed},
		{"no uuid", "t/gatt/d", `{"value":"00"}`, "uuid", errGATTMissing},
		{"no value", "t/gatt/d", `{"uuid":"2a37"}`, "value", errGATTMissing},
		{"uuid type", "t/gatt/d", `{"uuid":10807,"value":"00"}`, "uuid", errGATTBadValue},
		{"uuid 32-bit", "t/gatt/d", `{"uuid":"00002a37","value":"00"}`, "uuid", errGATTBadValue},
		{"uuid other base", "t/gatt/d", `{"uuid":"00002a37-0000-1000-8000-000000000000","value":"00"}`, "uuid", errGATTBadValue},
		{"odd hex", "t/gatt/d", `{"uuid":"2a37","value":"064"}`, "value", errGATTBadValue},
		{"bad hex", "t/gatt/d", `{"uuid":"2a37","value":"zz"}`, "value", errGATTBadValue},
		{"too long", "t/gatt/d", `{"uuid":"2a37","value":"` + strings.Repeat("00", 513) + `"}`, "value", errGATTBadValue},
		{"bad ts", "t/gatt/d", `{"uuid":"2a37","value":"00","ts":"yesterday"}`, "ts", errGATTBadValue},
		{"unknown event", "t/gatt/d", `{"event":"paired"}`, "event", errGATTBadValue},
		{"event with value", "t/gatt/d", `{"event":"connected","uuid":"2a37","value":"00"}`, "event", errGATTBadValue},
		{"topic without gatt", "t/notgatt/d", `{"event":"connected"}`, "topic", errGATTTopic},
		{"topic without device", "t/gatt/", `{"event":"connected"}`, "topic", errGATTTopic},
		{"device too long", "t/gatt/" + strings.Repeat("d", maxDeviceName+1), `{"event":"connected"}`, "topic", errGATTTopic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := parseGATT(tc.topic, []byte(tc.payload))
			var ge *gattError
			if !errors.As(err, &ge) || !errors.Is(err, tc.sentinel) || ge.Field != tc.field {
				t.Fatalf("error %v (%T), want a *gattError at %q matching %v", err, err, tc.field, tc.sentinel)
			}
			if m.Device != "" || m.Value != nil || m.Event != "" || m.Char != 0 || !m.Time.IsZero() {
				t.Errorf("partial value %+v returned with the error", m)
			}
		})
	}
}

// A wearable not heard for -wearable-idle is disconnected at its last
// notification; one heard more recently is not.
func TestWearableIdleDisconnect(t *testing.T) {
	g, out := unconnectedGateway(t, "-wearable-idle", "1m")
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	hr := mqtttransport.Message{Topic: "touchpoint/gatt/" + strapID, Payload: []byte(`{"uuid":"2a37","value":"0678"}`), Received: t0}
	if err := g.handle(ctx, hr); err != nil {
		t.Fatal(err)
	}
	if err := g.advance(ctx, t0.Add(59*time.Second), false); err != nil {
		t.Fatal(err)
	}
	if n := g.report().WearableEvents; n != 1 || len(g.sessions) != 1 {
		t.Fatalf("before the idle time: %d wearable events, %d sessions; want Device Connected and the session", n, len(g.sessions))
	}
	if err := g.advance(ctx, t0.Add(time.Minute), false); err != nil {
		t.Fatal(err)
	}
	if n := g.report().WearableEvents; n != 2 || len(g.sessions) != 0 {
		t.Fatalf("after the idle time: %d wearable events, %d sessions; want Device Disconnected and no session", n, len(g.sessions))
	}

	// A disconnect for a device without a session is ignored; a value the
	// decoder refuses is a typed error and counted.
	bye := mqtttransport.Message{Topic: "touchpoint/gatt/other", Payload: []byte(`{"event":"disconnected"}`), Received: t0}
	if err := g.handle(ctx, bye); err != nil || g.report().Ignored != 1 {
		t.Errorf("disconnect of an unknown device: %v, ignored %d", err, g.report().Ignored)
	}
	short := mqtttransport.Message{Topic: "touchpoint/gatt/" + strapID, Payload: []byte(`{"uuid":"2a37","value":"06"}`), Received: t0}
	var pe *wearable.ParseError
	if err := g.handle(ctx, short); !errors.As(err, &pe) || !errors.Is(err, wearable.ErrTruncated) || g.report().ParseErrors != 1 {
		t.Errorf("truncated heart rate: %v, parse errors %d", err, g.report().ParseErrors)
	}

	rep, err := g.shutdown(ctx)
	if err != nil {
		t.Fatal(err)
	}
	evs, _ := readEvents(t, out)
	var names []string
	for _, ev := range evs {
		if ev.AnonymousID == devicePseudonym(g.pseud, strapID) {
			names = append(names, ev.Event)
			if ev.Event == connected.EventDeviceDisconnected && !ev.OriginalTimestamp.Equal(t0) {
				t.Errorf("disconnected at %v, want the last notification %v", ev.OriginalTimestamp, t0)
			}
		}
	}
	if strings.Join(names, ",") != "Device Connected,Device Disconnected" {
		t.Errorf("strap events %v (report %+v)", names, rep)
	}
}
