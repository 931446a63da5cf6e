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
package applehealth
