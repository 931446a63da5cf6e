package beacon

import (
	"time"
)

// Assignment says how a subject heard in several zones is placed.
type Assignment uint8

// The assignments.
const (
	// AssignIndependent evaluates every zone on its own: a subject may be
	// inside overlapping zones at once. The zone level is the strongest
	// link (gateway or beacon) that counts for the zone.
	AssignIndependent Assignment = iota
	// AssignStrongest places a subject in at most one zone: the one with
	// the strongest link, switching only when another zone is stronger by
	// the switch margin for the zone's MinHold.
	AssignStrongest
	// AssignWeighted is AssignStrongest with the zone level taken as the
	// power sum of all its links, each scaled by its gateway weight, so a
	// zone several gateways hear well beats one a single gateway hears.
	AssignWeighted
)

// TrackerOption configures NewTracker. It is sealed: only this package's
// With* functions implement it.
type TrackerOption interface{ apply(*trackerConfig) }

type optionFunc func(*trackerConfig)

func (f optionFunc) apply(c *trackerConfig) { f(c) }

type trackerConfig struct {
	defaults     ZoneConfig
	assign       Assignment
	switchMargin float64
	maxSkew      int64
	dedup        int64
	model        DistanceModel
	smoother     Kalman
	defaultTx    float64
	calib        map[string]Calibration
	weights      map[string]float64
	txOverrides  []txOverride
	capacity     int
	resolveEID   func(eid [8]byte, t time.Time) (BeaconID, bool)
	proximity    ProximityClassifier
}

type txOverride struct {
	p  Pattern
	tx float64
}

// WithDefaults sets the ZoneConfig every zone starts from (see ZoneConfig
// for the built-in defaults).
func WithDefaults(c ZoneConfig) TrackerOption {
	return optionFunc(func(t *trackerConfig) { t.defaults = c })
}

// WithAssignment sets how subjects heard in several zones are placed;
// default AssignIndependent.
func WithAssignment(a Assignment) TrackerOption {
	return optionFunc(func(t *trackerConfig) { t.assign = a })
}

// WithSwitchMargin sets by how many dB another zone must beat the current
// one before an exclusive assignment switches; default 3 dB, range >= 0.
func WithSwitchMargin(dB float64) TrackerOption {
	return optionFunc(func(t *trackerConfig) { t.switchMargin = dB })
}

// WithMaxSkew sets how far gateway clocks may disagree; default 0. A
// sighting older than the newest time seen minus the skew is rejected with
// ErrLate; absence decisions (exit) wait for the skew to pass so a late
// gateway can still report, but are stamped last-seen + timeout exactly.
func WithMaxSkew(d time.Duration) TrackerOption {
	return optionFunc(func(t *trackerConfig) { t.maxSkew = int64(d) })
}

// WithDedupWindow sets the window within which repeated reports of one
// transmitter by the same gateway (BlueZ duplicates, MQTT redelivery) are
// dropped and counted in Stats.Duplicates; default 50 ms, 0 disables.
func WithDedupWindow(d time.Duration) TrackerOption {
	return optionFunc(func(t *trackerConfig) { t.dedup = int64(d) })
}

// WithDistanceModel sets the model for reported distances and distance
// thresholds; default PathLoss{Exponent: 2}. A gateway Calibration with an
// Exponent replaces the exponent of a PathLoss model for that gateway.
func WithDistanceModel(m DistanceModel) TrackerOption {
	return optionFunc(func(t *trackerConfig) { t.model = m })
}

// WithSmoother sets the Kalman parameters used for every link; the zero
// Kalman (its defaults) is the default.
func WithSmoother(k Kalman) TrackerOption {
	return optionFunc(func(t *trackerConfig) { t.smoother = k })
}

// WithDefaultTxPower sets the 1 m power assumed for transmitters that do
// not advertise one (phones, tags); default -59 dBm.
func WithDefaultTxPower(dBm float64) TrackerOption {
	return optionFunc(func(t *trackerConfig) { t.defaultTx = dBm })
}

// WithCalibration sets the calibration of one gateway (or phone) id.
func WithCalibration(gateway string, c Calibration) TrackerOption {
	return optionFunc(func(t *trackerConfig) {
		if t.calib == nil {
			t.calib = map[string]Calibration{}
		}
		t.calib[gateway] = c
	})
}

// WithGatewayWeight sets a gateway's weight for AssignWeighted; default 1.
func WithGatewayWeight(gateway string, w float64) TrackerOption {
	return optionFunc(func(t *trackerConfig) {
		if t.weights == nil {
			t.weights = map[string]float64{}
		}
		t.weights[gateway] = w
	})
}

// WithTxPowerOverride replaces the advertised 1 m power of matching
// beacons (whose firmware advertises a wrong value) with dBm.
func WithTxPowerOverride(p Pattern, dBm float64) TrackerOption {
	return optionFunc(func(t *trackerConfig) { t.txOverrides = append(t.txOverrides, txOverride{p, dBm}) })
}

// WithCapacity preallocates for n subjects; default 1024.
func WithCapacity(n int) TrackerOption {
	return optionFunc(func(t *trackerConfig) { t.capacity = n })
}

// WithEIDResolver sets a resolver for Eddystone-EID sightings: it maps the
// rotating EID (at the sighting's time) to a stable identity, typically by
// asking the service that holds the beacons' identity keys. Unresolved EIDs
// are tracked as they are.
func WithEIDResolver(f func(eid [8]byte, t time.Time) (BeaconID, bool)) TrackerOption {
	return optionFunc(func(t *trackerConfig) { t.resolveEID = f })
}

// WithProximity sets the classifier for ZoneEvent.Proximity; the zero
// ProximityClassifier (0.5 m / 3 m, 1 m dead-band) is the default.
func WithProximity(c ProximityClassifier) TrackerOption {
	return optionFunc(func(t *trackerConfig) { t.proximity = c })
}
