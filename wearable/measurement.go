package wearable

import (
	"strconv"
	"time"
)

// Kind says what a Measurement measures, and so which of its value fields
// is set.
type Kind uint8

// The measurement kinds.
const (
	KindHeartRate        Kind = iota + 1 // HeartRate (BPM); also pulse rate from cuffs and oximeters
	KindRRInterval                       // RRInterval (Milliseconds)
	KindEnergyExpended                   // Energy (Kilocalories) over Start..End
	KindSpeed                            // Speed (MetresPerSecond)
	KindCyclingCadence                   // Cadence (RPM)
	KindStepCadence                      // StepCadence (StepsPerMinute)
	KindPower                            // Power (Watts)
	KindDistance                         // Distance (Metres) over Start..End
	KindStepCount                        // Steps over Start..End
	KindBodyTemperature                  // Temperature (Celsius), TemperatureSite
	KindBloodPressure                    // BloodPressure (MMHg)
	KindBodyWeight                       // Weight (Kilograms)
	KindOxygenSaturation                 // SpO2 (Percent)
	KindWorkout                          // Workout over Start..End
	KindBatteryLevel                     // Battery (Percent); device state, not health data
	maxKind              = KindBatteryLevel
)

var kindNames = [...]string{
	KindHeartRate:        "heart_rate",
	KindRRInterval:       "rr_interval",
	KindEnergyExpended:   "energy_expended",
	KindSpeed:            "speed",
	KindCyclingCadence:   "cycling_cadence",
	KindStepCadence:      "step_cadence",
	KindPower:            "power",
	KindDistance:         "distance",
	KindStepCount:        "step_count",
	KindBodyTemperature:  "body_temperature",
	KindBloodPressure:    "blood_pressure",
	KindBodyWeight:       "body_weight",
	KindOxygenSaturation: "oxygen_saturation",
	KindWorkout:          "workout",
	KindBatteryLevel:     "battery_level",
}

// String returns the snake_case name ("heart_rate").
func (k Kind) String() string {
	if k >= 1 && k <= maxKind {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// HealthCategory is the health data category of a measurement. Everything
// but NotHealth is health data: it may only reach destinations with a health
// purpose.
type HealthCategory uint8

// The health data categories.
const (
	NotHealth        HealthCategory = iota // device state (battery level)
	HealthVitalSigns                       // heart rate, RR, blood pressure, SpO2, body temperature
	HealthActivity                         // energy, speed, cadence, power, distance, steps, workouts
	HealthBody                             // body weight
)

// String returns "not_health", "vital_signs", "activity" or "body_measurement".
func (c HealthCategory) String() string {
	switch c {
	case NotHealth:
		return "not_health"
	case HealthVitalSigns:
		return "vital_signs"
	case HealthActivity:
		return "activity"
	case HealthBody:
		return "body_measurement"
	}
	return "category(" + strconv.Itoa(int(c)) + ")"
}

// IsHealth reports whether the category is health data.
func (c HealthCategory) IsHealth() bool { return c != NotHealth }

// Category returns the health data category of the kind.
func (k Kind) Category() HealthCategory {
	switch k {
	case KindHeartRate, KindRRInterval, KindBloodPressure, KindOxygenSaturation, KindBodyTemperature:
		return HealthVitalSigns
	case KindBodyWeight:
		return HealthBody
	case KindBatteryLevel:
		return NotHealth
	}
	return HealthActivity
}

// SourceKind says how a measurement reached the SDK.
type SourceKind uint8

// The sources. Platform sources (everything but SourceBLE) come with
// platform policies that forbid advertising and marketing use outright.
const (
	SourceBLE           SourceKind = iota + 1 // a GATT notification received directly
	SourceAppleHealth                         // an Apple Health (HealthKit) export
	SourceHealthConnect                       // Android Health Connect
)

// String returns "ble", "apple_health" or "health_connect".
func (s SourceKind) String() string {
	switch s {
	case SourceBLE:
		return "ble"
	case SourceAppleHealth:
		return "apple_health"
	case SourceHealthConnect:
		return "health_connect"
	}
	return "source(" + strconv.Itoa(int(s)) + ")"
}

// Platform reports whether the source is a health platform.
func (s SourceKind) Platform() bool { return s != SourceBLE }

// Source is the provenance of a measurement.
type Source struct {
	Kind    SourceKind
	Name    string // the app or device the platform names ("NJR Apple Watch"); "" for BLE
	Version string // its version, when known
}

// DeviceType is a coarse, low-cardinality device class.
type DeviceType string

// The device types.
const (
	DeviceHeartRateSensor      DeviceType = "heart_rate_sensor"
	DeviceSpeedCadenceSensor   DeviceType = "speed_cadence_sensor"
	DevicePowerMeter           DeviceType = "power_meter"
	DeviceRunningSensor        DeviceType = "running_sensor"
	DeviceThermometer          DeviceType = "thermometer"
	DeviceBloodPressureMonitor DeviceType = "blood_pressure_monitor"
	DeviceScale                DeviceType = "scale"
	DevicePulseOximeter        DeviceType = "pulse_oximeter"
	DeviceWatch                DeviceType = "watch"
	DevicePhone                DeviceType = "phone"
	DeviceUnknown              DeviceType = "unknown"
)

// Device describes the device that took a measurement.
type Device struct {
	ID           string     // stable identifier chosen by the caller (bonded identity, serial)
	Type         DeviceType // inferred from the first characteristic when empty
	Name         string
	Manufacturer string
	Model        string
	Firmware     string
	// Location is where a heart-rate sensor is worn (Body Sensor Location),
	// valid when HasLocation.
	Location    BodySensorLocation
	HasLocation bool
}

// Flags qualify a measurement. The plausibility layer sets them; it never
// changes a value to hide a problem.
type Flags uint32

// The flags. Valid reports false when any of FlagNoReading,
// FlagContactNotDetected, FlagOffBody, FlagImplausible or FlagUnreliable is
// set.
const (
	// FlagNoReading: the value fields hold no reading; Special or another
	// flag says why.
	FlagNoReading Flags = 1 << iota
	// FlagContactNotDetected: the sensor reports no skin contact.
	FlagContactNotDetected
	// FlagOffBody: a value a known quirk uses for "not worn" (0 bpm; 255 bpm
	// with Quirks.OffBodyAt255).
	FlagOffBody
	// FlagImplausible: outside the physiological or physical range.
	FlagImplausible
	// FlagUnreliable: the device marks the reading as questionable
	// (movement, loose cuff, signal or sensor fault, test data).
	FlagUnreliable
	// FlagRRUnitSuspect: over the session the RR values fit the heart rate
	// better when read as milliseconds than as 1/1024 s; consider
	// Quirks.RRInMilliseconds for this device.
	FlagRRUnitSuspect
	// FlagQuirkApplied: a configured device quirk changed the interpretation
	// (RR read as milliseconds).
	FlagQuirkApplied
	// FlagCounterReset: a cumulative counter went backwards; the baseline
	// was restarted.
	FlagCounterReset
	// FlagGap: too long since the last revolution event to tell how often
	// the 16-bit event time wrapped, or the receipt clock stepped back (a
	// notification received before the previous one); the baseline was
	// restarted. Wheel and crank speed and cadence, running-sensor distance
	// and energy expended carry it.
	FlagGap
	// FlagCoasting: no new revolution within the coast timeout; the value is
	// 0 rather than the last one held.
	FlagCoasting
	// FlagDeviceClockUnknown: the device sent a timestamp that is unknown,
	// not set, or outside the times CheckTime accepts (a year past 2262);
	// the receipt time is used.
	FlagDeviceClockUnknown
	// FlagSaturated: a cumulative counter is at its maximum (65535 kJ).
	FlagSaturated
	// FlagIrregularPulse: the cuff detected an irregular pulse.
	FlagIrregularPulse
	// FlagUnsuccessful: the device reported "measurement unsuccessful".
	FlagUnsuccessful
)

const invalidFlags = FlagNoReading | FlagContactNotDetected | FlagOffBody | FlagImplausible | FlagUnreliable

// Has reports whether all bits of f2 are set in f.
func (f Flags) Has(f2 Flags) bool { return f&f2 == f2 }

// BloodPressure is a blood-pressure reading in mmHg.
type BloodPressure struct {
	Systolic, Diastolic MMHg
	// MeanArterial is valid when HasMeanArterial.
	MeanArterial    MMHg
	HasMeanArterial bool
}

// Workout summarizes a bout of exercise.
type Workout struct {
	// Activity is a snake_case activity name ("cycling", "running",
	// "walking", "other").
	Activity string
	// Duration is the active duration (may be shorter than End-Start).
	Duration time.Duration
	// Distance and Energy are zero when unknown.
	Distance Metres
	Energy   Kilocalories
	// AverageHeartRate and MaxHeartRate are zero when unknown.
	AverageHeartRate BPM
	MaxHeartRate     BPM
}

// Measurement is one normalized, provenance-stamped reading. Kind says which
// value field is set; the others are zero. A Measurement is a plain value,
// safe to copy and to share read-only between goroutines.
type Measurement struct {
	Kind Kind
	// Start and End are the effective time frame: equal for a point in time,
	// an interval for energy, distance, steps and workouts.
	Start, End time.Time
	Source     Source
	Device     Device
	// DeviceUser is the user index on a multi-user device (cuff, scale),
	// valid when HasDeviceUser.
	DeviceUser    uint8
	HasDeviceUser bool
	// DedupeKey identifies the reading across re-imports and re-deliveries:
	// the same reading from the same source always gets the same key.
	DedupeKey string
	Flags     Flags
	// Special is the IEEE-11073 special value that replaced the reading
	// (with FlagNoReading), or NotSpecial.
	Special Special
	// Original is the value and unit as received when a conversion happened
	// (kPa, lb, °F, kJ, km, a 0..1 fraction); zero otherwise.
	Original Quantity
	// Activity names the activity a distance or speed belongs to
	// ("cycling", "running", "walking_running"), when known; running and
	// walking speeds have a lower plausible maximum (Plausibility).
	// Workouts carry theirs in Workout.Activity.
	Activity string

	HeartRate       BPM
	RRInterval      Milliseconds
	Energy          Kilocalories
	Speed           MetresPerSecond
	Cadence         RPM
	StepCadence     StepsPerMinute
	Power           Watts
	Distance        Metres
	Steps           int64
	Temperature     Celsius
	TemperatureSite TemperatureType // 0 when not known
	BloodPressure   BloodPressure
	Weight          Kilograms
	SpO2            Percent
	Workout         Workout
	Battery         Percent
}

// Category returns the health data category of the measurement.
func (m *Measurement) Category() HealthCategory { return m.Kind.Category() }

// Valid reports whether the measurement holds a usable reading: no
// FlagNoReading, FlagContactNotDetected, FlagOffBody, FlagImplausible or
// FlagUnreliable.
func (m *Measurement) Valid() bool { return m.Flags&invalidFlags == 0 }

// Scalar returns the value of a single-valued kind with its UCUM unit, and
// false for blood pressure, workouts and measurements without a reading.
func (m *Measurement) Scalar() (float64, string, bool) {
	if m.Flags.Has(FlagNoReading) {
		return 0, "", false
	}
	switch m.Kind {
	case KindHeartRate:
		return float64(m.HeartRate), "/min", true
	case KindRRInterval:
		return float64(m.RRInterval), "ms", true
	case KindEnergyExpended:
		return float64(m.Energy), "kcal", true
	case KindSpeed:
		return float64(m.Speed), "m/s", true
	case KindCyclingCadence:
		return float64(m.Cadence), "/min", true
	case KindStepCadence:
		return float64(m.StepCadence), "/min", true
	case KindPower:
		return float64(m.Power), "W", true
	case KindDistance:
		return float64(m.Distance), "m", true
	case KindStepCount:
		return float64(m.Steps), "{steps}", true
	case KindBodyTemperature:
		return float64(m.Temperature), "Cel", true
	case KindBodyWeight:
		return float64(m.Weight), "kg", true
	case KindOxygenSaturation:
		return float64(m.SpO2), "%", true
	case KindBatteryLevel:
		return float64(m.Battery), "%", true
	}
	return 0, "", false
}
