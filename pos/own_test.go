package pos

import (
	"reflect"
	"testing"
	"unsafe"
)

// TestOwnCoversEveryString: after own, no string field of a decoded value
// aliases the payload, whatever fields are set. Every string field is set
// here to a slice of the payload (found by reflection, so that a field
// added later and forgotten in own fails this test).
func TestOwnCoversEveryString(t *testing.T) {
	payload := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	for _, c := range []struct {
		v   any
		own func(v any)
	}{
		{&Notification{}, func(v any) { v.(*Notification).own(payload) }},
		{&PassChange{}, func(v any) { v.(*PassChange).own(payload) }},
		{&Pass{Locations: make([]PassLocation, 10), Beacons: make([]PassBeacon, 10)}, func(v any) { v.(*Pass).own(payload) }},
	} {
		var fields []reflect.Value
		collectStrings(reflect.ValueOf(c.v).Elem(), &fields)
		for i, f := range fields {
			f.SetString(unsafe.String(&payload[i%len(payload)], 1))
		}
		c.own(c.v)
		base := uintptr(unsafe.Pointer(&payload[0]))
		for _, f := range fields {
			s := f.String()
			if uintptr(unsafe.Pointer(unsafe.StringData(s)))-base < uintptr(len(payload)) {
				t.Errorf("%T: a string field (%q) still aliases the payload", c.v, s)
			}
		}
		if len(fields) < 3 {
			t.Errorf("%T: only %d string fields found", c.v, len(fields))
		}
	}
}

// collectStrings appends the settable string fields in v, through
// structs and slices (PassChange's PassType ... Pass's locations).
func collectStrings(v reflect.Value, out *[]reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		*out = append(*out, v)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				collectStrings(v.Field(i), out)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			collectStrings(v.Index(i), out)
		}
	}
}

// TestWordConstants: word returns the value read, and a known value as a
// constant that does not alias the payload.
func TestWordConstants(t *testing.T) {
	for _, in := range []string{"COMPLETED", "payment.updated", "contactless_emv", "visa", "SOMETHING_NEW", "Completed"} {
		payload := []byte(`"` + in + `"`)
		d := newDec("test", payload)
		got := d.word("f")
		if got != in || d.err != nil {
			t.Fatalf("word(%q) = %q, %v", in, got, d.err)
		}
		aliases := unsafe.StringData(got) == &payload[1]
		if known := in != "SOMETHING_NEW" && in != "Completed"; known == aliases {
			t.Errorf("word(%q): aliases the payload %v, want %v", in, aliases, !known)
		}
	}
}
