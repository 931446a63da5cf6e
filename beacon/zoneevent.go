package beacon

import "time"

// ZoneEventKind says what happened.
type ZoneEventKind uint8

// The zone event kinds.
const (
	ZoneEntered ZoneEventKind = iota + 1
	ZoneDwelled
	ZoneExited
)

// String returns "entered", "dwelled" or "exited".
func (k ZoneEventKind) String() string {
	switch k {
	case ZoneEntered:
		return "entered"
	case ZoneDwelled:
		return "dwelled"
	case ZoneExited:
		return "exited"
	}
	return "unknown"
}

// ZoneEvent is one presence transition produced by a Tracker. It holds no
// references into Tracker state and may be kept.
type ZoneEvent struct {
	Kind ZoneEventKind
	// Time is when it happened: first qualifying sample + MinHold for
	// entered, EnteredAt + Dwell (+ k·DwellRepeat) for dwelled, last seen
	// + ExitTimeout for exited (or the moment another zone took over, see
	// Switched). Always UTC.
	Time time.Time
	// Subject is the customer id of the sighting, or a device's own
	// identifier when SubjectIsDevice, or "" when the transmitter itself is
	// the subject (see Beacon).
	Subject         string
	SubjectIsDevice bool
	// Beacon is the transmitter: the subject itself when Subject is "",
	// else the beacon that placed the subject in the zone.
	Beacon BeaconID
	// Gateway is the observer of the strongest link at the last in-band
	// sample.
	Gateway     string
	Zone, Place string
	EnteredAt   time.Time
	// Dwell is Time - EnteredAt (0 for entered).
	Dwell time.Duration
	// RSSI is the smoothed, calibrated level in dBm of the strongest link
	// at the last in-band sample; Distance its distance estimate.
	RSSI     float64
	Distance Estimate
	// Proximity classifies Distance with the Tracker's ProximityClassifier;
	// the dead-band applies across the events of one visit.
	Proximity Proximity
	// Confidence in [0, 1) grows with the margin between the level and the
	// exit threshold (1 - exp(-margin/6 dB)); it is a ranking aid, not a
	// calibrated probability.
	Confidence float64
	// Switched is true for an exit caused by an exclusive assignment
	// moving the subject to another zone.
	Switched bool
}

// Stats counts what a Tracker did with its input.
type Stats struct {
	Sightings  uint64 // applied
	Duplicates uint64 // dropped by the dedup window
	Late       uint64 // rejected with ErrLate
	Unusable   uint64 // rejected with ErrNoSignal
	BadTimes   uint64 // sightings and Advance calls refused for a zero or out-of-range time (ErrInvalidTime)
	Outliers   uint64 // samples the smoother rejected (the sighting still counted as seen)
	Events     uint64 // zone events produced
	Subjects   int    // subjects currently tracked (idle ones are forgotten)
}
