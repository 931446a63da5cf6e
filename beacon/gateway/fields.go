package gateway

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
)

// object is a decoded JSON object whose members are read by typed getters
// that report the first error with its field.
type object struct {
	format string
	m      map[string]json.RawMessage
	err    error
}

func decodeObject(format string, payload []byte) (*object, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var m map[string]json.RawMessage
	if err := dec.Decode(&m); err != nil {
		return nil, perr(format, "", wrap(ErrMalformedJSON, err))
	}
	if dec.More() {
		return nil, perr(format, "", wrap(ErrMalformedJSON, errors.New("trailing data after the object")))
	}
	if m == nil {
		return nil, perr(format, "", wrap(ErrMalformedJSON, errors.New("payload is null")))
	}
	return &object{format: format, m: m}, nil
}

func (o *object) fail(field string, err error) {
	if o.err == nil {
		o.err = perr(o.format, field, err)
	}
}

func (o *object) has(field string) bool {
	raw, ok := o.m[field]
	return ok && string(raw) != "null"
}

// str returns a string field; required fields must be present and non-empty.
func (o *object) str(field string, required bool) string {
	if !o.has(field) {
		if required {
			o.fail(field, ErrMissingField)
		}
		return ""
	}
	var s string
	if err := json.Unmarshal(o.m[field], &s); err != nil {
		o.fail(field, wrap(ErrBadValue, errors.New("not a string")))
		return ""
	}
	if required && s == "" {
		o.fail(field, ErrMissingField)
	}
	return s
}

// num returns a finite number field within [lo, hi].
func (o *object) num(field string, lo, hi float64) (float64, bool) {
	if !o.has(field) {
		return 0, false
	}
	raw := o.m[field]
	var n json.Number
	// json.Number also accepts a quoted number; a gateway that sends "-70"
	// is sending a string, and strings are not numbers.
	if raw[0] == '"' || json.Unmarshal(raw, &n) != nil {
		o.fail(field, wrap(ErrBadValue, errors.New("not a number")))
		return 0, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < lo || f > hi {
		o.fail(field, wrap(ErrBadValue, errors.New("number "+string(n)+" out of range")))
		return 0, false
	}
	return f, true
}

// integer is num for whole numbers.
func (o *object) integer(field string, lo, hi int) (int, bool) {
	f, ok := o.num(field, float64(lo), float64(hi))
	if ok && f != math.Trunc(f) {
		o.fail(field, wrap(ErrBadValue, errors.New("not a whole number")))
		return 0, false
	}
	return int(f), ok
}

// hexBytes decodes a hex string field; "" and absent give nil.
func (o *object) hexBytes(field string) []byte {
	s := o.str(field, false)
	if s == "" || o.err != nil {
		return nil
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		o.fail(field, wrap(ErrBadHex, err))
		return nil
	}
	return b
}
