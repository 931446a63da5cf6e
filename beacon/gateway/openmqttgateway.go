package gateway

import (
	"errors"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

// OpenMQTTGateway is one BTtoMQTT (or presence) message of OpenMQTTGateway
// or Theengs Gateway, decoded.
type OpenMQTTGateway struct {
	// Gateway is the gateway's name from the topic (<base>/<gateway>/BTtoMQTT,
	// <base>/presence/<gateway> or <base>/<gateway>/presence).
	Gateway string
	// Advertisement is the rebuilt advertisement: address, random flag (when
	// mac_type is published), RSSI, TX power level, receive time, observer
	// (= Gateway), and the raw manufacturer and service data when the
	// firmware publishes them (pubadvdata / publish_advdata, or Theengs
	// Gateway's undecoded messages). Its slices are owned by this value.
	Advertisement beacon.Advertisement
	// Name is the advertised local name, if any.
	Name string
	// Distance is the firmware's own distance estimate in metres (0 if
	// none). Prefer the beacon package's models, calibrated per gateway.
	Distance float64
	// Decoded holds what the firmware's decoder (Theengs Decoder) made of
	// the advertisement. With default settings both firmwares strip the raw
	// data and publish only these fields.
	Decoded Decoded
	// UnkeyedServiceData is "servicedata" published without a
	// "servicedatauuid" (firmware before the UUID was added): kept, flagged
	// with WarnServiceDataNoUUID, not decoded (its UUID is unknown).
	UnkeyedServiceData []byte
	// Warnings lists what was accepted but is not the firmware's current
	// documented shape, or what was taken from decoded fields.
	Warnings Warnings
}

// Decoded is the part of a message that the firmware decoded itself.
type Decoded struct {
	Brand, Model, ModelID string // "brand", "model", "model_id" ("IBEACON", "KSensor", ...)
	Type                  string // "type": the decoder's device class ("BCON", "RMAC", "TRACK", ...)
	// IBeacon is the iBeacon the decoder reported (model_id "IBEACON":
	// "uuid", "major", "minor" and, when the power byte is a power,
	// "txpower"), valid when HasIBeacon. HasTxPower says whether
	// IBeacon.MeasuredPower came from the message; without it the decoder
	// published the power byte as "volt" and MeasuredPower is 0.
	IBeacon    beacon.IBeacon
	HasIBeacon bool
	HasTxPower bool
}

// Warnings is a set of oddities of an accepted message; the zero value
// means none.
type Warnings uint8

// The warnings.
const (
	// WarnServiceDataNoUUID: "servicedata" came without "servicedatauuid"
	// (older OpenMQTTGateway); it is in UnkeyedServiceData, undecoded.
	WarnServiceDataNoUUID Warnings = 1 << iota
	// WarnDecodedIdentity: the beacon identity comes from the firmware's
	// decoded fields because the raw data was not published (the default
	// of both firmwares).
	WarnDecodedIdentity
)

var warningNames = []string{"servicedata-without-uuid", "decoded-identity"}

// Has reports whether all warnings in x are set in w.
func (w Warnings) Has(x Warnings) bool { return w&x == x }

// String lists the set warnings separated by "|", or "none".
func (w Warnings) String() string {
	if w == 0 {
		return "none"
	}
	var parts []string
	for i, n := range warningNames {
		if w&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, "|")
}

// ParseOpenMQTTGateway decodes one message of OpenMQTTGateway or Theengs
// Gateway. Accepted topics:
//
//   - <base>/<gateway>/BTtoMQTT[/<level>]: the level, when present, is the
//     device address without colons (any case), or, with the
//     pubBeaconUuidForTopic option, the iBeacon UUID of a message whose
//     model_id is IBEACON;
//   - <base>/presence/<gateway> (OpenMQTTGateway's hasspresence topic) and
//     <base>/<gateway>/presence (Theengs Gateway's presence_topic).
//
// The payload needs "id" and "rssi". "id" is the device address; with the
// presenceUseBeaconUuid option it is the iBeacon UUID and the address is
// in "mac". Raw "manufacturerdata" and "servicedata" (+ "servicedatauuid",
// "0xfeaa" or "feaa" or a 128-bit UUID) are decoded into the
// Advertisement when present; decoded iBeacon fields fill Decoded (see
// Frame). "txpower" is the iBeacon's 1 m power for model_id IBEACON (the
// decoder overwrites the field) and the advertised TX power level
// otherwise. Other decoded fields (temperature, battery, ...) are ignored.
// received is when the message arrived (the firmware sends no timestamp).
// Theengs Gateway on macOS publishes CoreBluetooth UUIDs instead of
// addresses; those get ErrBadValue for "id".
func ParseOpenMQTTGateway(topic string, payload []byte, received time.Time) (OpenMQTTGateway, error) {
	const f = FormatOpenMQTTGateway
	levels := strings.Split(topic, "/")
	n := len(levels)
	bt := -1
	for i, l := range levels {
		if l == "BTtoMQTT" {
			bt = i
		}
	}
	gw, last := "", ""
	switch {
	case bt >= 1 && bt >= n-2 && levels[bt-1] != "":
		gw = levels[bt-1]
		if bt == n-2 {
			last = levels[n-1]
		}
	case n >= 2 && levels[n-2] == "presence" && levels[n-1] != "":
		gw = levels[n-1]
	case n >= 2 && levels[n-1] == "presence" && levels[n-2] != "":
		gw = levels[n-2]
	default:
		return OpenMQTTGateway{}, perr(f, "topic", wrap(ErrTopic, errors.New("want <base>/<gateway>/BTtoMQTT[/<MAC>] or a presence topic, got "+quote(topic))))
	}
	o, err := decodeObject(f, payload)
	if err != nil {
		return OpenMQTTGateway{}, err
	}
	m := OpenMQTTGateway{Gateway: gw}
	adv := &m.Advertisement
	adv.Time, adv.Observer = received, m.Gateway

	d := &m.Decoded
	d.Brand, d.Model, d.ModelID, d.Type = o.str("brand", false), o.str("model", false), o.str("model_id", false), o.str("type", false)
	isIBeacon := d.ModelID == "IBEACON"
	if isIBeacon && o.err == nil {
		m.decodeIBeacon(o)
	}

	id := o.str("id", true)
	if o.err == nil {
		a, err := beacon.ParseAddress(id)
		if err != nil {
			// presenceUseBeaconUuid: id is the iBeacon UUID, the address in "mac".
			mac := o.str("mac", false)
			if mac == "" || !d.HasIBeacon || !sameUUID(id, d.IBeacon.UUID) {
				o.fail("id", wrap(ErrBadValue, err))
			} else if a, err = beacon.ParseAddress(mac); err != nil {
				o.fail("mac", wrap(ErrBadValue, err))
			}
		}
		adv.Address = a
	}
	if last != "" && o.err == nil {
		a, err := beacon.ParseAddress(last)
		uuidTopic := d.HasIBeacon && sameUUID(last, d.IBeacon.UUID)
		if !uuidTopic && (err != nil || a != adv.Address) {
			o.fail("topic", wrap(ErrTopic, errors.New("level "+quote(last)+" is neither the address "+quote(id)+" nor the iBeacon UUID")))
		}
	}
	if t, ok := o.integer("mac_type", 0, 3); ok {
		adv.AddressRandom = t != 0 // 0 public; 1 random; 2, 3 resolvable/random identity
	}
	if r, ok := o.integer("rssi", -127, 20); ok {
		adv.RSSI = beacon.RSSI(r)
	} else if o.err == nil {
		adv.RSSI = beacon.RSSIUnknown
		if !o.has("rssi") {
			o.fail("rssi", ErrMissingField)
		}
	}
	if !isIBeacon {
		if p, ok := o.integer("txpower", -127, 127); ok {
			adv.TxPowerLevel, adv.HasTxPowerLevel = int8(p), true
		}
	}
	m.Name = o.str("name", false)
	if dist, ok := o.num("distance", 0, maxDistance); ok {
		m.Distance = dist
	}
	if md := o.hexBytes("manufacturerdata"); md != nil {
		if err := adv.AddManufacturerData(md); err != nil {
			o.fail("manufacturerdata", wrap(ErrBadValue, err))
		}
	}
	if sd := o.hexBytes("servicedata"); sd != nil {
		if u := o.str("servicedatauuid", false); u != "" {
			uuid, err := parseServiceUUID(u)
			if err != nil {
				o.fail("servicedatauuid", wrap(ErrBadValue, err))
			}
			adv.AddServiceData(uuid, sd)
		} else if o.err == nil {
			m.UnkeyedServiceData = sd
			m.Warnings |= WarnServiceDataNoUUID
		}
	}
	if o.err != nil {
		return OpenMQTTGateway{}, o.err
	}
	if d.HasIBeacon && len(adv.Manufacturer) == 0 {
		m.Warnings |= WarnDecodedIdentity
	}
	return m, nil
}

// maxDistance bounds firmware distance estimates: the curve-fitted formula
// both firmwares use reaches kilometres for weak signals; anything beyond
// this is not a distance.
const maxDistance = 1e9

// decodeIBeacon reads the Theengs Decoder iBeacon fields: uuid (32 hex),
// major and minor (decoded as signed 16-bit values, so 40000 arrives as
// -25536), txpower (signed, present when the power byte is negative).
func (m *OpenMQTTGateway) decodeIBeacon(o *object) {
	d := &m.Decoded
	u := o.str("uuid", true)
	major, ok1 := o.integer("major", -32768, 65535)
	minor, ok2 := o.integer("minor", -32768, 65535)
	if o.err != nil {
		return
	}
	if !ok1 || !ok2 {
		field := "major"
		if ok1 {
			field = "minor"
		}
		o.fail(field, ErrMissingField)
		return
	}
	uuid, err := beacon.ParseUUID(u)
	if err != nil || len(u) != 32 {
		o.fail("uuid", wrap(ErrBadValue, errors.New("not 32 hex digits: "+quote(u))))
		return
	}
	d.IBeacon = beacon.IBeacon{UUID: uuid, Major: uint16(major), Minor: uint16(minor)}
	if p, ok := o.integer("txpower", -128, 127); ok {
		d.IBeacon.MeasuredPower, d.HasTxPower = int8(p), true
	}
	if d.IBeacon.UUID == (beacon.UUID{}) {
		d.IBeacon.Warnings |= beacon.WarnZeroID
	}
	if d.IBeacon.MeasuredPower >= 0 || d.IBeacon.MeasuredPower == -128 {
		d.IBeacon.Warnings |= beacon.WarnTxPowerRange
	}
	d.HasIBeacon = o.err == nil
}

// sameUUID reports whether s is u as 32 hex digits (any case).
func sameUUID(s string, u beacon.UUID) bool {
	if len(s) != 32 {
		return false
	}
	v, err := beacon.ParseUUID(s)
	return err == nil && v == u
}

// Frame returns the beacon frame of the message: the frame decoded from
// the raw data when the firmware published it (beacon.Parse, which wins
// over decoded fields), else the iBeacon of the decoded fields, else
// beacon.ErrNotBeacon (a phone, a sensor, a tag: track it by address).
// Malformed raw data gets beacon.Parse's *beacon.ParseError. A frame from
// decoded fields without "txpower" has MeasuredPower 0 and
// WarnTxPowerRange, so that its power is never taken for a calibration.
func (m *OpenMQTTGateway) Frame() (beacon.Frame, error) {
	f, err := beacon.Parse(&m.Advertisement)
	if err == nil || !errors.Is(err, beacon.ErrNotBeacon) || !m.Decoded.HasIBeacon {
		return f, err
	}
	return beacon.Frame{Format: beacon.FormatIBeacon, IBeacon: m.Decoded.IBeacon}, nil
}

// parseServiceUUID reads "0xfeaa", "feaa" or a full 128-bit UUID.
func parseServiceUUID(s string) (beacon.UUID, error) {
	short := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(short) == 4 {
		var v uint16
		for _, c := range []byte(short) {
			d, ok := hexVal(c)
			if !ok {
				return beacon.UUID{}, errors.New("bad 16-bit UUID " + quote(s))
			}
			v = v<<4 | uint16(d)
		}
		return beacon.UUID16(v), nil
	}
	return beacon.ParseUUID(s)
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// quote bounds and quotes a value for an error message.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return "\"" + strings.ToValidUTF8(s, "\uFFFD") + "\""
}
