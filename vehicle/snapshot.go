package vehicle

import (
	"fmt"
	"time"
)

// Snapshot is the state of a Tracker: every vehicle's last fix, recent
// speed, trip and per-place state. It marshals to JSON; Restore it into
// a new Tracker with the same places (and options) after a restart, and
// the Tracker continues exactly as the old one would have
// (TestSnapshotReplay). It holds vehicle ids in the clear (they key the
// state): store it as carefully as the positions themselves. The count
// of consecutive implausible fixes is not kept.
type Snapshot struct {
	Now      time.Time      `json:"now,omitzero"`
	Vehicles []VehicleState `json:"vehicles"`
}

// VehicleState is one vehicle's state in a Snapshot.
type VehicleState struct {
	ID         string        `json:"id"`
	Last       time.Time     `json:"last"`
	Lat        float64       `json:"lat"`
	Lon        float64       `json:"lon"`
	Accuracy   float64       `json:"accuracy_m,omitempty"`
	Heading    float64       `json:"heading,omitempty"`
	HasHeading bool          `json:"has_heading,omitempty"`
	Speed      float64       `json:"speed_mps"` // recent speed
	Gap        time.Duration `json:"gap"`
	Floor      time.Time     `json:"floor,omitzero"` // latest event time
	Moving     bool          `json:"moving"`
	TripStart  time.Time     `json:"trip_start,omitzero"`
	TripMeters float64       `json:"trip_m,omitempty"`
	Origin     string        `json:"origin,omitempty"`
	Dest       string        `json:"destination,omitempty"`
	StillSince time.Time     `json:"still_since,omitzero"`
	StillLat   float64       `json:"still_lat"`
	StillLon   float64       `json:"still_lon"`
	StillSure  bool          `json:"still_sure,omitempty"`
	AnchorLat  float64       `json:"anchor_lat"`
	AnchorLon  float64       `json:"anchor_lon"`
	Streak     time.Time     `json:"streak,omitzero"`
	Places     []PlaceState  `json:"places,omitempty"`
}

// PlaceState is one vehicle's state at one place.
type PlaceState struct {
	Place        string    `json:"place"`
	Phase        string    `json:"phase"` // "idle", "approaching" or "arrived"
	Fired        uint8     `json:"fired,omitempty"`
	Since        time.Time `json:"since,omitzero"`
	MinDistance  float64   `json:"min_m"`
	LastDistance float64   `json:"last_m"`
	ETAHighSince time.Time `json:"eta_high_since,omitzero"`
	OutsideSince time.Time `json:"outside_since,omitzero"`
	Closing      float64   `json:"closing"`
}

var phaseNames = [...]string{"idle", "approaching", "arrived"}

func toTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

func fromTime(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Snapshot returns the current state. It allocates; call it on shutdown
// or periodically, not per position.
func (t *Tracker) Snapshot() Snapshot {
	s := Snapshot{Now: t.Now(), Vehicles: make([]VehicleState, 0, len(t.byVehicle))}
	for vi := range t.vehicles {
		v := &t.vehicles[vi]
		if v.id == "" {
			continue
		}
		vs := VehicleState{ID: v.id, Last: toTime(v.lastT), Lat: v.lat, Lon: v.lon, Accuracy: v.acc,
			Heading: v.heading, HasHeading: v.hasHeading, Speed: v.vbar, Gap: time.Duration(v.gap),
			Floor: toTime(v.floor), Moving: v.moving, TripStart: toTime(v.tripStart), TripMeters: v.tripDist,
			StillSince: toTime(v.stillSince), StillLat: v.stillLat, StillLon: v.stillLon, StillSure: v.stillSure,
			AnchorLat: v.anchorLat, AnchorLon: v.anchorLo, Streak: toTime(v.streak)}
		if v.origin >= 0 {
			vs.Origin = t.places[v.origin].id
		}
		if v.dest >= 0 {
			vs.Dest = t.places[v.dest].id
		}
		for _, ps := range v.places {
			vs.Places = append(vs.Places, PlaceState{Place: t.places[ps.place].id, Phase: phaseNames[ps.phase],
				Fired: ps.fired, Since: toTime(ps.since), MinDistance: ps.minDist, LastDistance: ps.last,
				ETAHighSince: toTime(ps.etaHigh), OutsideSince: toTime(ps.outside), Closing: ps.closing})
		}
		s.Vehicles = append(s.Vehicles, vs)
	}
	return s
}

// Restore loads a snapshot into t, which should be new: a vehicle already
// tracked is replaced. Nothing is emitted; timers that fell due while the
// Tracker was down fire on the next Observe or Advance, at their exact
// times. A snapshot naming a place t does not have, an empty or repeated
// vehicle id, an unknown phase, invalid coordinates or a time outside
// MinTime..MaxTime gets an error matching ErrConfig, and nothing is
// restored.
func (t *Tracker) Restore(s Snapshot) error {
	bad := func(i int, what string) error {
		return fmt.Errorf("%w: snapshot vehicle %d: %s", ErrConfig, i, what)
	}
	okTime := func(tm time.Time) bool { return tm.IsZero() || validTime(tm) }
	if !okTime(s.Now) {
		return fmt.Errorf("%w: snapshot time %v outside MinTime..MaxTime", ErrConfig, s.Now)
	}
	seen := make(map[string]bool, len(s.Vehicles))
	for i, v := range s.Vehicles {
		switch {
		case v.ID == "" || seen[v.ID]:
			return bad(i, "empty or repeated id")
		case !validTime(v.Last) || !okTime(v.Floor) || !okTime(v.TripStart) || !okTime(v.StillSince) || !okTime(v.Streak):
			return bad(i, "time outside MinTime..MaxTime")
		case !validCoord(v.Lat, v.Lon) || !validCoord(v.StillLat, v.StillLon) || !validCoord(v.AnchorLat, v.AnchorLon):
			return bad(i, "coordinates out of range")
		case !finite(v.Speed) || v.Speed < 0 || !finite(v.TripMeters) || v.Gap < 0:
			return bad(i, "invalid speed, trip distance or gap")
		}
		seen[v.ID] = true
		for _, id := range []string{v.Origin, v.Dest} {
			if _, ok := t.placeIdx[id]; id != "" && !ok {
				return bad(i, "place "+id+" not configured")
			}
		}
		for _, ps := range v.Places {
			if _, ok := t.placeIdx[ps.Place]; !ok {
				return bad(i, "place "+ps.Place+" not configured")
			}
			if phaseOf(ps.Phase) < 0 || !okTime(ps.Since) || !okTime(ps.ETAHighSince) || !okTime(ps.OutsideSince) {
				return bad(i, "place "+ps.Place+": unknown phase or invalid time")
			}
		}
	}
	if ns := fromTime(s.Now); ns != 0 && (!t.started || ns > t.now) {
		t.now, t.started = ns, true
	}
	for _, vs := range s.Vehicles {
		vi, ok := t.byVehicle[vs.ID]
		if !ok {
			vi = t.newVehicle(&Position{VehicleID: vs.ID, Lat: vs.Lat, Lon: vs.Lon}, fromTime(vs.Last))
		}
		v := &t.vehicles[vi]
		*v = vstate{id: vs.ID, places: v.places[:0], lastT: fromTime(vs.Last), lat: vs.Lat, lon: vs.Lon, acc: vs.Accuracy,
			heading: vs.Heading, hasHeading: vs.HasHeading, vbar: vs.Speed, gap: int64(vs.Gap), floor: fromTime(vs.Floor),
			moving: vs.Moving, tripStart: fromTime(vs.TripStart), tripDist: vs.TripMeters, origin: placeOr(t, vs.Origin),
			dest: placeOr(t, vs.Dest), stillSince: fromTime(vs.StillSince), stillLat: vs.StillLat, stillLon: vs.StillLon,
			stillSure: vs.StillSure, anchorLat: vs.AnchorLat, anchorLo: vs.AnchorLon, streak: fromTime(vs.Streak)}
		t.refreshCos(v, vs.Lat)
		for _, ps := range vs.Places {
			v.places = append(v.places, pstate{place: t.placeIdx[ps.Place], phase: uint8(phaseOf(ps.Phase)), fired: ps.Fired,
				since: fromTime(ps.Since), minDist: ps.MinDistance, last: ps.LastDistance, etaHigh: fromTime(ps.ETAHighSince),
				outside: fromTime(ps.OutsideSince), closing: ps.Closing})
		}
		if lt := v.lastT; !t.started || lt > t.now {
			t.now, t.started = lt, true
		}
	}
	return nil
}

func phaseOf(s string) int {
	for i, n := range phaseNames {
		if n == s {
			return i
		}
	}
	return -1
}

func placeOr(t *Tracker, id string) int32 {
	if i, ok := t.placeIdx[id]; ok && id != "" {
		return i
	}
	return -1
}
