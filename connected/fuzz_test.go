package connected_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// FuzzDecodeSegment checks, for any input: no panic; an error is typed
// (ErrMalformed or ErrInvalidEvent); and a decoded event re-encodes to bytes
// that decode to the same event and encode to the same bytes again.
func FuzzDecodeSegment(f *testing.F) {
	files, _ := filepath.Glob("testdata/segment_*.json")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.TrimSpace(data))
	}
	f.Add([]byte(`{"type":"alias","messageId":"m","userId":"u","previousId":"p","originalTimestamp":"2026-01-01T00:00:00.5+02:00"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := connected.DecodeSegment(data)
		if err != nil {
			if !errors.Is(err, connected.ErrMalformed) && !errors.Is(err, connected.ErrInvalidEvent) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		b1, err := connected.AppendSegment(nil, &e)
		if err != nil {
			t.Fatalf("decoded event does not encode: %v", err)
		}
		e2, err := connected.DecodeSegment(b1)
		if err != nil {
			t.Fatalf("canonical bytes do not decode: %v\n%s", err, b1)
		}
		b2, err := connected.AppendSegment(nil, &e2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("encode∘decode not stable:\n%s\n%s", b1, b2)
		}
		e3, _ := connected.DecodeSegment(b2)
		if !reflect.DeepEqual(e2, e3) {
			t.Fatalf("decode∘encode not stable:\n%+v\n%+v", e2, e3)
		}
	})
}
