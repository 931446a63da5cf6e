package home_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/home"
)

// The whole path: a websocket state_changed message, a Tracker for the
// household, and the event it becomes.
func Example() {
	msg := []byte(`{"id":7,"type":"event","event":{"event_type":"state_changed","data":{"entity_id":"person.anna",` +
		`"old_state":{"entity_id":"person.anna","state":"home","attributes":{"friendly_name":"Anna"},"last_changed":"2026-01-01T07:00:00+00:00","last_updated":"2026-01-01T07:00:00+00:00"},` +
		`"new_state":{"entity_id":"person.anna","state":"Work","attributes":{"friendly_name":"Anna","latitude":52.5},"last_changed":"2026-01-01T08:31:40.281663+00:00","last_updated":"2026-01-01T08:31:40.281663+00:00"}},` +
		`"origin":"LOCAL","time_fired":"2026-01-01T08:31:40.281663+00:00","context":{"id":"01J","parent_id":null,"user_id":null}}}`)

	var c home.StateChange
	if err := home.DecodeWebSocket(msg, &c); err != nil {
		fmt.Println(err)
		return
	}
	tracker, err := home.NewTracker(home.Config{Household: "ha-7d3f0c9e"})
	if err != nil {
		fmt.Println(err)
		return
	}
	occ, _ := tracker.Observe(nil, &c)
	p, _ := connected.NewPseudonymizer([]byte("a secret key of 32 bytes or so.."))
	for _, o := range occ {
		e, err := o.Event(home.EventOptions{Pseudonymizer: p})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(e.Event, e.Category, e.Properties["previous_presence"], "->", e.Properties["presence"])
		fmt.Println(e.AnonymousID == home.HouseholdPseudonym(p, "ha-7d3f0c9e"))
	}
	// Output:
	// Presence Changed presence home -> away
	// true
}

func ExampleDecodeWebSocket() {
	msg := []byte(`{"id":7,"type":"event","event":{"event_type":"state_changed","data":{"entity_id":"climate.hallway",` +
		`"old_state":{"entity_id":"climate.hallway","state":"heat","attributes":{"temperature":20.0},"last_changed":"2026-01-01T06:00:00+00:00","last_updated":"2026-01-01T06:00:00+00:00"},` +
		`"new_state":{"entity_id":"climate.hallway","state":"heat","attributes":{"temperature":21.5,"hvac_action":"heating"},"last_changed":"2026-01-01T06:00:00+00:00","last_updated":"2026-01-01T07:20:31.650487+00:00","context":{"id":"01J","parent_id":null,"user_id":"8a4f"}}},` +
		`"origin":"LOCAL","time_fired":"2026-01-01T07:20:31.650487+00:00","context":{"id":"01J","parent_id":null,"user_id":"8a4f"}}}`)
	var c home.StateChange
	if err := home.DecodeWebSocket(msg, &c); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Device, c.Old.Setpoint, "->", c.New.Setpoint, c.New.HVACAction, c.UserInitiated, c.Time.Format(time.RFC3339Nano))

	err := home.DecodeWebSocket([]byte(`{"id":8,"type":"pong"}`), &c)
	fmt.Println(err)
	// Output:
	// climate.hallway 20 -> 21.5 heating true 2026-01-01T07:20:31.650487Z
	// home: home_assistant_websocket: type: home: not a state change
}

func ExampleDecodeZigbee() {
	var c home.StateChange
	now := time.Date(2026, 1, 1, 22, 5, 0, 0, time.UTC)
	err := home.DecodeZigbee("zigbee2mqtt", "zigbee2mqtt/living_room/pir", []byte(`{"battery":91,"illuminance_lux":37,"linkquality":120,"occupancy":true}`), now, &c)
	fmt.Println(c.Device, c.New.Has&home.HasOccupancy != 0, c.New.Occupied, err)

	err = home.DecodeZigbee("zigbee2mqtt", "zigbee2mqtt/living_room/pir", []byte(`{"occupancy":"yes"}`), now, &c)
	fmt.Println(err)
	// Output:
	// living_room/pir true true <nil>
	// home: zigbee2mqtt: occupancy: offset 13: home: invalid field
}

func ExampleStatestream() {
	s, _ := home.NewStatestream("homeassistant", time.Second)
	t0 := time.Date(2026, 1, 1, 19, 2, 11, 0, time.UTC)
	var out []home.StateChange
	for i, m := range [][2]string{
		{"homeassistant/media_player/tv/state", "playing"},
		{"homeassistant/media_player/tv/last_updated", "2026-01-01T19:02:11.403518+00:00"},
		{"homeassistant/media_player/tv/media_content_type", `"movie"`},
		{"homeassistant/media_player/tv/media_title", `"A Film"`},
	} {
		out, _ = s.Decode(out, m[0], []byte(m[1]), t0.Add(time.Duration(i)*time.Millisecond))
	}
	out = s.Flush(out, t0.Add(2*time.Second), false) // settled
	for _, c := range out {
		fmt.Println(c.Device, c.New.Value, c.New.ContentType, c.Time.Format(time.RFC3339Nano))
	}
	// Output:
	// media_player.tv playing movie 2026-01-01T19:02:11.403518Z
}

// NewStatestream takes the integration's base_topic (a trailing slash is
// ignored) and a settle time, 0 meaning DefaultSettle. An empty base or a
// negative settle is a *ConfigError matching ErrInvalidOption.
func ExampleNewStatestream() {
	s, err := home.NewStatestream("homeassistant/", 0)
	if err != nil {
		panic(err)
	}
	t0 := time.Date(2026, 1, 1, 19, 51, 47, 15_000_000, time.UTC)
	out, err := s.Decode(nil, "homeassistant/media_player/living_room_tv/state", []byte("off"), t0)
	fmt.Println(len(out), s.Pending(), err)
	out = s.Flush(out, t0.Add(home.DefaultSettle-time.Millisecond), false) // attributes may still follow
	fmt.Println(len(out), s.Pending())
	out = s.Flush(out, t0.Add(home.DefaultSettle), false)
	for _, c := range out {
		fmt.Println(c.Domain, c.New.Value, c.Time.Format(time.RFC3339Nano))
	}

	_, err = home.NewStatestream("", time.Second)
	var ce *home.ConfigError
	fmt.Println(errors.Is(err, home.ErrInvalidOption), errors.As(err, &ce) && ce.Field == "base")
	_, err = home.NewStatestream("homeassistant", -time.Second)
	fmt.Println(err)
	// Output:
	// 0 1 <nil>
	// 0 1
	// media_player off 2026-01-01T19:51:47.015Z
	// true true
	// home: invalid option: settle: is negative
}

// NewTracker checks the household's Config: here an instance set to °F,
// whose set-points keep that unit. A missing household, an unknown unit or
// an inconsistent appliance is a *ConfigError matching ErrInvalidOption.
func ExampleNewTracker() {
	tracker, err := home.NewTracker(home.Config{Household: "ha-7d3f0c9e", TemperatureUnit: "F"})
	if err != nil {
		panic(err)
	}
	msg := []byte(`{"id":9,"type":"event","event":{"event_type":"state_changed","data":{"entity_id":"climate.hallway",` +
		`"old_state":{"entity_id":"climate.hallway","state":"heat","attributes":{"temperature":68},"last_changed":"2026-01-01T06:00:00+00:00","last_updated":"2026-01-01T06:00:00+00:00"},` +
		`"new_state":{"entity_id":"climate.hallway","state":"heat","attributes":{"temperature":70,"hvac_action":"heating"},"last_changed":"2026-01-01T06:00:00+00:00","last_updated":"2026-01-01T07:20:31.650487+00:00"}},` +
		`"origin":"LOCAL","time_fired":"2026-01-01T07:20:31.650487+00:00","context":{"id":"01J","parent_id":null,"user_id":null}}}`)
	var c home.StateChange
	if err := home.DecodeWebSocket(msg, &c); err != nil {
		panic(err)
	}
	occ, err := tracker.Observe(nil, &c)
	if err != nil {
		panic(err)
	}
	for _, o := range occ {
		fmt.Println(o.Kind, o.PrevSetpoint, "->", o.Setpoint, o.TemperatureUnit)
	}

	_, err = home.NewTracker(home.Config{})
	fmt.Println(err)
	_, err = home.NewTracker(home.Config{Household: "ha-7d3f0c9e", TemperatureUnit: "K"})
	fmt.Println(errors.Is(err, home.ErrInvalidOption), err)
	_, err = home.NewTracker(home.Config{Household: "ha-7d3f0c9e",
		Appliances: map[string]home.Appliance{"washer_plug": {Name: "washer", StartWatts: 5, EndWatts: 10}}})
	var ce *home.ConfigError
	fmt.Println(errors.As(err, &ce), ce.Reason)
	// Output:
	// Climate Set Point Changed 68 -> 70 F
	// home: invalid option: Household: is empty
	// true home: invalid option: TemperatureUnit: must be C or F
	// true exceeds StartWatts
}

// A washing machine behind a metering plug: the cycle starts, pauses, and
// ends when the plug has reported low power for EndAfter, or when Advance
// passes that point.
func ExampleTracker_Advance() {
	tracker, _ := home.NewTracker(home.Config{
		Household:  "ha-7d3f0c9e",
		Appliances: map[string]home.Appliance{"washer_plug": {Name: "washer"}},
	})
	day := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	var occ []home.Occurrence
	for _, r := range []struct {
		min     int
		payload string
	}{
		{0, `{"power":0.4,"energy":12.00,"state":"ON"}`},
		{1, `{"power":1843.2,"energy":12.00,"state":"ON"}`},
		{4, `{"power":230.0,"energy":12.09,"state":"ON"}`},
		{85, `{"power":1.1,"energy":13.05,"state":"ON"}`},
	} {
		var c home.StateChange
		_ = home.DecodeZigbee("", "zigbee2mqtt/washer_plug", []byte(r.payload), day.Add(time.Duration(r.min)*time.Minute), &c)
		occ, _ = tracker.Observe(occ, &c)
	}
	occ, _ = tracker.Advance(occ, day.Add(95*time.Minute))
	for _, o := range occ {
		fmt.Println(o.Kind, o.Time.Format("15:04"), o.Duration, o.Energy)
	}
	// Output:
	// Appliance Cycle Started 09:01 0s 0
	// Appliance Cycle Completed 10:25 1h24m0s 1.05
}

func ExampleOccurrence_Event() {
	o := home.Occurrence{
		Kind: home.KindMediaSessionStarted, Source: home.SourceWebSocket, Household: "ha-7d3f0c9e",
		Device: "media_player.living_room_tv", DeviceKind: "media_player",
		Time: time.Date(2026, 1, 1, 19, 2, 11, 0, time.UTC), ContentType: "tv_show", App: "Netflix",
	}
	_, err := o.Event(home.EventOptions{})
	fmt.Println(err)

	p, _ := connected.NewPseudonymizer([]byte("a secret key of 32 bytes or so.."))
	e, _ := o.Event(home.EventOptions{Pseudonymizer: p})
	fmt.Println(e.Event, e.Category, e.Context.Channel, e.Properties["content_type"], e.Properties["app_name"])
	fmt.Println(e.Properties["device_id"] == home.DevicePseudonym(p, "ha-7d3f0c9e", "media_player.living_room_tv"))
	// Output:
	// home: pseudonymizer required for household and device identifiers
	// Media Session Started behavioral home tv_show Netflix
	// true
}
