// Package applehealth imports an Apple Health export (export.xml from the
// Health app's "Export All Health Data") as the same normalized
// wearable.Measurement values that BLE sessions produce.
//
// Real exports are gigabytes, so Reader streams: it holds one element at a
// time and its memory does not grow with the file (only with the number of
// distinct record types, for Stats). The XML is read with encoding/xml,
// which never resolves external entities and does not expand entities
// declared in the DOCTYPE: a document that uses one is rejected, not
// resolved. The export's internal DTD is skipped.
//
// Every measurement carries a content-derived DedupeKey (type, source, start,
// end, value and unit; not the device blob, whose object address changes
// between exports), so importing the same export twice yields the same keys.
// Source.Kind is wearable.SourceAppleHealth: platform data that the event
// layer always files under the health category.
//
// What becomes what: heart rate, step count, walking/running, cycling,
// swimming and wheelchair distance, active energy, body mass, body
// temperature and oxygen saturation records; blood-pressure correlations
// (their systolic and diastolic children also appear as top-level records,
// which are counted but not emitted twice); and workouts. Other record types
// are counted in Stats.Unsupported. A Reader is not safe for concurrent use.
//
// # Flagged or refused
//
// Imported values go through wearable.Plausibility, the same rules a BLE
// wearable.Session applies to GATT values (one table, in package wearable).
// A value that parses but is implausible — a negative or 400 bpm heart
// rate, a weight of -70 kg or 1000 lb, a temperature of 120 °F, an SpO2 below
// 0 or above 100 %, a negative distance, energy or step count, diastolic
// above systolic, a record or workout that ends before it starts — is
// returned as imported with wearable.FlagImplausible set (0 bpm:
// wearable.FlagOffBody), so Measurement.Valid is false and the Open mHealth,
// FHIR and event conversions refuse it; Stats.Flagged counts them.
//
// Refused, as a *RecordError after which the import goes on (Stats.Invalid
// counts them): a number that does not parse or is not finite, a step count
// that is not a whole number within int64, a duration beyond
// time.Duration (ErrBadValue); an unknown unit (ErrUnknownUnit); a date that
// is not "YYYY-MM-DD HH:MM:SS ±HHMM", does not exist, or that
// wearable.CheckTime refuses — year 1 at midnight UTC (the zero time.Time),
// before 1678 or after 2262, where nanoseconds overflow an int64 — (ErrBadDate,
// also matching wearable.ErrInvalidTime for the last three).
//
// Refused for good, as a final *MalformedError: an XML error, an entity
// reference, a root element other than HealthData, a HealthData nested in
// HealthData, and a second root element or text after </HealthData>. The
// measurements returned before the error stand; nothing after it is read.
package applehealth
