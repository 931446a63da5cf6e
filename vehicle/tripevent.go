package vehicle

import "time"

// EventKind says what happened.
type EventKind uint8

// The trip event kinds.
const (
	TripStarted   EventKind = iota + 1 // a parked vehicle started moving
	Approaching                        // its ETA to a place crossed one of the place's rings
	Arrived                            // it came within the place's arrival radius
	Departed                           // it left a place it had arrived at
	ApproachEnded                      // it stopped approaching a place (see Reason)
	TripEnded                          // it stopped, or went silent
)

var kindNames = [...]string{"", "trip_started", "approaching", "arrived", "departed", "approach_ended", "trip_ended"}

// String returns "trip_started", "approaching", "arrived", "departed",
// "approach_ended" or "trip_ended".
func (k EventKind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return "unknown"
}

// Reason qualifies ApproachEnded and TripEnded events.
type Reason uint8

// The reasons.
const (
	ReasonNone     Reason = iota
	ReasonStopped         // the vehicle stopped (for the stop time)
	ReasonSilence         // nothing was heard from it for the silence timeout
	ReasonReceding        // it moved away from the place by more than the recede margin
	ReasonETA             // its ETA stayed above the exit factor × the outermost ring for the exit hold
)

var reasonNames = [...]string{"", "stopped", "silence", "receding", "eta"}

// String returns the reason's snake_case name ("" for ReasonNone).
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "unknown"
}

// TripEvent is one transition produced by a Tracker. It holds no
// references into Tracker state and may be kept.
type TripEvent struct {
	Kind EventKind
	// Time is when it happened, UTC: the fix that showed it (approaching,
	// arrived), the first fix beyond the departure threshold (departed),
	// the start of the qualifying movement (trip started), the moment the
	// vehicle stopped or its last fix (trip ended, approach ended with
	// ReasonStopped/ReasonSilence). Events of one vehicle never go back in
	// time.
	Time time.Time
	// VehicleID is Position.VehicleID: an identifier of a household's car
	// (see EventOptions for how it leaves the package).
	VehicleID string
	// PlaceID is the place (all kinds but TripStarted and TripEnded, which
	// carry the origin and the destination place when there is one).
	PlaceID string
	// ETA is the estimated time to arrival (Approaching, ApproachEnded):
	// straight-line distance × road factor / recent speed.
	ETA time.Duration
	// Ring is the ETA ring that was crossed (Approaching).
	Ring time.Duration
	// Distance is the straight-line distance to the place in metres.
	Distance float64
	// Speed is the vehicle's recent speed in m/s (time-weighted average).
	Speed float64
	// Confidence in [0, 1] ranks how much to trust the event (see
	// Tracker); it is not a calibrated probability.
	Confidence float64
	// TripStart is the start of the current trip (zero when the vehicle
	// is not on a trip the Tracker saw start).
	TripStart time.Time
	// TripDistance is the distance travelled on the trip in metres
	// (TripEnded).
	TripDistance float64
	// Dwell is how long the vehicle stayed (Departed).
	Dwell  time.Duration
	Reason Reason
	// Lat, Lon and Accuracy are the vehicle's last fix.
	Lat, Lon, Accuracy float64
}

// Stats counts what a Tracker did with its input.
type Stats struct {
	Positions   uint64 // applied
	Late        uint64 // refused with ErrLate
	Duplicates  uint64 // refused with ErrDuplicate
	Invalid     uint64 // refused with ErrInvalidPosition
	Implausible uint64 // refused with ErrImplausible
	Jumps       uint64 // re-anchorings after repeated implausible fixes
	BadTimes    uint64 // positions and Advance calls refused for their time (ErrInvalidTime)
	Events      uint64 // events produced
	Forgotten   uint64 // vehicles forgotten after WithForgetAfter of silence
	Vehicles    int    // vehicles currently tracked
}
