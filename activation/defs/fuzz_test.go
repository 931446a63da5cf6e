package defs

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// FuzzDecode: Decode never panics; it returns a valid Set or an *Error
// matching a sentinel, never both; an accepted Set re-encodes to a file
// that decodes to the same Set.
func FuzzDecode(f *testing.F) {
	if data, err := os.ReadFile("testdata/store.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"audiences":[{"key":"a","where":{"presence":{"zone":"shoes","min_dwell":"2m"}}}]}`))
	f.Add([]byte(`{"version":1,"traits":[{"key":"t","kind":"unique_list","event":"X","property":"properties.a.b","limit":3}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode(data)
		if err != nil {
			var e *Error
			if s != nil || !errors.As(err, &e) || e.Err == nil {
				t.Fatalf("bad error %v (set %v)", err, s)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("decoded set does not validate: %v", err)
		}
		out, err := Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := Decode(out)
		if err != nil {
			t.Fatalf("re-decode: %v\n%s", err, out)
		}
		a, _ := json.Marshal(s)
		b, _ := json.Marshal(s2)
		if string(a) != string(b) {
			t.Fatalf("round trip differs:\n%s\n%s", a, b)
		}
	})
}
