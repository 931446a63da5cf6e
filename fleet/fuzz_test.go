package fleet_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/fleet"
)

// FuzzDecode: Decode never panics; what it accepts encodes again, and that
// encoding decodes to the same message (a fixed point).
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.TrimSpace(b))
	}
	f.Add([]byte(`{"v":1,"kind":"touchpoint","id":"e","time":"2026-03-01T10:00:00Z","touchpoint":{"subject":[{"type":"email","key":"00112233445566778899aabbccddeeff"}],"type":"track","traits":{"a":[1,{"b":null}]}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := fleet.Decode(b)
		if err != nil {
			if !reflect.DeepEqual(m, fleet.Message{}) {
				t.Fatal("partial message with an error")
			}
			return
		}
		again, err := fleet.Encode(m)
		if err != nil {
			t.Fatalf("a decoded message does not encode: %v", err)
		}
		m2, err := fleet.Decode(again)
		if err != nil {
			t.Fatalf("an encoded message does not decode: %v\n%s", err, again)
		}
		third, err := fleet.Encode(m2)
		if err != nil || !bytes.Equal(third, again) {
			t.Fatalf("not a fixed point:\n%s\n%s", again, third)
		}
	})
}
