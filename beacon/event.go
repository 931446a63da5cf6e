package beacon

import (
	"errors"
	"fmt"
	"math"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// ErrNoHashKey is returned by ZoneEvent.Event when the event identifies a
// device and neither EventOptions.Pseudonymizer nor a HashKey of at least
// connected.MinPseudonymKeyLen bytes is set (and RawDeviceIDs is not):
// device identifiers leave this package only as keyed pseudonyms. A short
// HashKey gets an error matching both ErrNoHashKey and
// connected.ErrPseudonymKey.
var ErrNoHashKey = errors.New("beacon: hash key required for device identifiers")

// EventOptions controls the mapping of ZoneEvents to connected events.
type EventOptions struct {
	// Pseudonymizer pseudonymises device identifiers (see
	// connected.Pseudonymizer). It takes precedence over HashKey and is
	// the efficient choice: build it once.
	Pseudonymizer *connected.Pseudonymizer
	// HashKey is the key of the pseudonyms when Pseudonymizer is nil; it
	// must be at least connected.MinPseudonymKeyLen bytes. A Pseudonymizer
	// is built from it on every call. Keep it secret and stable: rotating
	// it changes every pseudonym.
	HashKey []byte
	// RawDeviceIDs, when true, sends device identifiers in the clear
	// (anonymousId, context.device.id and beacon_id carry the identifier
	// itself). Only set it when the destination is allowed to receive them;
	// no key is needed then.
	RawDeviceIDs bool
	// Channel is context.channel; default connected.ChannelStore.
	Channel connected.Channel
}

// HashID returns the pseudonym of id under key: connected.Pseudonym of the
// identifier's text form (id.String()), the value ZoneEvent.Event puts in
// anonymousId for a transmitter subject. It returns "" when key is shorter
// than connected.MinPseudonymKeyLen. It allocates.
func HashID(key []byte, id BeaconID) string {
	s, err := connected.Pseudonym(key, id.String())
	if err != nil {
		return ""
	}
	return s
}

// deviceNamer gives the outgoing form of device identifiers: a pseudonym,
// or the identifier itself when the caller opted in.
type deviceNamer struct {
	p   *connected.Pseudonymizer
	raw bool
}

func newDeviceNamer(o *EventOptions) (deviceNamer, error) {
	if o.RawDeviceIDs {
		return deviceNamer{raw: true}, nil
	}
	if o.Pseudonymizer != nil {
		return deviceNamer{p: o.Pseudonymizer}, nil
	}
	if len(o.HashKey) == 0 {
		return deviceNamer{}, ErrNoHashKey
	}
	p, err := connected.NewPseudonymizer(o.HashKey)
	if err != nil {
		return deviceNamer{}, fmt.Errorf("%w: %w", ErrNoHashKey, err)
	}
	return deviceNamer{p: p}, nil
}

func (n deviceNamer) name(id string) string {
	if n.raw {
		return id
	}
	return n.p.Pseudonym(id)
}

// Event maps e to a connected track event: "Zone Entered", "Zone Dwelled"
// or "Zone Exited", category location, context.channel store (or
// o.Channel), context.location {place, zone}, originalTimestamp e.Time.
//
// The identity: a customer subject (Subject set, SubjectIsDevice false)
// is userId = e.Subject. A device subject — the transmitter itself
// (Subject "") or a device named by its gateway (SubjectIsDevice) — is
// anonymousId and context.device.id = the pseudonym of its identifier
// (connected.Pseudonym of e.Subject, or of e.Beacon.String()), by default;
// the identifier itself only with o.RawDeviceIDs. Properties
// (snake_case): zone, place_id, dwell_seconds (dwelled, exited),
// entered_at, distance_m, distance_min_m, distance_max_m (when known),
// proximity (when known), rssi_dbm, confidence, beacon_id (when e.Beacon is
// set; pseudonymised like a device for device addresses and device
// subjects), gateway_id, switched (exited). It returns ErrNoHashKey rather
// than put a device identifier in the clear.
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
	transmitter := e.Subject == ""
	device := transmitter || e.SubjectIsDevice
	var n deviceNamer
	if device || e.Beacon.Kind == FormatAddress {
		var err error
		if n, err = newDeviceNamer(&o); err != nil {
			return connected.Event{}, err
		}
	}
	beaconID := ""
	switch {
	case e.Beacon.IsZero():
	case device || e.Beacon.Kind == FormatAddress:
		beaconID = n.name(e.Beacon.String())
	default:
		beaconID = e.Beacon.String()
	}
	switch {
	case transmitter:
		ev.AnonymousID = beaconID
		ev.Context.Device = connected.Device{ID: beaconID, Type: "ble"}
	case e.SubjectIsDevice:
		ev.AnonymousID = n.name(e.Subject)
		ev.Context.Device = connected.Device{ID: ev.AnonymousID, Type: "ble"}
	default:
		ev.UserID = e.Subject
	}
	p := connected.Properties{
		"zone":       e.Zone,
		"place_id":   e.Place,
		"entered_at": e.EnteredAt,
		"rssi_dbm":   math.Round(e.RSSI*10) / 10,
		"confidence": math.Round(e.Confidence*100) / 100,
	}
	if beaconID != "" {
		p["beacon_id"] = beaconID
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
