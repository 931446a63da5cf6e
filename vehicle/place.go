package vehicle

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// Place is a destination the Tracker watches: a store, a curbside bay, a
// depot. It is configuration; NewTracker validates it and reports a
// *PlaceError naming the place and the field.
type Place struct {
	// ID is the place id that events carry (place_id,
	// context.location.placeId). Required and unique.
	ID string
	// Lat and Lon are the place's centre in WGS-84 degrees. |Lat| must be
	// at most 85 (the spatial index does not cover the poles).
	Lat, Lon float64
	// ArrivalRadius in metres: a vehicle within it has arrived. Required,
	// 10 m to 10 km.
	ArrivalRadius float64
	// DepartMargin in metres: an arrived vehicle departs only beyond
	// ArrivalRadius + DepartMargin (the hysteresis band that absorbs GPS
	// jitter at the boundary). Default max(50 m, ArrivalRadius/2); 0 to
	// 10 km.
	DepartMargin float64
	// Rings are the ETA thresholds that produce Vehicle Approaching
	// events, e.g. []time.Duration{20 * time.Minute, 5 * time.Minute}.
	// Each is between one minute and 24 hours; at most 8, no
	// duplicates; any order (they are sorted, outermost first). Empty
	// means the place reports arrivals and departures only.
	Rings []time.Duration
	// ApproachRadius in metres bounds where the Tracker looks for
	// approaching vehicles (the spatial index's reach). Default: the
	// outermost ring at the Tracker's approach speed divided by its road
	// factor (see WithApproachSpeed), at least 2 × (ArrivalRadius +
	// DepartMargin); at most 500 km.
	ApproachRadius float64
}

// The limits a Place must respect.
const (
	MaxRings          = 8
	MinArrivalRadius  = 10.0
	MaxArrivalRadius  = 10_000.0
	MaxApproachRadius = 500_000.0
)

// place is a validated Place with precomputed geometry.
type place struct {
	id             string
	lat, lon       float64
	latR           float64 // radians
	cosLat, sinLat float64
	arrive, depart float64 // arrival radius; depart threshold (radius + margin)
	approach       float64
	reachLat       float64         // approach radius in degrees of latitude
	reachLon       float64         // approach radius in degrees of longitude (at the circle's poleward edge)
	rings          []time.Duration // outermost first
}

func compilePlace(i int, p *Place, c *config) (place, error) {
	fail := func(field, reason string) (place, error) {
		return place{}, &PlaceError{Index: i, ID: p.ID, Field: field, Reason: reason}
	}
	switch {
	case p.ID == "":
		return fail("ID", "empty")
	case !finite(p.Lat) || p.Lat < -85 || p.Lat > 85:
		return fail("Lat", "must be within ±85 degrees")
	case !finite(p.Lon) || p.Lon < -180 || p.Lon > 180:
		return fail("Lon", "must be within ±180 degrees")
	case !(p.ArrivalRadius >= MinArrivalRadius && p.ArrivalRadius <= MaxArrivalRadius):
		return fail("ArrivalRadius", "must be 10 m to 10 km, got "+ftoa(p.ArrivalRadius))
	case !(p.DepartMargin >= 0 && p.DepartMargin <= MaxArrivalRadius):
		return fail("DepartMargin", "must be 0 to 10 km, got "+ftoa(p.DepartMargin))
	case len(p.Rings) > MaxRings:
		return fail("Rings", "more than "+strconv.Itoa(MaxRings))
	case !(p.ApproachRadius >= 0 && p.ApproachRadius <= MaxApproachRadius):
		return fail("ApproachRadius", "must be 0 (default) to 500 km, got "+ftoa(p.ApproachRadius))
	}
	rings := slices.Clone(p.Rings)
	slices.SortFunc(rings, func(a, b time.Duration) int { return int((b - a) / time.Second) })
	for k, r := range rings {
		if r < time.Minute || r > 24*time.Hour {
			return fail("Rings", "ring "+r.String()+" outside 1m..24h")
		}
		if k > 0 && rings[k-1] == r {
			return fail("Rings", "ring "+r.String()+" repeated")
		}
	}
	q := place{id: p.ID, lat: p.Lat, lon: p.Lon, latR: p.Lat * deg, arrive: p.ArrivalRadius, rings: rings}
	q.cosLat, q.sinLat = math.Cos(q.latR), math.Sin(q.latR)
	margin := p.DepartMargin
	if margin == 0 {
		margin = max(50, p.ArrivalRadius/2)
	}
	q.depart = p.ArrivalRadius + margin
	q.approach = p.ApproachRadius
	if q.approach == 0 {
		if len(rings) > 0 {
			q.approach = rings[0].Seconds() * c.approachSpeed / c.roadFactor
		}
		q.approach = min(max(q.approach, 2*q.depart), MaxApproachRadius)
	} else if q.approach < q.depart {
		return fail("ApproachRadius", "smaller than ArrivalRadius + DepartMargin")
	}
	q.reachLat = q.approach / mPerDegLat
	q.reachLon = min(360, q.approach/(mPerDegLat*math.Cos(min(89, math.Abs(q.lat)+q.reachLat)*deg)))
	return q, nil
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
