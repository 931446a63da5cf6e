package vehicle

import "github.com/touchpoint-sdk/touchpoint/connected"

// Event names of the vehicle adapter. Approaching and arrival use the
// shared vocabulary of package connected; the trip and departure names
// are this package's (connected has no vehicle trip vocabulary).
const (
	// EventVehicleApproaching: a vehicle's ETA to a place crossed one of
	// the place's rings (connected.EventVehicleApproaching).
	EventVehicleApproaching = connected.EventVehicleApproaching
	// EventVehicleArrived: a vehicle came within a place's arrival
	// radius (connected.EventVehicleArrived).
	EventVehicleArrived = connected.EventVehicleArrived
	// EventVehicleDeparted: a vehicle that had arrived left the place.
	EventVehicleDeparted = "Vehicle Departed"
	// EventVehicleApproachEnded: a vehicle that was approaching a place
	// is no longer: it turned away, stopped elsewhere, went silent, or its
	// ETA stayed far above the outer ring.
	EventVehicleApproachEnded = "Vehicle Approach Ended"
	// EventTripStarted: a parked vehicle started moving.
	EventTripStarted = "Trip Started"
	// EventTripEnded: a moving vehicle stopped (or went silent).
	EventTripEnded = "Trip Ended"
)
