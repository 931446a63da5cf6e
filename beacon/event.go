package beacon

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// ErrNoHashKey is returned by ZoneEvent.Event when the event identifies a
// device and EventOptions.HashKey is empty: device identifiers leave this
// package only as keyed hashes.
var ErrNoHashKey = errors.New("beacon: hash key required for device identifiers")

// EventOptions controls the mapping of ZoneEvents to connected events.
type EventOptions struct {
	// HashKey is the HMAC-SHA256 key that pseudonymises device identifiers
	// (see HashID). Required whenever the subject is a transmitter (Subject
	// "") or the beacon is a bare device address. Keep it secret and stable:
	// rotating it changes every pseudonym.
	HashKey []byte
	// Channel is context.channel; default connected.ChannelStore.
	Channel connected.Channel
}

// HashID returns the pseudonym of id under key: "ble_" followed by the hex
// HMAC-SHA256 of the identifier's text form. It allocates.
func HashID(key []byte, id BeaconID) string {
	m := hmac.New(sha256.New, key)
	b, _ := id.AppendText(make([]byte, 0, 64))
	m.Write(b)
	return "ble_" + hex.EncodeToString(m.Sum(nil))
}

// Event maps e to a connected track event: "Zone Entered", "Zone Dwelled"
// or "Zone Exited", category location, context.channel store (or
// o.Channel), context.location {place, zone}, originalTimestamp e.Time.
// The identity is userId = e.Subject for customers, or anonymousId =
// HashID(key, transmitter) when the transmitter is the subject. Properties
// (snake_case): zone, place_id, dwell_seconds (dwelled, exited),
// entered_at, distance_m, distance_min_m, distance_max_m (when known),
// proximity (when known), rssi_dbm, confidence, beacon_id (hashed for device addresses and
// transmitter subjects), gateway_id, switched (exited). It returns
// ErrNoHashKey rather than put a device identifier in the clear.
func (e ZoneEvent) Event(o EventOptions) (connected.Event, error) {
	ch := o.Channel
	if ch == "" {
		ch = connected.ChannelStore
	}
	ev := connected.Event{
		Type:              connected.TypeTrack,
		OriginalTimestamp: e.Time,
		Category:          connected.CategoryLocation,
		Context:           connected.Context{Channel: ch, Location: connected.Location{PlaceID: e.Place, Zone: e.Zone}},
	}
	switch e.Kind {
	case ZoneEntered:
		ev.Event = connected.EventZoneEntered
	case ZoneDwelled:
		ev.Event = connected.EventZoneDwelled
	case ZoneExited:
		ev.Event = connected.EventZoneExited
	default:
		return connected.Event{}, errors.New("beacon: zone event without a kind")
	}
	deviceSubject := e.Subject == ""
	beaconID := ""
	if deviceSubject || e.Beacon.Kind == FormatAddress {
		if len(o.HashKey) == 0 {
			return connected.Event{}, ErrNoHashKey
		}
		beaconID = HashID(o.HashKey, e.Beacon)
	} else {
		beaconID = e.Beacon.String()
	}
	if deviceSubject {
		ev.AnonymousID = beaconID
		ev.Context.Device = connected.Device{ID: beaconID, Type: "ble"}
	} else {
		ev.UserID = e.Subject
	}
	p := connected.Properties{
		"zone":       e.Zone,
		"place_id":   e.Place,
		"entered_at": e.EnteredAt,
		"rssi_dbm":   math.Round(e.RSSI*10) / 10,
		"confidence": math.Round(e.Confidence*100) / 100,
		"beacon_id":  beaconID,
	}
	if e.Gateway != "" {
		p["gateway_id"] = e.Gateway
	}
	if e.Kind != ZoneEntered {
		p["dwell_seconds"] = e.Dwell.Seconds()
	}
	if e.Kind == ZoneExited {
		p["switched"] = e.Switched
	}
	if e.Proximity != ProximityUnknown {
		p["proximity"] = e.Proximity.String()
	}
	if e.Distance.OK {
		p["distance_m"] = round2(e.Distance.Meters)
		p["distance_min_m"] = round2(e.Distance.Min)
		p["distance_max_m"] = round2(e.Distance.Max)
	}
	ev.Properties = p
	return ev, nil
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
