package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/home"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
)

// homeFlags enable both smart-home inputs for household flat-7 (whose
// consent the test consent file grants: analytics and location) and let
// the sink take presence and behavioral data.
var homeFlags = []string{"-ha-statestream", "homeassistant", "-zigbee2mqtt", "zigbee2mqtt/", "-household", "flat-7",
	"-categories", "location,device,health,identity,presence,behavioral"}

// loadStatestream reads testdata/homeassistant.tsv: receive time, topic and
// payload as mqtt_statestream publishes them (the state unquoted).
func loadStatestream(t testing.TB) []mqtttransport.Message {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "homeassistant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []mqtttransport.Message
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			t.Fatalf("bad line %q", line)
		}
		at, err := time.Parse(time.RFC3339Nano, parts[0])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, mqtttransport.Message{Topic: parts[1], Payload: []byte(parts[2]), Received: at})
	}
	return out
}

// loadZigbee reads testdata/zigbee2mqtt.jsonl: Zigbee2MQTT messages with
// their receive time.
func loadZigbee(t testing.TB) []mqtttransport.Message {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "zigbee2mqtt.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []mqtttransport.Message
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m struct {
			Received time.Time       `json:"received"`
			Topic    string          `json:"topic"`
			Payload  json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, mqtttransport.Message{Topic: m.Topic, Payload: m.Payload, Received: m.Received})
	}
	return out
}

// Home topics are routed by their base before the BLE formats are looked
// at: an HA entity called "presence" and a Zigbee device "hallway/presence"
// have the shape of OpenMQTTGateway presence topics.
func TestHomeTopicRouting(t *testing.T) {
	on := &config{StatestreamBase: "homeassistant", ZigbeeBase: "zigbee2mqtt"}
	off := &config{}
	for topic, want := range map[string]int{
		"homeassistant/binary_sensor/presence/state":         formatStatestream,
		"homeassistant/media_player/living_room_tv/app_name": formatStatestream,
		"zigbee2mqtt/hallway/presence":                       formatZigbee,
		"zigbee2mqtt/bridge/state":                           formatZigbee,
		"zigbee2mqtt":                                        formatZigbee,
		"zigbee2mqttx/hallway":                               formatUnknown,
		"home/store12-gw-shoes/BTtoMQTT":                     formatUnknown,
		"homeassistantx/sensor/x/state":                      formatUnknown,
	} {
		if got := on.homeFormat(topic); got != want {
			t.Errorf("homeFormat(%q) = %d, want %d", topic, got, want)
		}
		if got := off.homeFormat(topic); got != formatUnknown {
			t.Errorf("with no home input, homeFormat(%q) = %d", topic, got)
		}
	}
	// What the prefix routing prevents: the BLE classifier alone would
	// take these for OpenMQTTGateway presence messages.
	for _, topic := range []string{"homeassistant/binary_sensor/presence/state", "zigbee2mqtt/hallway/presence"} {
		if classify(topic) != formatOpenMQTTGateway {
			t.Errorf("classify(%q) no longer looks like OpenMQTTGateway: the routing test lost its point", topic)
		}
	}
}

func TestHomeFlags(t *testing.T) {
	c, err := parseFlags(append([]string{"-secret-file", writeFile(t, "s", string(testSecret))}, homeFlags...), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.ZigbeeBase != "zigbee2mqtt" || !slices.Contains(c.Topics, "homeassistant/#") || !slices.Contains(c.Topics, "zigbee2mqtt/#") ||
		!slices.Contains(c.Topics, "espresense/devices/#") || c.Settle != home.DefaultSettle {
		t.Errorf("config: zigbee base %q, topics %v, settle %v", c.ZigbeeBase, c.Topics, c.Settle)
	}
	for name, args := range map[string][]string{
		"no household":   {"-ha-statestream", "homeassistant"},
		"household only": {"-household", "flat-7"},
		"same base":      {"-ha-statestream", "ha", "-zigbee2mqtt", "ha", "-household", "h"},
		"filter as base": {"-zigbee2mqtt", "zigbee2mqtt/#", "-household", "h"},
		"zero settle":    {"-ha-statestream", "ha", "-household", "h", "-ha-settle", "0s"},
	} {
		if _, err := parseFlags(append([]string{"-secret-file", writeFile(t, "s", string(testSecret))}, args...), io.Discard); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The sample statestream and Zigbee2MQTT messages, in the formats the two
// projects publish, come out at the sink as the household's events:
// pseudonymous, consent-gated, without titles, names or coordinates.
func TestHomeInputsToSink(t *testing.T) {
	g, out := unconnectedGateway(t, homeFlags...)
	ctx := context.Background()
	msgs := append(loadStatestream(t), loadZigbee(t)...)
	for _, m := range msgs {
		if err := g.handle(ctx, m); err != nil {
			t.Fatalf("%s: %v", m.Topic, err)
		}
	}
	rep, err := g.shutdown(ctx)
	if err != nil {
		t.Fatal(err)
	}
	evs, raw := readEvents(t, out)
	if rep.ParseErrors != 0 || rep.Messages != uint64(len(msgs)) {
		t.Errorf("messages %d of %d, parse errors %d", rep.Messages, len(msgs), rep.ParseErrors)
	}
	if rep.EmitErrors != 0 || rep.Emitted != rep.HomeEvents || rep.HomeEvents == 0 {
		t.Errorf("emitted %d (errors %d) of %d home events", rep.Emitted, rep.EmitErrors, rep.HomeEvents)
	}
	checkHomeEvents(t, g.pseud, evs, raw)
}

// checkHomeEvents checks what the sample smart-home messages become at
// the sink: the household's events, pseudonymous, consent-gated, without
// titles, names or coordinates.
func checkHomeEvents(t *testing.T, pseud *connected.Pseudonymizer, evs []connected.Event, raw []byte) {
	t.Helper()
	hh := devicePseudonym(pseud, "household:flat-7")
	if hh != home.HouseholdPseudonym(pseud, "flat-7") {
		t.Fatalf("the consent file's household pseudonym %s is not the events' %s", hh, home.HouseholdPseudonym(pseud, "flat-7"))
	}
	var got []string
	for _, ev := range evs {
		if ev.Event == "Identity Linked" {
			continue
		}
		if ev.AnonymousID != hh || ev.Context.Channel != connected.ChannelHome || ev.Context.Location.PlaceID != "store-12" {
			t.Errorf("event %s: anonymousId %s, channel %s, place %s", ev.Event, ev.AnonymousID, ev.Context.Channel, ev.Context.Location.PlaceID)
		}
		line := ev.Event + " " + string(ev.Category)
		for _, k := range []string{"content_type", "app_name", "presence", "to_state", "setpoint"} {
			if v, ok := ev.Properties[k]; ok {
				line += " " + k + "=" + strings.TrimSpace(strings.Trim(mustJSON(t, v), `"`))
			}
		}
		got = append(got, line)
	}
	want := []string{
		"Media Session Started behavioral content_type=movie app_name=Netflix",
		"Presence Changed presence presence=away",
		"Presence Changed presence presence=clear",
		"Presence Changed presence presence=occupied",
		"Device State Changed presence to_state=open",
		"Climate Set Point Changed device setpoint=21.5",
		"Media Session Ended behavioral content_type=movie app_name=Netflix",
		"Device State Changed device to_state=off",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("events at the sink:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	lower := strings.ToLower(string(raw))
	for _, clear := range []string{"flat-7", "person.mia", "living_room_tv", "a film", "3c1d7e0a", "front_door", "hallway", "52.49", "13.42", "thermostat_living"} {
		if strings.Contains(lower, clear) {
			t.Errorf("the sink received %q in the clear", clear)
		}
	}
}

// Malformed smart-home messages are refused with the home package's typed
// errors and counted; nothing reaches the sink for them.
func TestHomeInputsMalformed(t *testing.T) {
	g, _ := unconnectedGateway(t, homeFlags...)
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		topic, payload string
		want           error
	}{
		{"homeassistant/media_player/tv/state", "playing", nil},
		{"homeassistant/media_player/tv/app_name", `"Netflix`, home.ErrTruncated},
		{"homeassistant/media_player/tv/source_list", `["HDMI 1",]`, home.ErrSyntax},
		{"homeassistant/state", "on", home.ErrTopic},
		{"zigbee2mqtt/front_door", `{"contact":"closed"}`, home.ErrFieldType},
		{"zigbee2mqtt/front_door", `{"contact":true`, home.ErrTruncated},
		{"zigbee2mqtt/front_door", `[1,2]`, home.ErrFieldType},
	} {
		err := g.handle(ctx, mqtttransport.Message{Topic: tc.topic, Payload: []byte(tc.payload), Received: at})
		var de *home.DecodeError
		if tc.want == nil {
			if err != nil {
				t.Errorf("%s %q: %v", tc.topic, tc.payload, err)
			}
			continue
		}
		if !errors.Is(err, tc.want) || !errors.As(err, &de) {
			t.Errorf("%s %q: %v, want a *home.DecodeError matching %v", tc.topic, tc.payload, err, tc.want)
		}
	}
	if rep := g.report(); rep.ParseErrors != 6 || rep.HomeEvents != 0 {
		t.Errorf("parse errors %d, home events %d; want 6 and 0", rep.ParseErrors, rep.HomeEvents)
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The same samples published to a broker: the gateway subscribes to the
// bases on its own (-ha-statestream, -zigbee2mqtt add "<base>/#") beside
// the BLE topics, and the result at the sink is the same.
func TestEndToEndHomeInputs(t *testing.T) {
	broker := startBroker(t)
	out := filepath.Join(t.TempDir(), "events.ndjson")
	r := startGateway(t, testConfig(t, broker, append([]string{"-deliver", "file", "-out", out}, homeFlags...)...))
	var samples []sample
	for _, m := range append(loadStatestream(t), loadZigbee(t)...) {
		samples = append(samples, sample{Topic: m.Topic, Payload: m.Payload})
	}
	samples = append(samples, loadSamples(t, "openmqttgateway")...)
	publish(t, publisher(t, broker), samples)
	waitFor(t, "every message handled", func() bool { return r.g.report().Messages == uint64(len(samples)) })
	rep, err := r.stop(t)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ParseErrors != 0 || rep.HomeEvents == 0 || rep.ZoneEvents == 0 {
		t.Errorf("parse errors %d, home events %d, zone events %d", rep.ParseErrors, rep.HomeEvents, rep.ZoneEvents)
	}
	evs, raw := readEvents(t, out)
	var homeEvs []connected.Event
	for _, ev := range evs {
		if ev.Context.Channel == connected.ChannelHome {
			homeEvs = append(homeEvs, ev)
		}
	}
	checkHomeEvents(t, testPseudonymizer(t, deriveKeys(testSecret).device), homeEvs, raw)
}
