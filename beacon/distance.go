package beacon

import "math"

// DistanceModel turns a (smoothed) RSSI and the transmitter's calibrated
// power at 1 m, both in dBm, into metres. ok is false when no distance can
// be given (invalid RSSI or power, NaN); when ok is true, meters is finite
// and positive (the models of this package guarantee it whatever their
// coefficients). Implementations are pure values, safe for concurrent use.
type DistanceModel interface {
	Distance(rssi, txPower1m float64) (meters float64, ok bool)
}

// PathLoss is the log-distance path-loss model
// RSSI(d) = P1m - 10·n·log10(d), so d = 10^((P1m - RSSI) / (10·n)).
// Exponent n is about 2 in free space, 1.6-1.8 in corridors with line of
// sight and 2.5-4 indoors in retail; zero means 2.
type PathLoss struct {
	Exponent float64
}

func (m PathLoss) exponent() float64 {
	if m.Exponent > 0 {
		return m.Exponent
	}
	return 2
}

// Distance implements DistanceModel.
func (m PathLoss) Distance(rssi, txPower1m float64) (float64, bool) {
	if !validLevel(rssi) || !validLevel(txPower1m) {
		return 0, false
	}
	return finiteDistance(math.Pow(10, (txPower1m-rssi)/(10*m.exponent())))
}

// finiteDistance is (d, true) for a finite positive d, else (0, false): a
// model whose coefficients overflow (a tiny exponent, an infinite or NaN
// coefficient) has no distance to give.
func finiteDistance(d float64) (float64, bool) {
	if !(d > 0) || math.IsInf(d, 0) {
		return 0, false
	}
	return d, true
}

// Level returns the RSSI the model predicts at d metres: the inverse of
// Distance. It turns a distance reported by a gateway into a level the
// smoother can average with measured RSSI.
func (m PathLoss) Level(meters, txPower1m float64) float64 {
	return txPower1m - 10*m.exponent()*math.Log10(meters)
}

// CurveFitted is android-beacon-library's curve-fitted model:
// with ratio = RSSI / P1m, d = ratio^10 when ratio < 1, else
// d = A·ratio^B + C. The coefficients are fitted per receiving phone model
// (see CurveModels); they describe the receiver, not the beacon.
// Coefficients that make the result NaN, infinite or not positive give
// ok false, never such a distance.
type CurveFitted struct {
	A, B, C float64
}

// Distance implements DistanceModel.
func (m CurveFitted) Distance(rssi, txPower1m float64) (float64, bool) {
	if !validLevel(rssi) || !validLevel(txPower1m) || txPower1m >= 0 {
		return 0, false
	}
	ratio := rssi / txPower1m
	if ratio < 1 {
		return finiteDistance(math.Pow(ratio, 10))
	}
	return finiteDistance(m.A*math.Pow(ratio, m.B) + m.C)
}

// NamedCurve is one row of the coefficient table.
type NamedCurve struct {
	Model string // receiver: model (version build manufacturer)
	CurveFitted
}

// CurveModels returns android-beacon-library's fitted coefficients
// (model-distance-calculations.json) plus the widely copied "classic" fit.
// The first entry, Nexus 5, is that library's default. The slice is new on
// every call; callers may modify it.
func CurveModels() []NamedCurve {
	return []NamedCurve{
		{"Nexus 5 (4.4.2 LPV79 LGE)", CurveFitted{0.42093, 6.9476, 0.54992}},
		{"Nexus 4 (4.4.2 KOT49H LGE)", CurveFitted{0.42093, 6.9476, 0.54992}},
		{"Moto X Pro (5.0.2 LXG22.67-7.1 Motorola)", CurveFitted{0.9401940951, 6.170094565, 0.0}},
		{"XT1092 (6.0 MPE24.49-18 Motorola)", CurveFitted{0.1862616782, 8.235367435, -0.45324519}},
		{"classic (Nexus 4 fit, StackOverflow 20434019)", CurveFitted{0.89976, 7.7095, 0.111}},
	}
}

func validLevel(v float64) bool { return v < 0 && v > -200 && !math.IsNaN(v) }

// Calibration corrects one receiver (gateway or phone): Offset in dB is
// added to every RSSI it reports (antenna gain, mounting height, enclosure),
// and Exponent, when non-zero, replaces the path-loss exponent for its
// surroundings.
type Calibration struct {
	Offset   float64
	Exponent float64
}

// Estimate is a distance with its uncertainty.
type Estimate struct {
	Meters   float64 // best estimate
	Min, Max float64 // range for RSSI ± one standard deviation
	OK       bool    // false: unknown (no valid RSSI or power)
}

// EstimateDistance applies model to rssi and the ±sigma dB band around it
// (sigma is the RSSI standard deviation, e.g. from Kalman.StdDev).
func EstimateDistance(model DistanceModel, rssi, sigma, txPower1m float64) Estimate {
	d, ok := model.Distance(rssi, txPower1m)
	if !ok {
		return Estimate{}
	}
	e := Estimate{Meters: d, Min: d, Max: d, OK: true}
	if lo, ok := model.Distance(math.Min(rssi+sigma, -0.01), txPower1m); ok {
		e.Min = math.Min(lo, d)
	}
	if hi, ok := model.Distance(rssi-sigma, txPower1m); ok {
		e.Max = math.Max(hi, d)
	}
	return e
}

// Proximity is a coarse distance class, like Apple's CLProximity.
type Proximity uint8

// The proximity classes.
const (
	ProximityUnknown   Proximity = iota // no valid RSSI or power
	ProximityImmediate                  // within centimetres
	ProximityNear                       // within a couple of metres
	ProximityFar                        // further
)

// String returns "unknown", "immediate", "near" or "far".
func (p Proximity) String() string {
	switch p {
	case ProximityImmediate:
		return "immediate"
	case ProximityNear:
		return "near"
	case ProximityFar:
		return "far"
	}
	return "unknown"
}

// ProximityClassifier maps distances to Proximity with dead-bands so that
// a reading hovering on a boundary does not flip the class: moving to a
// closer class needs d <= boundary, moving to a farther one needs
// d > boundary + DeadBand. Zero fields take the defaults Immediate 0.5 m,
// Near 3 m, DeadBand 1 m.
type ProximityClassifier struct {
	Immediate float64
	Near      float64
	DeadBand  float64
}

// Classify returns the class for d metres given the previous class (use
// ProximityUnknown for a first reading). ok false gives ProximityUnknown.
func (c ProximityClassifier) Classify(prev Proximity, d float64, ok bool) Proximity {
	if !ok || math.IsNaN(d) || d < 0 {
		return ProximityUnknown
	}
	imm, near, db := c.Immediate, c.Near, c.DeadBand
	if imm <= 0 {
		imm = 0.5
	}
	if near <= 0 {
		near = 3
	}
	if db <= 0 {
		db = 1
	}
	if prev == ProximityImmediate {
		imm += db
	}
	if prev == ProximityImmediate || prev == ProximityNear {
		near += db
	}
	switch {
	case d <= imm:
		return ProximityImmediate
	case d <= near:
		return ProximityNear
	}
	return ProximityFar
}
