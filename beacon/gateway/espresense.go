package gateway

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

// ESPresense is one ESPresense device report, decoded.
type ESPresense struct {
	// Room is the reporting node's room, from the topic.
	Room string
	// ID is the device id as ESPresense computed it ("iBeacon:...",
	// "irk:...", "apple:...", "md:...", a MAC, an alias, ...).
	ID string
	// Name is the device name, if reported.
	Name string
	// Sighting is ready for beacon.Tracker: Gateway and Room are the room,
	// Distance the node's filtered estimate, RSSI (rounded to whole dBm:
	// ESPresense 4 publishes a filtered value with two decimals) and
	// TxPower1m (rssi@1m) as reported. For iBeacon ids, Beacon is that
	// iBeacon and Subject is empty (the transmitter is located); for other
	// ids, Subject is the id with SubjectIsDevice set (so that it leaves
	// beacon.ZoneEvent.Event as a pseudonym, never as a userId) and Beacon
	// the MAC address when reported.
	Sighting beacon.Sighting
}

// ParseESPresense decodes one device report of ESPresense. Accepted topics
// (the prefix is "espresense" by default; any prefix is accepted):
//
//   - <prefix>/devices/<id>/<room>, where every version publishes; the
//     topic's id must match the payload's "id";
//   - <prefix>/rooms/<room>, where versions before 4.0 also published
//     each report (pub_rooms); the id comes from the payload.
//
// Other topics, including <prefix>/rooms/<room>/telemetry and the query
// reports at <prefix>/devices/<id>/<room>/<report>, are not sightings and
// get ErrTopic. The payload needs "id" and a valid "rssi" or a "distance";
// numbers may carry decimals ("rssi":-81.10 from 4.x, "rssi@1m":-59 from
// all versions). Fields of older versions (idType, raw, speed, interval,
// disc) and newer ones (rssiVar, var, rxAdj, int, close, irk, batt, mV,
// temp, rh) are accepted and ignored. received is when the message
// arrived.
func ParseESPresense(topic string, payload []byte, received time.Time) (ESPresense, error) {
	const f = FormatESPresense
	levels := strings.Split(topic, "/")
	n := len(levels)
	var room, topicID string
	switch {
	case n >= 4 && levels[n-3] == "devices" && levels[n-2] != "" && levels[n-1] != "":
		room, topicID = levels[n-1], levels[n-2]
	case n >= 3 && levels[n-2] == "rooms" && levels[n-1] != "":
		room = levels[n-1]
	default:
		return ESPresense{}, perr(f, "topic", wrap(ErrTopic, errors.New("want <prefix>/devices/<id>/<room> or <prefix>/rooms/<room>, got "+quote(topic))))
	}
	o, err := decodeObject(f, payload)
	if err != nil {
		return ESPresense{}, err
	}
	m := ESPresense{Room: room}
	m.ID = o.str("id", true)
	if o.err == nil && topicID != "" && m.ID != topicID {
		o.fail("topic", wrap(ErrTopic, errors.New("id level "+quote(topicID)+" does not match id "+quote(m.ID))))
	}
	m.Name = o.str("name", false)
	s := &m.Sighting
	s.Time, s.Gateway, s.Room = received, m.Room, m.Room
	s.RSSI = beacon.RSSIUnknown
	if r, ok := o.num("rssi", -127.5, 20.5); ok {
		s.RSSI = beacon.RSSI(math.Round(r))
	}
	if p, ok := o.num("rssi@1m", -128.5, 127.5); ok {
		s.TxPower1m, s.HasTxPower = int8(math.Round(p)), true
	}
	if d, ok := o.num("distance", 0, maxDistance); ok {
		s.Distance = d
	}
	if o.err == nil && !s.RSSI.Valid() && s.Distance <= 0 {
		o.fail("rssi", wrap(ErrMissingField, errors.New("neither a valid rssi nor a distance")))
	}
	var mac beacon.Address
	hasMAC := false
	if ms := o.str("mac", false); ms != "" && o.err == nil {
		a, err := beacon.ParseAddress(ms)
		if err != nil {
			o.fail("mac", wrap(ErrBadValue, err))
		}
		mac, hasMAC = a, true
	}
	if o.err != nil {
		return ESPresense{}, o.err
	}
	if id, ok, err := iBeaconID(m.ID); err != nil {
		return ESPresense{}, perr(f, "id", wrap(ErrBadValue, err))
	} else if ok {
		s.Beacon = id
	} else {
		s.Subject, s.SubjectIsDevice = m.ID, true
		if hasMAC {
			s.Beacon = beacon.AddressID(mac)
		}
	}
	return m, nil
}

// iBeaconID reads ESPresense's "iBeacon:<uuid>-<major>-<minor>" form.
func iBeaconID(id string) (beacon.BeaconID, bool, error) {
	rest, ok := strings.CutPrefix(id, "iBeacon:")
	if !ok {
		return beacon.BeaconID{}, false, nil
	}
	// The UUID itself has four dashes; major and minor follow the last two.
	i := strings.LastIndexByte(rest, '-')
	j := -1
	if i > 0 {
		j = strings.LastIndexByte(rest[:i], '-')
	}
	if j <= 0 {
		return beacon.BeaconID{}, false, errors.New("iBeacon id " + quote(id) + " is not <uuid>-<major>-<minor>")
	}
	major, err1 := strconv.ParseUint(rest[j+1:i], 10, 16)
	minor, err2 := strconv.ParseUint(rest[i+1:], 10, 16)
	if err1 != nil || err2 != nil {
		return beacon.BeaconID{}, false, errors.New("iBeacon id " + quote(id) + " has a bad major or minor")
	}
	bid, err := beacon.ParseBeaconID("ibeacon:" + rest[:j] + ":" + strconv.FormatUint(major, 10) + ":" + strconv.FormatUint(minor, 10))
	if err != nil {
		return beacon.BeaconID{}, false, err
	}
	return bid, true, nil
}
