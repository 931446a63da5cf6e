package main

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

// The store: one aisle, 60 m long, with a ceiling gateway in each
// department. Shoppers' phones advertise a per-install iBeacon (the app's
// "phone as beacon" mode); the gateways hear it with noisy RSSI and the
// beacon.Tracker decides, with hysteresis, which department a shopper is in.

const placeID = "store-12"

// department is a zone with its ceiling gateway's position along the aisle.
type department struct {
	zone    string
	gateway string
	x       float64 // metres along the aisle
}

var departments = []department{
	{"entrance", "gw-entrance", 0},
	{"shoes", "gw-shoes", 18},
	{"sportswear", "gw-sports", 36},
	{"checkout", "gw-checkout", 54},
}

// appUUID is the iBeacon UUID the store's app advertises; major 12 is the
// store, the minor identifies the install.
const appUUID = "e2c56db5-dffb-48d2-b060-d0f5a71096e0"

// zones returns the Tracker's zones: one per department, by gateway.
func zones() []beacon.Zone {
	var zs []beacon.Zone
	for _, d := range departments {
		zs = append(zs, beacon.Zone{Name: d.zone, Place: placeID, Gateways: []string{d.gateway}})
	}
	return zs
}

// trackerOptions: the strongest gateway wins the shopper, with a margin so
// that a shopper between two departments does not flip between them;
// thresholds suit ceiling gateways 3 m up.
func trackerOptions() []beacon.TrackerOption {
	return []beacon.TrackerOption{
		beacon.WithAssignment(beacon.AssignStrongest),
		beacon.WithSwitchMargin(4),
		beacon.WithDefaults(beacon.ZoneConfig{
			EnterRSSI:   -78,
			ExitRSSI:    -88,
			MinHold:     4 * time.Second,
			ExitTimeout: 20 * time.Second,
			Dwell:       2 * time.Minute,
		}),
	}
}

// stop is a point of a walk: stand at x from the previous arrival until at.
type stop struct {
	x     float64
	until time.Duration // since the walk started
}

// walk is a shopper moving through the store at 1 m/s between stops.
type walk struct {
	start time.Time
	stops []stop
}

// position returns where the walker is at t, and whether they are in the
// store (after the start and before leaving from the last stop).
func (w walk) position(t time.Time) (float64, bool) {
	el := t.Sub(w.start)
	if el < 0 {
		return 0, false
	}
	x := w.stops[0].x
	at := time.Duration(0)
	for _, s := range w.stops {
		travel := time.Duration(math.Abs(s.x-x) * float64(time.Second))
		if el < at+travel {
			frac := float64(el-at) / float64(travel)
			return x + (s.x-x)*frac, true
		}
		at += travel
		x = s.x
		if el < s.until {
			return x, true
		}
		at = max(at, s.until)
	}
	return 0, false
}

// end is when the walker leaves.
func (w walk) end() time.Time { return w.start.Add(w.stops[len(w.stops)-1].until) }

// radio models what the gateways hear: log-distance path loss with
// exponent 2.2 from -59 dBm at 1 m, gateways 3 m above the aisle, and
// Gaussian noise (sigma 4 dB) from a seeded source, so runs are repeatable.
type radio struct{ rng *rand.Rand }

func (r radio) rssi(shopperX, gatewayX float64) (beacon.RSSI, bool) {
	d := math.Hypot(shopperX-gatewayX, 3)
	level := -59 - 10*2.2*math.Log10(d) + r.rng.NormFloat64()*4
	if level < -95 { // below the gateway's sensitivity: not heard
		return 0, false
	}
	return beacon.RSSI(math.Round(level)), true
}

// sightings returns what every gateway heard of the walker's phone at t.
func (r radio) sightings(phone beacon.BeaconID, w walk, t time.Time) []beacon.Sighting {
	x, in := w.position(t)
	if !in {
		return nil
	}
	var out []beacon.Sighting
	for _, d := range departments {
		if level, ok := r.rssi(x, d.x); ok {
			out = append(out, beacon.Sighting{Time: t, Beacon: phone, Gateway: d.gateway, RSSI: level, TxPower1m: -59, HasTxPower: true})
		}
	}
	return out
}
