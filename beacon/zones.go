package beacon

import (
	"math"
	"time"
)

// Zone is an area presence is reported for (a department, an entrance, a
// till). A sighting counts for the zone when its beacon matches one of
// Beacons, or it was heard by one of Gateways, or the gateway named one of
// Rooms. Zones may overlap unless the Tracker assigns each subject to one
// zone (AssignStrongest, AssignWeighted).
type Zone struct {
	Name     string // reported as the zone, e.g. "shoes"; unique per Tracker
	Place    string // store or site id, reported as place_id
	Beacons  []Pattern
	Gateways []string
	Rooms    []string
	// Config overrides the Tracker's defaults field by field (zero fields
	// keep the default).
	Config ZoneConfig
}

// ZoneConfig holds the presence rules of a zone. A subject starts entering
// when its level reaches the enter threshold, and is confirmed inside after
// staying in the band (at or above the exit threshold) for MinHold; the
// Entered event is stamped first-qualifying-sample + MinHold. Samples below
// the exit threshold do not count as seen; a subject not seen for
// ExitTimeout is out, and the Exited event is stamped last-seen +
// ExitTimeout exactly. A Dwelled event follows Dwell after the enter, and
// again every DwellRepeat if that is set.
//
// Thresholds are RSSI levels in dBm (after gateway calibration), unless
// EnterDistance is set: then distances in metres (estimated with the
// Tracker's distance model) are compared instead.
type ZoneConfig struct {
	EnterRSSI     float64       // default -80 dBm
	ExitRSSI      float64       // default EnterRSSI - 10 dB; must be <= EnterRSSI
	EnterDistance float64       // metres; 0: use RSSI thresholds
	ExitDistance  float64       // metres; default EnterDistance * 1.5; must be >= EnterDistance
	MinHold       time.Duration // default 0: enter on the first qualifying sample
	ExitTimeout   time.Duration // default 30 s
	Dwell         time.Duration // 0: no dwell events
	DwellRepeat   time.Duration // 0: one dwell event per visit
}

func (c ZoneConfig) merge(d ZoneConfig) ZoneConfig {
	pick := func(a, b float64) float64 {
		if a != 0 {
			return a
		}
		return b
	}
	pickD := func(a, b time.Duration) time.Duration {
		if a != 0 {
			return a
		}
		return b
	}
	return ZoneConfig{
		EnterRSSI: pick(c.EnterRSSI, d.EnterRSSI), ExitRSSI: pick(c.ExitRSSI, d.ExitRSSI),
		EnterDistance: pick(c.EnterDistance, d.EnterDistance), ExitDistance: pick(c.ExitDistance, d.ExitDistance),
		MinHold: pickD(c.MinHold, d.MinHold), ExitTimeout: pickD(c.ExitTimeout, d.ExitTimeout),
		Dwell: pickD(c.Dwell, d.Dwell), DwellRepeat: pickD(c.DwellRepeat, d.DwellRepeat),
	}
}

func (c ZoneConfig) withDefaults() ZoneConfig {
	if c.EnterRSSI == 0 {
		c.EnterRSSI = -80
	}
	if c.ExitRSSI == 0 {
		c.ExitRSSI = c.EnterRSSI - 10
	}
	if c.EnterDistance > 0 && c.ExitDistance == 0 {
		c.ExitDistance = c.EnterDistance * 1.5
	}
	if c.ExitTimeout == 0 {
		c.ExitTimeout = 30 * time.Second
	}
	return c
}

func (c ZoneConfig) validate() string {
	switch {
	case math.IsNaN(c.EnterRSSI) || math.IsNaN(c.ExitRSSI) || c.EnterRSSI >= 0 || c.ExitRSSI > c.EnterRSSI:
		return "need ExitRSSI <= EnterRSSI < 0"
	case c.EnterDistance < 0 || c.ExitDistance < c.EnterDistance || math.IsNaN(c.EnterDistance):
		return "need 0 <= EnterDistance <= ExitDistance"
	case c.MinHold < 0 || c.ExitTimeout <= 0 || c.Dwell < 0 || c.DwellRepeat < 0:
		return "durations must be >= 0 and ExitTimeout > 0"
	case c.MinHold > MaxDuration || c.ExitTimeout > MaxDuration || c.Dwell > MaxDuration || c.DwellRepeat > MaxDuration:
		return "durations must be at most MaxDuration (10 years)"
	case c.MinHold >= c.ExitTimeout:
		return "MinHold must be shorter than ExitTimeout"
	}
	return ""
}

// zoneDef is a compiled zone: durations in nanoseconds.
type zoneDef struct {
	name, place         string
	patterns            []Pattern
	enter, exit         float64 // RSSI thresholds
	enterDist, exitDist float64 // metres, when byDistance
	byDistance          bool
	hold, timeout       int64
	dwell, repeat       int64
}

func compileZone(z *Zone, cfg ZoneConfig) zoneDef {
	return zoneDef{
		name: z.Name, place: z.Place, patterns: z.Beacons,
		enter: cfg.EnterRSSI, exit: cfg.ExitRSSI,
		enterDist: cfg.EnterDistance, exitDist: cfg.ExitDistance, byDistance: cfg.EnterDistance > 0,
		hold: int64(cfg.MinHold), timeout: int64(cfg.ExitTimeout),
		dwell: int64(cfg.Dwell), repeat: int64(cfg.DwellRepeat),
	}
}
