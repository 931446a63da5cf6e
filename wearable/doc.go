// Package wearable turns Bluetooth GATT health and fitness notifications and
// health-platform exports into normalized, provenance-stamped measurements
// and customer events, and keeps health values out of marketing.
//
// The pipeline is: raw value → decoder → Session (stateful derivation and
// plausibility) → Measurement (normalized units, source, device, category)
// → Open mHealth / FHIR JSON, or → connected.Event (event.go).
//
// # Decoders
//
// One type per characteristic, in files named by UUID:
//
//	0x2A37 HeartRateMeasurement      0x2A5B CSCMeasurement
//	0x2A38 BodySensorLocation        0x2A63 CyclingPowerMeasurement
//	0x2A19 BatteryLevel              0x2A1C TemperatureMeasurement
//	0x2A53 RSCMeasurement            0x2A35 BloodPressureMeasurement
//	0x2A9D WeightMeasurement         0x2A36 IntermediateCuffPressure
//	0x2A5E PLXSpotCheck              0x2A5F PLXContinuous
//
// Each implements encoding.BinaryUnmarshaler and AppendBinary/MarshalBinary.
// Decoding uses only the standard library, does not allocate, and is strict:
// the value length must match what the flags announce (no zero-padding of
// short values, no ignoring of extra bytes), reserved flag bits and reserved
// enumeration or status values are rejected, and on error the receiver is
// left untouched. Errors are *ParseError values naming the characteristic
// and the byte offset, matching ErrTruncated, ErrTrailingBytes, ErrTooLong,
// ErrReserved or ErrOutOfRange with errors.Is. Fields keep the wire
// representation (raw units, the 8/16-bit heart-rate width, raw SFLOAT and
// FLOAT), so decode → encode is byte-exact; the encoders are there for
// firmware teams simulating devices.
//
// IEEE 11073-20601 numbers are SFloat (16-bit) and Float (32-bit). Their
// special values — NaN, NRes, +INF, -INF and reserved — are reported by
// Special and are never returned as numbers. Compare values with Equal:
// 100 may be sent as 100 × 10⁰ or 1000 × 10⁻¹.
//
// # Sessions
//
// A Session follows one device. It is a synchronous state machine: every
// call takes the receipt time from the caller, so a recorded stream replays
// exactly, and it is not safe for concurrent use (one goroutine per device).
// It derives cadence, speed and distance from cumulative CSC and
// cycling-power counters with modular arithmetic (event times mod 65,536,
// wheel counts mod 2³², crank counts mod 2¹⁶; power-meter wheel times in
// 1/2048 s), restarting its baseline — and saying so with a flag — when a
// gap makes the event time ambiguous or a counter runs backwards. It keeps
// heart-rate summaries (average, maximum, time in zones, RMSSD), energy and
// distance totals, Battery Low hysteresis, and the connection and workout
// state behind the Occurrence values (Device Connected/Disconnected, Workout
// Completed, Battery Low).
//
// Times are checked before anything else: Notify, Connect, Disconnect and
// EndWorkout refuse the zero time.Time (an unset field, not a receipt time)
// and instants whose Unix nanoseconds overflow an int64 (after 2262-04-11 or
// before 1677-09-21) with a *TimeError wrapping ErrInvalidTime, and change
// nothing; CheckTime applies the same rule. A device timestamp outside that
// range is replaced by the receipt time and flagged FlagDeviceClockUnknown.
// A receipt clock that steps back restarts the baseline of whatever derives
// from it — wheel and crank counters, running-sensor distance and energy
// expended — and flags that measurement FlagGap (with FlagNoReading); a
// workout is never shortened by it.
//
// # Flagged or refused
//
// The plausibility layer flags and never invents: a value out of range, a
// sensor without skin contact, 0 bpm (off-body), an RR series that looks
// like milliseconds, a device-reported problem all set Flags on a
// measurement that keeps the value as sent; Measurement.Valid says whether
// to use it. Known device deviations are declared per device with Quirks.
// The ranges are one table, Plausibility, which Session applies to GATT
// values and package applehealth to imported records, so a heart rate of
// 300 bpm, a weight of -70 kg, an SpO2 of 104 % or a distance whose End is
// before its Start is flagged FlagImplausible whichever way it arrived.
// What is refused (an error, no measurement) is what cannot be read at all:
// a malformed GATT value (*ParseError), an unusable time (*TimeError), and
// in applehealth a record whose number, unit or date does not parse or a
// document that is not one HealthData element (see that package).
//
// # Measurements and output
//
// A Measurement carries its unit in its field types (BPM, Milliseconds,
// Watts, Metres, Celsius, MMHg with kPa converted, Kilograms, Percent), the
// value as received in Original when a conversion happened, its Source (BLE
// direct or a named platform export), the Device, a DedupeKey, and its
// health data category. MarshalOpenMHealth writes Open mHealth data points
// (heart-rate 2.0, rr-interval 1.0, calories-burned 2.0, speed 1.0,
// step-count 3.0, physical-activity 1.2, body-temperature 4.0,
// blood-pressure 4.0, body-weight 3.0, oxygen-saturation 2.0); MarshalFHIR
// writes FHIR R4 Observations with LOINC codes and UCUM units. Package
// applehealth imports Apple Health exports as the same measurements.
//
// # Events and consent
//
// event.go is the only place that builds connected.Event values. Properties
// that carry a health value appear only on connected.CategoryHealth events,
// which the consent router never delivers to marketing or advertising
// destinations; events without health values are connected.CategoryDevice;
// anything from a health platform is CategoryHealth regardless. Message ids
// are derived from dedupe keys, so replays are idempotent downstream.
//
// Decoded values, measurements and occurrences are plain values owned by
// the caller. The package starts no goroutines and keeps no global state.
package wearable
