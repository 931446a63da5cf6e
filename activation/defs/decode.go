package defs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
)

// MaxFileBytes is the largest definition file Decode accepts.
const MaxFileBytes = 4 << 20

// Decode reads and validates a definition file. Unknown fields are
// errors (a typo must not silently disable a condition). Every error is an
// *Error naming the definition and the field; Decode never returns a
// partial Set.
func Decode(data []byte) (*Set, error) {
	if len(data) > MaxFileBytes {
		return nil, &Error{Kind: "file", Reason: fmt.Sprintf("%d bytes, more than %d", len(data), MaxFileBytes), Err: ErrInvalid}
	}
	var top struct {
		Version   *int              `json:"version"`
		Traits    []json.RawMessage `json:"traits"`
		Audiences []json.RawMessage `json:"audiences"`
		Journeys  []json.RawMessage `json:"journeys"`
	}
	if err := strict(data, &top); err != nil {
		return nil, jsonError("file", "", data, &top, err)
	}
	if top.Version == nil {
		return nil, &Error{Kind: "file", Field: "version", Reason: "missing", Err: ErrRequired}
	}
	if *top.Version != FormatVersion {
		return nil, &Error{Kind: "file", Field: "version", Reason: fmt.Sprintf("%d; this reader knows %d", *top.Version, FormatVersion), Err: ErrVersion}
	}
	s := &Set{Version: *top.Version}
	for i, raw := range top.Traits {
		var t Trait
		if err := strict(raw, &t); err != nil {
			return nil, jsonError("trait", keyOf(raw, i), raw, &t, err)
		}
		s.Traits = append(s.Traits, t)
	}
	for i, raw := range top.Audiences {
		var a Audience
		if err := strict(raw, &a); err != nil {
			return nil, jsonError("audience", keyOf(raw, i), raw, &a, err)
		}
		s.Audiences = append(s.Audiences, a)
	}
	for i, raw := range top.Journeys {
		var j Journey
		if err := strict(raw, &j); err != nil {
			return nil, jsonError("journey", keyOf(raw, i), raw, &j, err)
		}
		s.Journeys = append(s.Journeys, j)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// Load reads and decodes the file at path (see Decode).
func Load(path string) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	return Decode(data)
}

// Encode writes s as indented JSON that Decode reads back.
func Encode(s *Set) ([]byte, error) {
	c := *s
	if c.Version == 0 {
		c.Version = FormatVersion
	}
	return json.MarshalIndent(&c, "", "  ")
}

func strict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the top-level value")
	}
	return nil
}

// keyOf finds a definition's key for error messages, or "#index".
func keyOf(raw json.RawMessage, i int) string {
	var k struct {
		Key string `json:"key"`
	}
	if json.Unmarshal(raw, &k) == nil && k.Key != "" && len(k.Key) <= 128 {
		return k.Key
	}
	return "#" + strconv.Itoa(i)
}

// jsonError is the *Error for err, from decoding raw into v.
func jsonError(kind, key string, raw []byte, v any, err error) *Error {
	e := &Error{Kind: kind, Key: key, Reason: err.Error(), Err: ErrSyntax}
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		e.Field = te.Field
		e.Reason = "is a JSON " + te.Value + ", want " + te.Type.String()
		e.Err = ErrInvalid
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		e.Field = unknownPath(raw, reflect.TypeOf(v), strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`))
		e.Reason = "unknown field"
		e.Err = ErrUnknownField
	case strings.HasPrefix(err.Error(), "duration ") || strings.HasPrefix(err.Error(), "a duration"):
		e.Err = ErrInvalid
	}
	return e
}
