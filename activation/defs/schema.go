package defs

import _ "embed"

// Schema is the JSON Schema (2020-12) of the definition file format,
// version FormatVersion. Decode enforces everything it says and more
// (references between definitions, time zones, cycles).
//
//go:embed schema.json
var Schema []byte
