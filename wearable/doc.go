// Package wearable turns Bluetooth GATT health and fitness notifications and
// health-platform exports into normalized, provenance-stamped measurements
// and customer events, and keeps health values out of marketing.
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
// enumeration values are rejected, and on error the receiver is left
// untouched. Errors are *ParseError values naming the characteristic and the
// byte offset, matching ErrTruncated, ErrTrailingBytes, ErrTooLong,
// ErrReserved or ErrOutOfRange with errors.Is. Fields keep the wire
// representation (raw units, the 8/16-bit heart-rate width, raw SFLOAT and
// FLOAT), so decode → encode is byte-exact; the encoders exist so that
// firmware teams can simulate devices.
//
// IEEE 11073-20601 numbers are SFloat (16-bit) and Float (32-bit). Their
// special values — NaN, NRes, +INF, -INF and reserved — are reported by
// Special and are never returned as numbers. Compare values with Equal:
// 100 may be sent as 100 × 10⁰ or 1000 × 10⁻¹.
//
// # Decoders are not thread-safe targets
//
// A decoded value is a plain struct owned by the caller. Decoding into the
// same value from two goroutines is a data race, as for any struct.
package wearable
