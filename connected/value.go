package connected

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"
)

// maxDepth bounds the nesting of property values. It also turns a cyclic map
// or slice into an error instead of a stack overflow.
const maxDepth = 32

// fieldError builds a *ValidationError for field.
func fieldError(field, reason string) error {
	return &ValidationError{Field: field, Reason: reason}
}

// under prefixes the field of a *ValidationError with parent; it is called
// only on the error path, so building the path costs nothing when all is well.
func under(parent string, err error) error {
	ve, ok := err.(*ValidationError)
	if !ok {
		return err
	}
	switch {
	case ve.Field == "":
		ve.Field = parent
	case ve.Field[0] == '[':
		ve.Field = parent + ve.Field
	default:
		ve.Field = parent + "." + ve.Field
	}
	return ve
}

type kv struct {
	k string
	v any
}

// appendObject appends a string-keyed map in sorted key order.
//
// A map of up to 16 entries (properties usually are) is collected into a
// local array by index and sorted through an array of indices: stores into
// a local array need no write barrier, and sorting moves bytes, not
// strings and interfaces, so nothing here calls the garbage collector's
// write barrier while it marks (measured: a quarter of the map path's
// CPU went to write barriers when the pairs were a slice).
func appendObject(dst []byte, m map[string]any, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, fieldError("", "nested deeper than 32 levels (cyclic value?)")
	}
	if len(m) > smallObject {
		return appendLargeObject(dst, m, depth)
	}
	var pairs [smallObject]kv
	var order [smallObject]uint8
	n := 0
	for k, v := range m {
		pairs[n] = kv{k, v}
		order[n] = uint8(n)
		n++
	}
	// insertion sort of the indices: a handful of properties
	for i := 1; i < n; i++ {
		for j := i; j > 0 && keyLess(pairs[order[j]].k, pairs[order[j-1]].k); j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	dst = append(dst, '{')
	for i, o := range order[:n] {
		p := &pairs[o]
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendPair(dst, p, depth); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// smallObject is the most entries appendObject sorts in local arrays.
const smallObject = 16

// appendLargeObject is appendObject for a map of more than smallObject
// entries: a slice of pairs, sorted by the standard library.
func appendLargeObject(dst []byte, m map[string]any, depth int) ([]byte, error) {
	pairs := make([]kv, 0, len(m))
	for k, v := range m {
		pairs = append(pairs, kv{k, v})
	}
	slices.SortFunc(pairs, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	dst = append(dst, '{')
	for i := range pairs {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendPair(dst, &pairs[i], depth); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// appendPair appends one member of an object: its key, ':' and its value.
func appendPair(dst []byte, p *kv, depth int) ([]byte, error) {
	var ok bool
	if dst, ok = appendString(dst, p.k); !ok {
		return dst, fieldError(strconv.Quote(p.k), "key is not valid UTF-8")
	}
	dst = append(dst, ':')
	var err error
	if dst, err = appendValue(dst, p.v, depth+1); err != nil {
		return dst, under(p.k, err)
	}
	return dst, nil
}

// appendValue appends one property value, validating it.
func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		out, ok := appendString(dst, x)
		if !ok {
			return dst, fieldError("", "string is not valid UTF-8")
		}
		return out, nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int:
		return appendInt(dst, int64(x)), nil
	case int64:
		return appendInt(dst, x), nil
	case int32:
		return appendInt(dst, int64(x)), nil
	case uint64:
		return appendUint(dst, x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return dst, fieldError("", "number is NaN or infinite")
		}
		return appendFloat(dst, x, 64), nil
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return dst, fieldError("", "number is NaN or infinite")
		}
		return appendFloat(dst, float64(x), 32), nil
	case json.Number:
		if !validNumber(string(x)) {
			return dst, fieldError("", "json.Number "+strconv.Quote(string(x))+" is not a JSON number")
		}
		return append(dst, x...), nil
	case time.Time:
		if x.IsZero() {
			return dst, fieldError("", "time is zero")
		}
		return appendTime(dst, x), nil
	case map[string]any:
		return appendObject(dst, x, depth)
	case Properties:
		return appendObject(dst, x, depth)
	case Traits:
		return appendObject(dst, x, depth)
	case []any:
		if depth > maxDepth {
			return dst, fieldError("", "nested deeper than 32 levels (cyclic value?)")
		}
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendValue(dst, e, depth+1); err != nil {
				return dst, under("["+strconv.Itoa(i)+"]", err)
			}
		}
		return append(dst, ']'), nil
	case []string:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = appendString(dst, e); !ok {
				return dst, fieldError("["+strconv.Itoa(i)+"]", "string is not valid UTF-8")
			}
		}
		return append(dst, ']'), nil
	}
	return appendOther(dst, v, depth)
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	errorType         = reflect.TypeFor[error]()
	stringerType      = reflect.TypeFor[fmt.Stringer]()
)

// appendOther appends a value of a type without a fast path. A value that
// says how it wants to be written is written that way, in this order:
// json.Marshaler (its JSON), encoding.TextMarshaler (its text, as a JSON
// string: uuid.UUID, net.IP, netip.Addr, netip.Prefix, big.Float, ...),
// error (its Error text) and fmt.Stringer (its String text: time.Duration
// as "1m30s", an enum's name). Anything else goes by kind (appendReflect).
// A nil pointer is null, without calling its methods. A non-nil pointer
// whose methods are all its element's is dereferenced first, so *T and T
// encode alike (a *time.Time as a time.Time).
func appendOther(dst []byte, v any, depth int) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return append(dst, "null"...), nil
		}
		if !pointerMethods(rv.Type()) {
			if depth > maxDepth {
				return dst, fieldError("", "nested deeper than 32 levels (cyclic value?)")
			}
			return appendValue(dst, rv.Elem().Interface(), depth+1)
		}
	}
	switch x := v.(type) {
	case json.Marshaler:
		return appendMarshaler(dst, x)
	case encoding.TextMarshaler:
		b, err := x.MarshalText()
		if err != nil {
			return dst, fieldError("", "MarshalText of "+rv.Type().String()+" failed: "+err.Error())
		}
		return appendText(dst, unsafe.String(unsafe.SliceData(b), len(b)), rv.Type(), "MarshalText")
	case error:
		return appendText(dst, x.Error(), rv.Type(), "Error")
	case fmt.Stringer:
		return appendText(dst, x.String(), rv.Type(), "String")
	}
	return appendReflect(dst, rv, depth)
}

// pointerMethods reports whether pointer type pt has one of the methods
// appendOther honours that its element type lacks (a pointer receiver).
func pointerMethods(pt reflect.Type) bool {
	et := pt.Elem()
	for _, it := range [...]reflect.Type{jsonMarshalerType, textMarshalerType, errorType, stringerType} {
		if pt.Implements(it) && !et.Implements(it) {
			return true
		}
	}
	return false
}

// appendText appends text, the text form of a value of type t from its
// method m, as a JSON string.
func appendText(dst []byte, text string, t reflect.Type, m string) ([]byte, error) {
	out, ok := appendString(dst, text)
	if !ok {
		return dst, fieldError("", m+" of "+t.String()+" is not valid UTF-8")
	}
	return out, nil
}

// appendMarshaler appends the output of a json.Marshaler after checking it.
func appendMarshaler(dst []byte, m json.Marshaler) ([]byte, error) {
	b, err := m.MarshalJSON()
	if err != nil {
		return dst, fieldError("", "MarshalJSON failed: "+err.Error())
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil || !utf8.Valid(b) {
		return dst, fieldError("", "MarshalJSON returned invalid JSON")
	}
	return append(dst, buf.Bytes()...), nil
}

// appendReflect handles the value kinds without a fast path: other integer
// and float types, named types, pointers, slices, arrays, string-keyed maps
// and structs (through encoding/json). It rejects channels, funcs, complex
// numbers and unsafe pointers.
func appendReflect(dst []byte, rv reflect.Value, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, fieldError("", "nested deeper than 32 levels (cyclic value?)")
	}
	switch rv.Kind() {
	case reflect.Bool:
		return strconv.AppendBool(dst, rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(dst, rv.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return dst, fieldError("", "number is NaN or infinite")
		}
		return appendFloat(dst, f, rv.Type().Bits()), nil
	case reflect.String:
		return appendValue(dst, rv.String(), depth)
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return append(dst, "null"...), nil
		}
		return appendValue(dst, rv.Elem().Interface(), depth+1)
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return append(dst, "null"...), nil
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 && rv.Kind() == reflect.Slice {
			dst = append(dst, '"')
			dst = base64.StdEncoding.AppendEncode(dst, rv.Bytes())
			return append(dst, '"'), nil
		}
		dst = append(dst, '[')
		for i := range rv.Len() {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendValue(dst, rv.Index(i).Interface(), depth+1); err != nil {
				return dst, under("["+strconv.Itoa(i)+"]", err)
			}
		}
		return append(dst, ']'), nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return dst, fieldError("", "map key type "+rv.Type().Key().String()+" is not a string")
		}
		if rv.IsNil() {
			return append(dst, "null"...), nil
		}
		m := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			m[it.Key().String()] = it.Value().Interface()
		}
		return appendObject(dst, m, depth+1)
	case reflect.Struct:
		if rv.NumField() > 0 && !hasExportedField(rv.Type()) {
			// encoding/json would write {} and lose every field.
			return dst, fieldError("", "struct "+rv.Type().String()+" has no exported fields and no MarshalJSON, MarshalText, Error or String method: it would encode as {}")
		}
		b, err := json.Marshal(rv.Interface())
		if err != nil {
			return dst, fieldError("", "struct cannot be encoded as JSON: "+err.Error())
		}
		return append(dst, b...), nil
	}
	return dst, fieldError("", "unsupported value of type "+rv.Type().String())
}

// hasExportedField reports whether encoding/json would see a field of t: an
// exported field, or one promoted from an embedded struct.
func hasExportedField(t reflect.Type) bool {
	for _, f := range reflect.VisibleFields(t) {
		if f.IsExported() && !f.Anonymous && f.Tag.Get("json") != "-" {
			return true
		}
		if f.Anonymous && f.IsExported() && f.Type.Kind() != reflect.Struct && f.Type.Kind() != reflect.Pointer {
			return true // an embedded exported non-struct type is a field of its own
		}
	}
	return false
}
