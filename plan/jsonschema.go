package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The JSON Schema subset the three export formats use, and what this file
// turns into Objects and Properties:
//
//   - type (a name or a list), enum, const, pattern, format, minimum,
//     maximum, exclusiveMinimum and exclusiveMaximum (draft-04 booleans and
//     draft-06+ numbers), minLength, maxLength, minItems, maxItems, items
//     (one schema), properties, required, additionalProperties (a boolean);
//   - annotations, which are ignored: $schema, $id, id, title, description,
//     $comment, examples, default, readOnly, writeOnly, deprecated, and
//     vendor keys that are not JSON Schema keywords (Segment's "key",
//     Iglu's "self", ...).
//
// Every other JSON Schema keyword (allOf, anyOf, oneOf, not, if/then/else,
// $ref, definitions, patternProperties, uniqueItems, multipleOf, ...) is
// refused with an *UnsupportedError naming the event and the JSON path:
// a plan is never checked less strictly than it reads.

// unsupportedKeywords are JSON Schema keywords with validation meaning that
// this package does not implement.
var unsupportedKeywords = map[string]bool{
	"allOf": true, "anyOf": true, "oneOf": true, "not": true, "if": true, "then": true, "else": true,
	"$ref": true, "$defs": true, "definitions": true, "$dynamicRef": true, "$recursiveRef": true,
	"patternProperties": true, "dependencies": true, "dependentRequired": true, "dependentSchemas": true,
	"uniqueItems": true, "multipleOf": true, "contains": true, "minContains": true, "maxContains": true,
	"propertyNames": true, "minProperties": true, "maxProperties": true, "additionalItems": true,
	"unevaluatedProperties": true, "unevaluatedItems": true, "prefixItems": true,
}

// decodeJSON decodes one JSON document with numbers as json.Number, and
// refuses trailing data.
func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the JSON document")
	}
	return v, nil
}

// conv converts one event's schema; it knows where it is for errors.
type conv struct {
	format string
	event  string
}

func (c *conv) unsupported(path, kw, reason string) error {
	return &UnsupportedError{Format: c.format, Event: c.event, Path: path, Keyword: kw, Reason: reason}
}

func (c *conv) malformed(path string, err error) error {
	return &ImportError{Format: c.format, Event: c.event, Path: path, Err: err}
}

// join appends a key to a JSON path, quoting keys that are not plain
// identifiers: properties["optional any"].
func join(path, key string) string {
	plain := key != ""
	for i := 0; i < len(key); i++ {
		ch := key[i]
		if !(ch == '_' || ch == '$' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || i > 0 && ch >= '0' && ch <= '9') {
			plain = false
			break
		}
	}
	if !plain {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// eventRule converts the JSON schema of a whole Segment message (a
// Segment or RudderStack rule) into e's Properties, Traits and Context.
// The top level may constrain only properties, traits and context.
func (c *conv) eventRule(s any, path string, e *Event) error {
	if s == nil {
		return nil
	}
	m, ok := s.(map[string]any)
	if !ok {
		return c.malformed(path, errors.New("the rule is not a JSON object"))
	}
	for _, k := range sortedKeys(m) {
		v := m[k]
		at := join(path, k)
		switch k {
		case "type":
			if t, err := c.typeOf(v, at); err != nil {
				return err
			} else if t != TypeAny && t&TypeObject == 0 {
				return c.unsupported(at, k, "a message is an object")
			}
		case "required":
			names, err := c.strings(v, at)
			if err != nil {
				return err
			}
			for _, n := range names {
				switch n {
				case "properties", "traits", "context":
					// Touchpoint messages always carry these objects (empty
					// when unset), so requiring them checks nothing.
				default:
					return c.unsupported(at, k, "only properties, traits and context may be required at the top level, not "+strconv.Quote(n))
				}
			}
		case "properties":
			sections, ok := v.(map[string]any)
			if !ok {
				return c.malformed(at, errors.New("properties is not an object"))
			}
			for _, sk := range sortedKeys(sections) {
				sat := join(at, sk)
				var dst *Object
				switch sk {
				case "properties":
					dst = &e.Properties
				case "traits":
					dst = &e.Traits
				case "context":
					dst = &e.Context
				default:
					return c.unsupported(sat, sk, "a rule may constrain properties, traits and context, not top-level "+strconv.Quote(sk))
				}
				o, err := c.object(sections[sk], sat)
				if err != nil {
					return err
				}
				*dst = o
			}
		case "additionalProperties":
			if b, ok := v.(bool); !ok || !b {
				return c.unsupported(at, k, "a rule cannot forbid the message's other top-level keys")
			}
		case "version":
			// RudderStack's config backend injects the rule version here.
		default:
			if unsupportedKeywords[k] {
				return c.unsupported(at, k, "keyword not supported")
			}
		}
	}
	return nil
}

// object converts an object schema.
func (c *conv) object(s any, path string) (Object, error) {
	var o Object
	m, ok := s.(map[string]any)
	if !ok {
		if b, isBool := s.(bool); isBool && b {
			return o, nil // true: anything
		}
		return o, c.malformed(path, errors.New("schema is not a JSON object"))
	}
	var required []string
	for _, k := range sortedKeys(m) {
		v := m[k]
		at := join(path, k)
		switch k {
		case "type":
			t, err := c.typeOf(v, at)
			if err != nil {
				return o, err
			}
			if t != TypeAny && t&TypeObject == 0 {
				return o, c.unsupported(at, k, "this part of the message is an object")
			}
		case "properties":
			props, ok := v.(map[string]any)
			if !ok {
				return o, c.malformed(at, errors.New("properties is not an object"))
			}
			for _, name := range sortedKeys(props) {
				p, err := c.property(name, props[name], join(at, name))
				if err != nil {
					return o, err
				}
				o.Properties = append(o.Properties, p)
			}
		case "required":
			names, err := c.strings(v, at)
			if err != nil {
				return o, err
			}
			required = names
		case "additionalProperties":
			b, ok := v.(bool)
			if !ok {
				return o, c.unsupported(at, k, "only true or false is supported")
			}
			o.Strict = !b
		default:
			if unsupportedKeywords[k] {
				return o, c.unsupported(at, k, "keyword not supported")
			}
		}
	}
	o.Properties = markRequired(o.Properties, required)
	return o, nil
}

// markRequired sets Required on the named properties, adding an
// unconstrained one for a name that has no schema of its own.
func markRequired(props []Property, names []string) []Property {
	for _, n := range names {
		i := slices.IndexFunc(props, func(p Property) bool { return p.Name == n })
		if i < 0 {
			props = append(props, Property{Name: n, Required: true})
			continue
		}
		props[i].Required = true
	}
	return props
}

// property converts the schema of one key.
func (c *conv) property(name string, s any, path string) (Property, error) {
	p := Property{Name: name}
	if b, ok := s.(bool); ok {
		if !b {
			return p, c.unsupported(path, "false", "a schema of false (no value allowed) is not supported")
		}
		return p, nil
	}
	m, ok := s.(map[string]any)
	if !ok {
		return p, c.malformed(path, errors.New("schema is not a JSON object"))
	}
	var nested *Object
	for _, k := range sortedKeys(m) {
		v := m[k]
		at := join(path, k)
		var err error
		switch k {
		case "description":
			p.Description, _ = v.(string)
		case "type":
			p.Type, err = c.typeOf(v, at)
		case "enum":
			vals, ok := v.([]any)
			if !ok || len(vals) == 0 {
				return p, c.malformed(at, errors.New("enum is not a non-empty array"))
			}
			p.Enum, err = c.scalars(vals, at)
		case "const":
			p.Enum, err = c.scalars([]any{v}, at)
		case "pattern":
			s, ok := v.(string)
			if !ok {
				return p, c.malformed(at, errors.New("pattern is not a string"))
			}
			if _, rerr := regexp.Compile(s); rerr != nil {
				return p, c.unsupported(at, k, "not an RE2 expression (lookarounds and backreferences are not supported): "+rerr.Error())
			}
			p.Pattern = s
		case "format":
			s, _ := v.(string)
			switch f := Format(s); f {
			case FormatDateTime, FormatDate, FormatEmail, FormatURI, FormatUUID, FormatIPv4, FormatIPv6:
				p.Format = f
			default:
				return p, c.unsupported(at, k, "unknown format "+strconv.Quote(s))
			}
		case "minimum", "maximum":
			var f float64
			if f, err = c.number(v, at); err == nil {
				if k == "minimum" {
					p.Minimum = Float(f)
				} else {
					p.Maximum = Float(f)
				}
			}
		case "exclusiveMinimum", "exclusiveMaximum":
			err = c.exclusive(k, v, at, m, &p)
		case "minLength", "maxLength", "minItems", "maxItems":
			var n int
			if n, err = c.count(v, at); err == nil {
				dst := map[string]**int{"minLength": &p.MinLength, "maxLength": &p.MaxLength, "minItems": &p.MinItems, "maxItems": &p.MaxItems}[k]
				*dst = Int(n)
			}
		case "items":
			if _, isList := v.([]any); isList {
				return p, c.unsupported(at, k, "tuple items (an array of schemas) are not supported")
			}
			var it Property
			if it, err = c.property("[]", v, at); err == nil {
				it.Name = ""
				p.Items = &it
			}
		case "properties", "required", "additionalProperties":
			if nested == nil {
				o, oerr := c.object(objectPart(m), path)
				if oerr != nil {
					return p, oerr
				}
				nested = &o
			}
		default:
			if unsupportedKeywords[k] {
				return p, c.unsupported(at, k, "keyword not supported")
			}
		}
		if err != nil {
			return p, err
		}
	}
	p.Object = nested
	finishExclusive(&p)
	return p, nil
}

// objectPart keeps the keys of a property schema that describe its object
// value.
func objectPart(m map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"properties", "required", "additionalProperties"} {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

// exclusive handles exclusiveMinimum/Maximum: a number (draft-06+), or a
// boolean that makes minimum/maximum exclusive (draft-04).
func (c *conv) exclusive(k string, v any, at string, m map[string]any, p *Property) error {
	if b, ok := v.(bool); ok {
		if !b {
			return nil
		}
		base := "minimum"
		if k == "exclusiveMaximum" {
			base = "maximum"
		}
		bv, ok := m[base]
		if !ok {
			return c.malformed(at, errors.New(k+" is true but there is no "+base))
		}
		f, err := c.number(bv, join(strings.TrimSuffix(at, "."+k), base))
		if err != nil {
			return err
		}
		if k == "exclusiveMinimum" {
			p.ExclusiveMinimum = Float(f)
		} else {
			p.ExclusiveMaximum = Float(f)
		}
		return nil
	}
	f, err := c.number(v, at)
	if err != nil {
		return err
	}
	if k == "exclusiveMinimum" {
		p.ExclusiveMinimum = Float(f)
	} else {
		p.ExclusiveMaximum = Float(f)
	}
	return nil
}

// finishExclusive drops minimum/maximum when a draft-04 boolean made them
// exclusive (they were copied into the exclusive bound).
func finishExclusive(p *Property) {
	if p.ExclusiveMinimum != nil && p.Minimum != nil && *p.Minimum == *p.ExclusiveMinimum {
		p.Minimum = nil
	}
	if p.ExclusiveMaximum != nil && p.Maximum != nil && *p.Maximum == *p.ExclusiveMaximum {
		p.Maximum = nil
	}
}

func (c *conv) typeOf(v any, at string) (Type, error) {
	var names []string
	switch x := v.(type) {
	case string:
		names = []string{x}
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return 0, c.malformed(at, errors.New("type list holds a non-string"))
			}
			names = append(names, s)
		}
	default:
		return 0, c.malformed(at, errors.New("type is neither a string nor a list"))
	}
	var t Type
	for _, n := range names {
		i := slices.Index(typeNames[:], n)
		if i < 0 {
			if n == "any" {
				return TypeAny, nil
			}
			return 0, c.unsupported(at, "type", "unknown type "+strconv.Quote(n))
		}
		t |= 1 << i
	}
	return t, nil
}

func (c *conv) strings(v any, at string) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, c.malformed(at, errors.New("not an array of strings"))
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, c.malformed(at, errors.New("not an array of strings"))
		}
		out = append(out, s)
	}
	return out, nil
}

// scalars checks that enum values are strings, numbers, booleans or null.
func (c *conv) scalars(vals []any, at string) ([]any, error) {
	out := make([]any, 0, len(vals))
	for _, v := range vals {
		switch x := v.(type) {
		case nil, string, bool:
			out = append(out, x)
		case json.Number:
			f, err := strconv.ParseFloat(string(x), 64)
			if err != nil || math.IsInf(f, 0) {
				return nil, c.malformed(at, errors.New("number "+string(x)+" is out of range"))
			}
			out = append(out, f)
		default:
			return nil, c.unsupported(at, "enum", "object and array values in enum/const are not supported")
		}
	}
	return out, nil
}

func (c *conv) number(v any, at string) (float64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, c.malformed(at, errors.New("not a number"))
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, c.malformed(at, errors.New("number "+string(n)+" is out of range"))
	}
	return f, nil
}

func (c *conv) count(v any, at string) (int, error) {
	f, err := c.number(v, at)
	if err != nil {
		return 0, err
	}
	if f < 0 || f != math.Trunc(f) || f > math.MaxInt32 {
		return 0, c.malformed(at, errors.New("not a non-negative integer"))
	}
	return int(f), nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
