package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/beacon/gateway"
)

var gatewayDecode = &command{
	name: "gateway decode", args: "<topic> <payload>", nargs: [2]int{2, 2},
	summary: "decode an ESPresense or OpenMQTTGateway/Theengs MQTT message",
	details: `Decodes one MQTT message of BLE gateway firmware (package beacon/gateway):
ESPresense device reports (espresense/devices/<id>/<room>,
espresense/rooms/<room>) and OpenMQTTGateway or Theengs Gateway BTtoMQTT and
presence messages. --format auto (the default) picks by the topic. The payload
is the JSON the gateway published; "-" reads it from standard input. Prints
the sighting the beacon.Tracker would get (room or gateway, RSSI, distance,
1 m power), what the firmware decoded, the beacon frame when there is one and
the warnings. A message that does not decode is reported with the format,
field and reason, and exits 1.

Device identifiers (ESPresense ids, MAC addresses, names, the beacon a device
advertises) are shown as pseudonyms unless --reveal; the topic, which holds
the device id, is not printed.`,
	define: func(fs *flag.FlagSet) func(*call, []string) error {
		format := fs.String("format", "auto", "message format: auto, espresense or openmqttgateway")
		at := fs.String("time", "", "receive time, RFC 3339 (default: now)")
		return func(c *call, args []string) error { return runGatewayDecode(c, args[0], args[1], *format, *at) }
	},
}

type sightingView struct {
	Time       string  `json:"time"`
	Subject    string  `json:"subject,omitempty"`
	IsDevice   bool    `json:"subjectIsDevice,omitempty"`
	Beacon     string  `json:"beacon,omitempty"`
	Gateway    string  `json:"gateway,omitempty"`
	Room       string  `json:"room,omitempty"`
	RSSI       *int    `json:"rssi,omitempty"`
	TxPower1m  *int    `json:"txPower1m,omitempty"`
	DistanceM  float64 `json:"distanceMeters,omitempty"`
	DeviceName string  `json:"name,omitempty"`
}

type gatewayView struct {
	Format   string        `json:"format"`
	Sighting *sightingView `json:"sighting,omitempty"` // ESPresense
	ID       string        `json:"id,omitempty"`       // ESPresense device id

	Gateway      string     `json:"gateway,omitempty"` // OpenMQTTGateway
	Address      string     `json:"address,omitempty"`
	RandomAddr   bool       `json:"addressRandom,omitempty"`
	RSSI         *int       `json:"rssi,omitempty"`
	TxPowerLevel *int       `json:"txPowerLevel,omitempty"`
	Name         string     `json:"name,omitempty"`
	DistanceM    float64    `json:"distanceMeters,omitempty"`
	Decoded      *decodedVw `json:"decoded,omitempty"`
	Frame        *frameView `json:"frame,omitempty"`
	FrameError   string     `json:"frameError,omitempty"`
	RawData      []string   `json:"rawData,omitempty"` // what raw advertising data the message carried
	Warnings     []string   `json:"warnings"`
	Time         string     `json:"time,omitempty"`
}

type decodedVw struct {
	Brand   string `json:"brand,omitempty"`
	Model   string `json:"model,omitempty"`
	ModelID string `json:"modelId,omitempty"`
	Type    string `json:"type,omitempty"`
	IBeacon string `json:"ibeacon,omitempty"` // its identity, through the namer
}

func gwWarnings(w gateway.Warnings) []string {
	if w == 0 {
		return []string{}
	}
	return strings.Split(w.String(), "|")
}

func intp(v int) *int { return &v }

func runGatewayDecode(c *call, topic, payload, format, at string) error {
	if payload == "-" {
		b, err := c.readInput("-", 1<<20)
		if err != nil {
			return err
		}
		payload = string(b)
	}
	now := time.Now().UTC()
	if at != "" {
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return usagef("--time %q: want RFC 3339", at)
		}
		now = t.UTC()
	}
	if format == "auto" {
		switch {
		case strings.HasPrefix(topic, "espresense/"):
			format = gateway.FormatESPresense
		case strings.Contains(topic, "/BTtoMQTT") || strings.Contains(topic, "presence"):
			format = gateway.FormatOpenMQTTGateway
		default:
			return fmt.Errorf("cannot tell the format from the topic (want espresense/... or .../BTtoMQTT/...): give --format")
		}
	}
	var v gatewayView
	switch format {
	case gateway.FormatESPresense:
		m, err := gateway.ParseESPresense(topic, []byte(payload), now)
		if err != nil {
			return err
		}
		v = c.names.espresenseOf(&m)
	case gateway.FormatOpenMQTTGateway:
		m, err := gateway.ParseOpenMQTTGateway(topic, []byte(payload), now)
		if err != nil {
			return err
		}
		v = c.names.omgOf(&m)
	default:
		return usagef("--format %q: want auto, espresense or openmqttgateway", format)
	}
	if c.json {
		return writeJSON(c.stdout, v)
	}
	return table(c.stdout, v.rows())
}

func (n namer) beaconID(id beacon.BeaconID) string {
	if id.IsZero() {
		return ""
	}
	return n.id(id.String())
}

func (n namer) espresenseOf(m *gateway.ESPresense) gatewayView {
	s := m.Sighting
	sv := &sightingView{Time: fmtTime(s.Time), Subject: n.id(s.Subject), IsDevice: s.SubjectIsDevice,
		Beacon: n.beaconID(s.Beacon), Gateway: s.Gateway, Room: s.Room, DistanceM: s.Distance, DeviceName: n.id(m.Name)}
	if s.RSSI.Valid() {
		sv.RSSI = intp(int(s.RSSI))
	}
	if s.HasTxPower {
		sv.TxPower1m = intp(int(s.TxPower1m))
	}
	return gatewayView{Format: gateway.FormatESPresense, Sighting: sv, ID: n.id(m.ID), Warnings: []string{}}
}

func (n namer) omgOf(m *gateway.OpenMQTTGateway) gatewayView {
	a := &m.Advertisement
	v := gatewayView{Format: gateway.FormatOpenMQTTGateway, Gateway: m.Gateway, Address: n.id(a.Address.String()),
		RandomAddr: a.AddressRandom, Name: n.id(m.Name), DistanceM: m.Distance, Warnings: gwWarnings(m.Warnings),
		Time: fmtTime(a.Time)}
	if a.RSSI.Valid() {
		v.RSSI = intp(int(a.RSSI))
	}
	if a.HasTxPowerLevel {
		v.TxPowerLevel = intp(int(a.TxPowerLevel))
	}
	if d := m.Decoded; d != (gateway.Decoded{}) {
		dv := &decodedVw{Brand: d.Brand, Model: d.Model, ModelID: d.ModelID, Type: d.Type}
		if d.HasIBeacon {
			dv.IBeacon = n.beaconID(d.IBeacon.ID())
		}
		v.Decoded = dv
	}
	for _, md := range a.Manufacturer {
		v.RawData = append(v.RawData, fmt.Sprintf("manufacturer data, company 0x%04x, %d bytes", md.CompanyID, len(md.Data)))
	}
	for _, sd := range a.Service {
		v.RawData = append(v.RawData, fmt.Sprintf("service data %s, %d bytes", sd.UUID, len(sd.Data)))
	}
	if len(m.UnkeyedServiceData) > 0 {
		v.RawData = append(v.RawData, fmt.Sprintf("service data without UUID, %d bytes", len(m.UnkeyedServiceData)))
	}
	f, err := m.Frame()
	if err == nil {
		fv := n.frameOf(&f)
		v.Frame = &fv
	} else {
		v.FrameError = err.Error()
	}
	return v
}

func (v gatewayView) rows() [][]string {
	rows := [][]string{{"format", v.Format}}
	add := func(k, val string) {
		if val != "" {
			rows = append(rows, []string{k, val})
		}
	}
	num := func(p *int, unit string) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p) + unit
	}
	meters := func(m float64) string {
		if m <= 0 {
			return ""
		}
		return strconv.FormatFloat(m, 'f', 2, 64) + " m"
	}
	if s := v.Sighting; s != nil {
		add("id", v.ID)
		add("name", s.DeviceName)
		add("room", s.Room)
		add("time", s.Time)
		add("rssi", num(s.RSSI, " dBm"))
		add("tx power", num(s.TxPower1m, " dBm at 1 m"))
		add("distance", meters(s.DistanceM))
		add("beacon", s.Beacon)
		if s.Subject != "" {
			add("subject", s.Subject+map[bool]string{true: " (device)", false: ""}[s.IsDevice])
		}
	} else {
		add("gateway", v.Gateway)
		if v.RandomAddr {
			add("address", v.Address+" (random)")
		} else {
			add("address", v.Address)
		}
		add("name", v.Name)
		add("time", v.Time)
		add("rssi", num(v.RSSI, " dBm"))
		add("tx power level", num(v.TxPowerLevel, " dBm"))
		add("distance", meters(v.DistanceM))
		if d := v.Decoded; d != nil {
			add("decoded", strings.Join(nonEmpty(d.Brand, d.Model, d.ModelID, d.Type), " / "))
			add("decoded ibeacon", d.IBeacon)
		}
		for _, r := range v.RawData {
			add("raw", r)
		}
		if v.Frame != nil {
			rows = append(rows, v.Frame.rows("frame ")...)
		}
		add("frame", v.FrameError)
	}
	w := "none"
	if len(v.Warnings) > 0 {
		w = strings.Join(v.Warnings, ", ")
	}
	rows = append(rows, []string{"warnings", w})
	return rows
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
