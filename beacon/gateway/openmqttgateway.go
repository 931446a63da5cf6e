package gateway

import (
	"errors"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

// OpenMQTTGateway is one BTtoMQTT message of OpenMQTTGateway or Theengs
// Gateway, decoded.
type OpenMQTTGateway struct {
	// Gateway is the gateway's name from the topic (<base>/<gateway>/BTtoMQTT).
	Gateway string
	// Advertisement is the rebuilt advertisement: address, random flag, RSSI,
	// TX power level, receive time, observer (= Gateway), manufacturer and
	// service data. Its slices are owned by this value. Pass it to
	// beacon.Parse.
	Advertisement beacon.Advertisement
	// Name is the advertised local name, if any.
	Name string
	// Distance is the firmware's own distance estimate in metres (0 if
	// none). Prefer the beacon package's models, calibrated per gateway.
	Distance float64
}

// ParseOpenMQTTGateway decodes one BTtoMQTT message. topic must contain a
// "BTtoMQTT" level with the gateway name before it; a trailing MAC level,
// when present, must match the payload's "id". received is when the message
// arrived (the firmware sends no timestamp).
func ParseOpenMQTTGateway(topic string, payload []byte, received time.Time) (OpenMQTTGateway, error) {
	const f = FormatOpenMQTTGateway
	levels := strings.Split(topic, "/")
	bt := -1
	for i, l := range levels {
		if l == "BTtoMQTT" {
			bt = i
		}
	}
	if bt < 1 || bt < len(levels)-2 || levels[bt-1] == "" {
		return OpenMQTTGateway{}, perr(f, "topic", wrap(ErrTopic, errors.New("want <base>/<gateway>/BTtoMQTT[/<MAC>], got "+quote(topic))))
	}
	o, err := decodeObject(f, payload)
	if err != nil {
		return OpenMQTTGateway{}, err
	}
	m := OpenMQTTGateway{Gateway: levels[bt-1]}
	adv := &m.Advertisement
	adv.Time, adv.Observer = received, m.Gateway

	id := o.str("id", true)
	if o.err == nil {
		a, err := beacon.ParseAddress(id)
		if err != nil {
			o.fail("id", wrap(ErrBadValue, err))
		}
		adv.Address = a
	}
	if bt == len(levels)-2 && o.err == nil {
		a, err := beacon.ParseAddress(levels[bt+1])
		if err != nil || a != adv.Address {
			o.fail("topic", wrap(ErrTopic, errors.New("MAC level "+quote(levels[bt+1])+" does not match id "+quote(id))))
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
	if p, ok := o.integer("txpower", -127, 127); ok {
		adv.TxPowerLevel, adv.HasTxPowerLevel = int8(p), true
	}
	m.Name = o.str("name", false)
	if d, ok := o.num("distance", 0, 1e6); ok {
		m.Distance = d
	}
	if md := o.hexBytes("manufacturerdata"); md != nil {
		if err := adv.AddManufacturerData(md); err != nil {
			o.fail("manufacturerdata", wrap(ErrBadValue, err))
		}
	}
	if sd := o.hexBytes("servicedata"); sd != nil {
		u := o.str("servicedatauuid", true)
		if o.err == nil {
			uuid, err := parseServiceUUID(u)
			if err != nil {
				o.fail("servicedatauuid", wrap(ErrBadValue, err))
			}
			adv.AddServiceData(uuid, sd)
		}
	}
	if o.err != nil {
		return OpenMQTTGateway{}, o.err
	}
	return m, nil
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
