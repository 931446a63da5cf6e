package vehicle

import (
	"math"
	"time"
)

// Position is one fix of one vehicle in canonical units: WGS-84 degrees,
// metres per second, degrees clockwise from true north, metres. Decoders
// convert the source's units (knots, km/h, mph) into these.
type Position struct {
	// VehicleID identifies the vehicle in the source's namespace (a VIN,
	// a Smartcar vehicle id, a tracker's device id). It is an identifier
	// of a household's car: events carry it only as a keyed pseudonym
	// unless EventOptions.RawVehicleIDs is set.
	VehicleID string
	// Time is the observation time of the fix (GNSS fix time, Smartcar
	// oemUpdatedAt), not the delivery time. UTC.
	Time     time.Time
	Lat, Lon float64
	// Speed over ground in m/s, when HasSpeed.
	Speed    float64
	HasSpeed bool
	// Heading in degrees [0, 360), when HasHeading.
	Heading    float64
	HasHeading bool
	// Accuracy is the horizontal accuracy radius in metres; 0 means
	// unknown.
	Accuracy float64
}

// Valid reports whether p can be given to a Tracker: a vehicle id,
// finite coordinates within ±90/±180, a finite non-negative speed when
// HasSpeed, a heading in [0, 360) when HasHeading, a finite non-negative
// accuracy, and a Time strictly between MinTime and MaxTime.
func (p *Position) Valid() bool {
	return p.VehicleID != "" && validTime(p.Time) && validCoord(p.Lat, p.Lon) &&
		(!p.HasSpeed || (p.Speed >= 0 && finite(p.Speed))) &&
		(!p.HasHeading || (p.Heading >= 0 && p.Heading < 360)) &&
		p.Accuracy >= 0 && finite(p.Accuracy)
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func validCoord(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}
