package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

// The family car: its telematics unit sends a position every 15 seconds
// while it drives (lat/lon/speed/heading/time as JSON, one message per fix).
// The store decodes the stream with a vehicle.PositionDecoder and runs a
// vehicle.Tracker with the store as a place: ETA rings at 20 and 5
// minutes, arrival within 150 m. The Tracker computes each ETA from the
// distance left, the road factor and the car's recent speed; the "Vehicle
// Approaching" it emits at the 20-minute ring is what starts the
// click-and-collect pickup.

// The store's position and the car's VIN (it leaves only as a pseudonym).
const (
	storeLat, storeLon = 52.5200, 13.4050
	carVIN             = "WVWZZZ1KZ6W000042"
)

// carPlaces is the Tracker's one place: the store.
func carPlaces() []vehicle.Place {
	return []vehicle.Place{{ID: placeID, Lat: storeLat, Lon: storeLon, ArrivalRadius: 150,
		Rings: []time.Duration{20 * time.Minute, 5 * time.Minute}}}
}

// drive is one trip of the car towards the store.
type drive struct {
	driver  *shopper      // who drives (the car's app says who is signed in)
	start   time.Time     // when the car leaves
	fromM   float64       // straight-line distance from the store at the start, metres
	bearing float64       // direction of the start point as seen from the store, degrees
	kmh     float64       // cruising speed
	park    time.Duration // how long the parked car keeps reporting at the store
	leaveM  float64       // then it drives this far away again (0: it stays)
	seed    uint64        // speed noise
}

// fixInterval is how often the telematics unit reports.
const fixInterval = 15 * time.Second

// positions returns the drive's position stream as the unit sends it, one
// step per message: one JSON message per fix, speed in km/h. The car drives straight at the
// store at a speed that varies minute by minute, slows to 30 km/h for the
// last 1.5 km, and reports every fixInterval; parked at the store it
// reports standing still once a minute; then it may drive away at 40 km/h.
func (d drive) positions() []step {
	rng := rand.New(rand.NewPCG(d.seed, d.seed))
	var out []step
	left := d.fromM
	t := d.start
	kmh := d.kmh
	for {
		if t.Sub(d.start)%time.Minute == 0 {
			kmh = d.kmh * (0.75 + 0.35*rng.Float64())
		}
		v := kmh
		if left < 1500 {
			v = 30
		}
		out = append(out, step{t, observePosition(fix(t, left, d.bearing, v, d.bearing+180))})
		if left <= 20 {
			break
		}
		left = math.Max(10, left-v/3.6*fixInterval.Seconds())
		t = t.Add(fixInterval)
	}
	for p := time.Minute; p <= d.park; p += time.Minute {
		out = append(out, step{t.Add(p), observePosition(fix(t.Add(p), 10, d.bearing, 0, d.bearing+180))})
	}
	t = t.Add(d.park)
	for left = 10; d.leaveM > 0 && left < d.leaveM; left += 40 / 3.6 * fixInterval.Seconds() {
		t = t.Add(fixInterval)
		out = append(out, step{t, observePosition(fix(t, left, d.bearing, 40, d.bearing))})
	}
	return out
}

// fix is one message: the point left metres from the store towards
// bearing, driving towards heading.
func fix(t time.Time, left, bearing, kmh, heading float64) []byte {
	rad := bearing * math.Pi / 180
	lat := storeLat + left*math.Cos(rad)/111_320
	lon := storeLon + left*math.Sin(rad)/(111_320*math.Cos(storeLat*math.Pi/180))
	heading = math.Mod(heading, 360)
	return fmt.Appendf(nil, `{"vehicle_id":%q,"time":%q,"lat":%.6f,"lon":%.6f,"speed_kmh":%.1f,"heading":%.0f,"accuracy_m":8}`,
		carVIN, t.UTC().Format(time.RFC3339), lat, lon, kmh, heading)
}

// steps schedules the drive: the driver signs in to the car's app, then
// each message of the stream is decoded and given to the Tracker at its
// time.
func (d drive) steps() []step {
	out := []step{{d.start.Add(-time.Second), func(s *sim) error {
		s.drivers[carVIN] = d.driver
		s.p.journal.own(d.driver, d.driver.userID)
		return nil
	}}}
	return append(out, d.positions()...)
}

// observePosition decodes one message and feeds the Tracker.
func observePosition(msg []byte) func(*sim) error {
	return func(s *sim) error {
		p, err := s.p.positions.Decode(msg)
		if err != nil {
			return fmt.Errorf("position stream: %w", err)
		}
		s.trips, err = s.p.cars.Observe(s.trips[:0], p)
		if err != nil {
			return fmt.Errorf("vehicle tracker: %w", err)
		}
		return s.emitTrips()
	}
}

// emitTrips turns the Tracker's trip events into connected events,
// attributed to the signed-in driver; the VIN leaves as a pseudonym.
func (s *sim) emitTrips() error {
	for _, te := range s.trips {
		var uid string
		if d := s.drivers[te.VehicleID]; d != nil {
			uid = d.userID
		}
		e, err := te.Event(vehicle.EventOptions{Pseudonymizer: s.p.pseudonyms, UserID: uid})
		if err != nil {
			return err
		}
		if err := s.p.client.Track(s.ctx, e); err != nil {
			return fmt.Errorf("trip event: %w", err)
		}
	}
	s.trips = s.trips[:0]
	return nil
}
