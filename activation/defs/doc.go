// Package defs is the definition format of package activation: computed
// traits, audiences and journeys as data, in a JSON file that marketing can
// edit and a running engine can reload.
//
// # Format
//
// A file is one JSON object (schema: schema.json in this directory, JSON
// Schema 2020-12, also available as Schema):
//
//	{"version": 1,
//	 "traits":    [{"key": "boots_viewed_7d", "kind": "count", "event": "Product Viewed",
//	               "where": [{"path": "properties.category", "op": "eq", "value": "boots"}], "within": "7d"}],
//	 "audiences": [{"key": "boot_lovers", "purpose": "marketing",
//	               "where": {"event": {"event": "Product Viewed", "within": "7d",
//	                         "count": {"op": "gte", "value": 2}}}}],
//	 "journeys":  [{"key": "wish_reminder", "trigger": {"event": "Zone Entered"}, ...}]}
//
// Durations are strings: Go syntax ("90s", "2h") or days ("7d").
//
// # Errors
//
// Decode and Set.Validate return an *Error naming the kind of definition,
// its key and the JSON path of the field at fault, matching one of the
// sentinels (ErrSyntax, ErrRequired, ErrInvalid, ErrUnknownField,
// ErrDuplicate, ErrReference, ErrVersion) with errors.Is. Unknown fields
// are errors. Decode never returns a partial Set.
//
// # Concurrency
//
// The functions are pure; a Set is a value owned by its caller. Package
// activation compiles a Set and keeps nothing of it.
package defs
