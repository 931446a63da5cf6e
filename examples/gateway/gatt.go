package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// Raw GATT notifications.
//
// Neither OpenMQTTGateway nor ESPresense forwards raw GATT values (both
// decode sensors themselves, with their own rules), so this gateway
// defines a small topic of its own for bridges that do, e.g. an ESP32
// subscribed to a heart-rate strap:
//
//	topic:   <prefix>/gatt/<device>            (default subscription touchpoint/gatt/+)
//	payload: {"uuid": "2a37", "value": "0648", "ts": "2026-11-24T10:30:00.250Z"}
//	         {"event": "connected"}  |  {"event": "disconnected", "ts": "..."}
//
//   - device: the bridge's stable name for the peripheral (its bonded
//     address or serial). It leaves the gateway only as a pseudonym.
//   - uuid: the characteristic, 16-bit hex ("2a37", "0x2A37") or the full
//     Bluetooth base UUID ("00002a37-0000-1000-8000-00805f9b34fb").
//   - value: the characteristic value bytes as hex, exactly as notified
//     (at most 512 bytes).
//   - ts: optional RFC 3339 receive time at the bridge; default: when the
//     gateway received the message.
//   - event: the bridge saw the peripheral connect or disconnect. A
//     disconnect ends the workout (Workout Completed) and the session.
//
// Other fields are ignored. A payload has either uuid and value, or event.
// Each device gets a wearable.Session; its occurrences (Device Connected,
// Workout Completed, Battery Low, Device Disconnected) become events.
// Individual readings are not emitted: they are health data at a rate no
// CDP wants; add wearable.MeasurementEvent in emitOccurrences if yours does.

// maxGATTDevices bounds the sessions kept at once.
const maxGATTDevices = 10_000

// maxDeviceName bounds the device level of a GATT topic, in bytes.
const maxDeviceName = 128

// Errors of parseGATT, matched with errors.Is through a *gattError.
var (
	errGATTMalformed = errors.New("not a JSON object")
	errGATTMissing   = errors.New("missing field")
	errGATTBadValue  = errors.New("bad value")
	errGATTTopic     = errors.New("unexpected topic")
)

// gattError says which field of a GATT message is wrong.
type gattError struct {
	Field string // JSON field, "topic", or "" for the payload as a whole
	Err   error
}

func (e *gattError) Error() string {
	if e.Field == "" {
		return "gatt: " + e.Err.Error()
	}
	return "gatt: " + e.Field + ": " + e.Err.Error()
}

func (e *gattError) Unwrap() error { return e.Err }

func gattErr(field string, sentinel error, cause error) error {
	if cause != nil {
		sentinel = fmt.Errorf("%w: %w", sentinel, cause)
	}
	return &gattError{Field: field, Err: sentinel}
}

// The values of a GATT message's event field.
const (
	gattConnected    = "connected"
	gattDisconnected = "disconnected"
)

// gattMessage is one decoded GATT message.
type gattMessage struct {
	Device string
	Char   wearable.Characteristic // with Value, when Event is ""
	Value  []byte
	Event  string    // "", gattConnected or gattDisconnected
	Time   time.Time // zero when the payload has no ts
}

// parseGATT decodes a message of the GATT topic. Errors are *gattError;
// nothing else is returned with them.
func parseGATT(topic string, payload []byte) (gattMessage, error) {
	var m gattMessage
	i := strings.LastIndexByte(topic, '/')
	prefix := ""
	if i >= 0 {
		prefix = topic[:i]
	}
	if (prefix != "gatt" && !strings.HasSuffix(prefix, "/gatt")) || i == len(topic)-1 || len(topic)-i-1 > maxDeviceName {
		return gattMessage{}, gattErr("topic", errGATTTopic, fmt.Errorf("want <prefix>/gatt/<device> (device 1 to %d bytes), got %q", maxDeviceName, topic))
	}
	m.Device = topic[i+1:]
	var p struct {
		UUID  *string `json:"uuid"`
		Value *string `json:"value"`
		Event *string `json:"event"`
		TS    *string `json:"ts"`
	}
	if t := bytes.TrimSpace(payload); len(t) == 0 || t[0] != '{' {
		return gattMessage{}, gattErr("", errGATTMalformed, nil)
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return gattMessage{}, gattErr(te.Field, errGATTBadValue, errors.New("want a string"))
		}
		return gattMessage{}, gattErr("", errGATTMalformed, err)
	}
	if p.TS != nil {
		t, err := time.Parse(time.RFC3339Nano, *p.TS)
		if err != nil {
			return gattMessage{}, gattErr("ts", errGATTBadValue, err)
		}
		m.Time = t.UTC()
	}
	switch {
	case p.Event != nil:
		if p.UUID != nil || p.Value != nil {
			return gattMessage{}, gattErr("event", errGATTBadValue, errors.New("an event message has no uuid or value"))
		}
		if *p.Event != gattConnected && *p.Event != gattDisconnected {
			return gattMessage{}, gattErr("event", errGATTBadValue, fmt.Errorf("%q is not connected or disconnected", *p.Event))
		}
		m.Event = *p.Event
		return m, nil
	case p.UUID == nil:
		return gattMessage{}, gattErr("uuid", errGATTMissing, nil)
	case p.Value == nil:
		return gattMessage{}, gattErr("value", errGATTMissing, nil)
	}
	c, err := parseCharacteristic(*p.UUID)
	if err != nil {
		return gattMessage{}, gattErr("uuid", errGATTBadValue, err)
	}
	v, err := hex.DecodeString(*p.Value)
	if err != nil {
		return gattMessage{}, gattErr("value", errGATTBadValue, err)
	}
	if len(v) > wearable.MaxValueLength {
		return gattMessage{}, gattErr("value", errGATTBadValue, fmt.Errorf("%d bytes, more than a GATT value (%d)", len(v), wearable.MaxValueLength))
	}
	m.Char, m.Value = c, v
	return m, nil
}

// parseCharacteristic reads a 16-bit characteristic UUID in short or
// Bluetooth-base form.
func parseCharacteristic(s string) (wearable.Characteristic, error) {
	const base = "-0000-1000-8000-00805f9b34fb"
	l := strings.ToLower(s)
	short := strings.TrimPrefix(l, "0x")
	if len(l) == 36 && strings.HasPrefix(l, "0000") && strings.HasSuffix(l, base) {
		short = l[4:8]
	}
	b, err := hex.DecodeString(short)
	if err != nil || len(b) != 2 {
		return 0, fmt.Errorf("%q is not a 16-bit UUID (\"2a37\" or \"00002a37%s\")", s, base)
	}
	return wearable.Characteristic(uint16(b[0])<<8 | uint16(b[1])), nil
}

// gattSession is one peripheral's session.
type gattSession struct {
	s         *wearable.Session
	anon      string    // the device's pseudonym
	lastData  time.Time // time of its last notification
	lastHeard time.Time // when the gateway last received a message for it
}

// handleGATT feeds one GATT message to the device's session.
func (g *gateway) handleGATT(ctx context.Context, m mqtttransport.Message) error {
	msg, err := parseGATT(m.Topic, m.Payload)
	if err != nil {
		return g.parseFailed(err)
	}
	at := msg.Time
	if at.IsZero() {
		at = m.Received
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	gs := g.sessions[msg.Device]
	if msg.Event == gattDisconnected {
		if gs == nil {
			g.ctr.ignored.Add(1)
			return nil
		}
		occ, err := gs.s.Disconnect(at)
		if err != nil {
			return g.parseFailed(err) // a *wearable.TimeError (zero or post-2262 time); the session stays
		}
		delete(g.sessions, msg.Device)
		return g.emitOccurrences(ctx, gs, occ)
	}
	if gs == nil {
		if len(g.sessions) >= maxGATTDevices {
			g.ctr.ignored.Add(1)
			return fmt.Errorf("gatt: %d devices already tracked: device refused", len(g.sessions))
		}
		anon := g.pseud.Pseudonym(msg.Device)
		s, err := wearable.NewSession(wearable.Device{ID: anon})
		if err != nil {
			return err
		}
		gs = &gattSession{s: s, anon: anon}
		g.sessions[msg.Device] = gs
	}
	gs.lastHeard = m.Received
	if msg.Event == gattConnected {
		o, ok, err := gs.s.Connect(at)
		if err != nil {
			return g.parseFailed(err) // a *wearable.TimeError
		}
		if !ok {
			return nil
		}
		return g.emitOccurrences(ctx, gs, []wearable.Occurrence{o})
	}
	u, err := gs.s.Notify(at, msg.Char, msg.Value)
	if err != nil {
		return g.parseFailed(err) // a *wearable.ParseError naming the characteristic and offset
	}
	gs.lastData = at
	return g.emitOccurrences(ctx, gs, u.Occurrences)
}

// disconnectIdle ends the sessions of devices not heard for -wearable-idle
// (all of them when final), at their last notification. g.mu is held.
func (g *gateway) disconnectIdle(ctx context.Context, now time.Time, final bool) error {
	var errs []error
	for _, dev := range slices.Sorted(maps.Keys(g.sessions)) {
		gs := g.sessions[dev]
		if !final && now.Sub(gs.lastHeard) < g.cfg.WearableIdle {
			continue
		}
		delete(g.sessions, dev)
		end := gs.lastData
		if end.IsZero() {
			end = gs.lastHeard
		}
		occ, err := gs.s.Disconnect(end)
		errs = append(errs, err, g.emitOccurrences(ctx, gs, occ))
	}
	return errors.Join(errs...)
}

// emitOccurrences turns a device's occurrences into events at this place.
// g.mu is held.
func (g *gateway) emitOccurrences(ctx context.Context, gs *gattSession, occ []wearable.Occurrence) error {
	var errs []error
	for i := range occ {
		g.ctr.wearableEvents.Add(1)
		ev, err := occ[i].Event(wearable.EventOptions{AnonymousID: gs.anon})
		if err == nil {
			ev.Context.Location.PlaceID = g.cfg.Place
			err = g.client.Track(ctx, ev)
		}
		errs = append(errs, g.emitted(err))
	}
	return errors.Join(errs...)
}
