// Package omhvalidate checks JSON documents against the Open mHealth schemas
// that package wearable emits, without a JSON-schema engine: each schema's
// rules (required fields, types, unit and value enums, time frames, date-time
// format, oneOf exclusivity) are written out by hand from the published
// schema files.
//
// Covered: data-point 1.0, header 1.x, heart-rate 2.0, rr-interval 1.0,
// calories-burned 2.0, speed 1.0, step-count 3.0, physical-activity 1.2,
// body-temperature 4.0, blood-pressure 4.0, body-weight 3.0 and
// oxygen-saturation 2.0. The 4.0/3.0 body schemas use the IEEE 1752.1 time
// frame (no date + part-of-day interval); the others the Open mHealth 1.x
// one. Additional properties are allowed, as in the schemas.
//
// Documents are the any values produced by encoding/json. The functions are
// pure and safe for concurrent use.
package omhvalidate
