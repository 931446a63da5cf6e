package wearable

import "math"

// Normalized values carry their unit in their type. Conversions happen once,
// when a decoded value becomes a Measurement; the value as received is kept
// in Measurement.Original.

// BPM is a heart or pulse rate in beats per minute.
type BPM float64

// Milliseconds is a duration in milliseconds (RR intervals).
type Milliseconds float64

// Kilocalories is energy in kcal (thermochemical: 1 kcal = 4.184 kJ).
type Kilocalories float64

// MetresPerSecond is a speed in m/s.
type MetresPerSecond float64

// KilometresPerHour returns the speed in km/h.
func (v MetresPerSecond) KilometresPerHour() float64 { return float64(v) * 3.6 }

// RPM is a rotational cadence in revolutions per minute (crank cadence).
type RPM float64

// StepsPerMinute is a running or walking cadence.
type StepsPerMinute float64

// Watts is a power.
type Watts float64

// Metres is a length or distance.
type Metres float64

// Celsius is a temperature in degrees Celsius.
type Celsius float64

// Kelvin returns the temperature in kelvin.
func (c Celsius) Kelvin() Kelvin { return Kelvin(float64(c) + 273.15) }

// Fahrenheit returns the temperature in degrees Fahrenheit.
func (c Celsius) Fahrenheit() float64 { return float64(c)*9/5 + 32 }

// Kelvin is a temperature in kelvin.
type Kelvin float64

// MMHg is a pressure in millimetres of mercury (kPa values are converted
// with KPaToMMHg).
type MMHg float64

// Kilograms is a mass.
type Kilograms float64

// Percent is a percentage, 0..100 (oxygen saturation, battery level).
type Percent float64

// Quantity is a value with its UCUM unit code, used for values as received
// (before conversion) and for generic output.
type Quantity struct {
	Value float64
	Unit  string // UCUM code, e.g. "kPa", "[lb_av]", "[degF]", "km"
}

// kJPerKcal is the thermochemical calorie conversion.
const kJPerKcal = 4.184

// roundTo rounds a converted value to the given number of decimals, so that
// a conversion does not claim more precision than the source had (16.0 kPa
// is 120.01 mmHg, not 120.00992). The value as received stays in
// Measurement.Original.
func roundTo(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(v*p) / p
}
