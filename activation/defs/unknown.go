package defs

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// unknownPath returns the path, inside a definition, of the first member
// whose key is none of its type's fields (encoding/json names only the
// key), such as "trigger.evnt" or "where.all[1].event.withn"; name
// unchanged when it finds none. raw is the definition, t its type.
func unknownPath(raw []byte, t reflect.Type, name string) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return name
	}
	if p, ok := findUnknown(v, t, ""); ok {
		return p
	}
	return name
}

var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

func findUnknown(v any, t reflect.Type, path string) (string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshaler) {
		return "", false // a value of its own format (a duration)
	}
	switch t.Kind() {
	case reflect.Slice:
		list, _ := v.([]any)
		for i, x := range list {
			if p, ok := findUnknown(x, t.Elem(), path+"["+strconv.Itoa(i)+"]"); ok {
				return p, true
			}
		}
	case reflect.Struct:
		obj, _ := v.(map[string]any)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			f, ok := fieldOf(t, k)
			p := k
			if path != "" {
				p = path + "." + k
			}
			if !ok {
				return p, true
			}
			if q, ok := findUnknown(obj[k], f.Type, p); ok {
				return q, true
			}
		}
	}
	return "", false
}

// fieldOf finds the field of struct t that key k decodes into, as
// encoding/json matches keys (exactly, else without regard to case).
func fieldOf(t reflect.Type, k string) (reflect.StructField, bool) {
	var fold reflect.StructField
	found := false
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == k {
			return f, true
		}
		if !found && strings.EqualFold(name, k) {
			fold, found = f, true
		}
	}
	return fold, found
}
