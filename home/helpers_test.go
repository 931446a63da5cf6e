package home_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/home"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

var testKey = []byte("home-test-pseudonym-key-0123456789")

func pseudonymizer(t testing.TB) *connected.Pseudonymizer {
	t.Helper()
	p, err := connected.NewPseudonymizer(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const household = "ha-instance-7d3f0c9e2b1a4f6e"

func newTracker(t testing.TB, onIgnored func(home.Ignored)) *home.Tracker {
	t.Helper()
	tr, err := home.NewTracker(home.Config{
		Household: household,
		Appliances: map[string]home.Appliance{
			"washer_plug":         {Name: "washer"},
			"sensor.washer_power": {Name: "washer"},
			"sensor.dishwasher":   {Name: "dishwasher"},
		},
		OnIgnored: onIgnored,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// zAt is a Zigbee2MQTT payload received at a time.
type zAt struct {
	device  string
	at      time.Time
	payload string
}

func washerRun(day time.Time) []zAt {
	at := func(h, m, s int) time.Time {
		return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
	}
	p := func(w, kwh float64) string {
		return fmt.Sprintf(`{"current":%.2f,"energy":%.2f,"linkquality":156,"power":%.1f,"state":"ON","voltage":231}`, w/231, kwh, w)
	}
	return []zAt{
		{"washer_plug", at(9, 0, 0), p(0.4, 12.00)},
		{"washer_plug", at(9, 1, 0), p(1843, 12.00)},
		{"washer_plug", at(9, 4, 0), p(230, 12.09)},
		{"washer_plug", at(9, 30, 0), p(2.0, 12.61)},
		{"washer_plug", at(9, 32, 0), p(60, 12.61)}, // a pause within the programme
		{"washer_plug", at(10, 25, 0), p(1.1, 13.05)},
		{"washer_plug", at(10, 31, 0), p(0.9, 13.05)}, // low for 6 minutes: done at 10:25
		{"washer_plug", at(10, 40, 0), p(1200, 13.05)},
		{"washer_plug", at(10, 40, 30), p(0.8, 13.06)}, // a spike
	}
}

// timeline feeds every sample, and a washer run, through one Tracker and
// returns the events.
func timeline(t *testing.T) []connected.Event {
	t.Helper()
	var ignored []home.Ignored
	tr := newTracker(t, func(i home.Ignored) { ignored = append(ignored, i) })
	var occ []home.Occurrence
	observe := func(c *home.StateChange) {
		var err error
		occ, err = tr.Observe(occ, c)
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"new_entity", "climate_setpoint", "person_left"} {
		var c home.StateChange
		if err := home.DecodeWebSocket(readFile(t, "testdata/ws/"+f+".json"), &c); err != nil {
			t.Fatal(err)
		}
		observe(&c)
	}
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	run := washerRun(day)
	run = append(run,
		zAt{"hall/front_door", day.Add(17*time.Hour + 58*time.Minute), string(readFile(t, "testdata/z2m/door_contact.json"))},
		zAt{"hall/front_door", day.Add(17*time.Hour + 59*time.Minute), `{"battery":100,"contact":true,"linkquality":98,"voltage":3025}`},
	)
	for _, z := range run {
		var c home.StateChange
		if err := home.DecodeZigbee("zigbee2mqtt", "zigbee2mqtt/"+z.device, []byte(z.payload), z.at, &c); err != nil {
			t.Fatal(err)
		}
		observe(&c)
	}
	for _, f := range []string{"media_player_playing", "media_player_off", "occupancy_clear"} {
		var c home.StateChange
		if err := home.DecodeWebSocket(readFile(t, "testdata/ws/"+f+".json"), &c); err != nil {
			t.Fatal(err)
		}
		observe(&c)
	}
	if len(ignored) != 1 || ignored[0].Reason != home.IgnoreSpike {
		t.Errorf("ignored %v, want one spike", ignored)
	}
	p := pseudonymizer(t)
	events := make([]connected.Event, len(occ))
	for i := range occ {
		e, err := occ[i].Event(home.EventOptions{Pseudonymizer: p})
		if err != nil {
			t.Fatal(err)
		}
		events[i] = e
	}
	return events
}

func time2(i int) time.Duration { return time.Duration(i) * time.Hour }
