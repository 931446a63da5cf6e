package fleet

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fastSeeds are inputs on the scanner's paths, its refusals included (each
// must then give encoding/json's answer).
var fastSeeds = []string{
	`{"v":1,"kind":"touchpoint","id":"e","time":"2026-03-01T10:00:00Z","touchpoint":{"subject":[{"type":"email","key":"00112233445566778899aabbccddeeff"}],"type":"track","traits":{"a":[1,{"b":null}],"c":true,"d":-1.5e3,"e":"\u00e9\ud83d\ude00"}}}`,
	`{"v":1,"kind":"touchpoint","id":"e","time":"2026-03-01T10:00:00Z","touchpoint":{"subject":[],"type":"track","purposes":[]}}`,
	`{"v":1,"Kind":"touchpoint","id":"e","time":"2026-03-01T10:00:00Z","touchpoint":{"subject":[{"type":"email","key":"00112233445566778899aabbccddeeff"}],"type":"track"}}`,
	`{"v":1,"kind":"touchpoint","kind":"action","id":"e","time":"2026-03-01T10:00:00Z","touchpoint":{"subject":[{"type":"email","key":"00112233445566778899aabbccddeeff"}],"type":"track"}}`,
	`{"v":1,"kind":"touchpoint","id":null,"time":"2026-03-01T10:00:00Z","touchpoint":{"subject":[{"type":"email","key":"00112233445566778899aabbccddeeff"}],"type":"track"}}`,
	`{"v":1.0,"kind":"touchpoint","id":"e","time":"2026-03-01T10:00:00Z","touchpoint":{"subject":[{"type":"email","key":"00112233445566778899aabbccddeeff"}],"type":"track"}}`,
	`{"v":2,"kind":"touchpoint","id":"e","time":"2026-03-01T10:00:00Z"}`,
	"{\"v\":1,\"kind\":\"touchpoint\",\"id\":\"e\xff\",\"time\":\"2026-03-01T10:00:00Z\",\"touchpoint\":{\"subject\":[{\"type\":\"email\",\"key\":\"00112233445566778899aabbccddeeff\"}],\"type\":\"track\"}}",
	`{"v":1,"kind":"touchpoint","id":"e","time":"2026-03-01T10:00:00Z","extra":[1,{"x":"y"}],"touchpoint":{"subject":[{"type":"email","key":"00112233445566778899AABBCCDDEEFF","x":1}],"type":"track","traits":{"a":1,"a":2}}}`,
	`{"v":1,"kind":"touchpoint","id":"e","time":"2026-03-01T10:00:00Z","touchpoint":{"subject":[{"type":"email","key":"00112233445566778899aabbccddeeff"}],"type":"track","traits":{"n":1e999}}}`,
	`{"v":1,"kind":"membership","id":"m","time":"2026-03-01T10:00:00.123+02:00","membership":{"subject":[{"type":"loyalty_id","key":"00112233445566778899aabbccddeeff"}],"audience":"vip","entered":true,"purpose":"marketing","reason":"r"}}`,
	`{"v":1,"kind":"membership","id":"m","time":"2026-03-01T10:00:00Z","membership":{"subject":[{"type":"loyalty_id","key":"00112233445566778899aabbccddeeff"}],"audience":"vip","entered":null}}`,
	`{"v":1,"kind":"consent","id":"c","time":"2026-03-01T10:00:00Z","consent":{"recordId":"r","subject":[{"type":"email","key":"00112233445566778899aabbccddeeff"}],"purposes":["marketing"],"state":"given","method":"kiosk","validFor":"8760h0m0s"}}`,
	`{"v":1,"kind":"action","id":"a","time":"2026-03-01T10:00:00Z","action":{"subject":[{"type":"email","key":"00112233445566778899aabbccddeeff"}],"journey":"j"},"tombstone":{"requestId":"x","keys":[]}}`,
	`{"v":1,"kind":"tombstone","id":"t","time":"2026-03-01T10:00:00Z","tombstone":{"requestId":"x","keys":[{"type":"email","key":"00112233445566778899aabbccddeeff"}]}} `,
	`{"v":1,"kind":"tombstone","id":"t","time":"2026-03-01T10:00:00Z","tombstone":{"requestId":"x","keys":[null]}}`,
	`{"type":"track","messageId":"m","event":"Identity Linked","properties":{"source":"s","Source":"t"}}`,
	`{"type":"track","messageId":"m","event":"Identity Linked","properties":null}`,
	`{"type":"track","messageId":"m","event":"Identity Linked","properties":{"source":7}}`,
	`{"v":1,"\u006bind":"action","id":"a","time":"2026-03-01T10:00:00Z","action":{"subject":[{"type":"email","key":"00112233445566778899aabbccddeeff"}],"journey":"j\n\"q\""}}`,
	`{"v":1,"\u212aind":"action","id":"a","time":"2026-03-01T10:00:00Z","action":{"subject":[{"type":"email","key":"00112233445566778899aabbccddeeff"}],"journey":"j"}}`,
	`[1]`, `{`, `{"v":1}x`, `null`, ``,
}

// FuzzDecodeFast: Decode (the scanner, falling back to encoding/json) and
// the encoding/json path give the same message or the same error; and
// when the scanner accepts an envelope, encoding/json reads the same one
// without error.
func FuzzDecodeFast(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.TrimSpace(b))
	}
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast envJSON
		if _, ok := scanEnvelope(b, &fast); ok {
			var ref envJSON
			if err := json.Unmarshal(b, &ref); err != nil {
				t.Fatalf("the scanner accepted what encoding/json refuses (%v)", err)
			}
			if !reflect.DeepEqual(fast, ref) {
				t.Fatalf("envelopes differ:\nscanner %+v\njson    %+v", fast, ref)
			}
		}
		m1, err1 := decode(b, true)
		m2, err2 := decode(b, false)
		if !reflect.DeepEqual(m1, m2) || !reflect.DeepEqual(err1, err2) {
			t.Fatalf("decodes differ:\nfast %+v (%v)\njson %+v (%v)", m1, err1, m2, err2)
		}
	})
}

// TestScanEnvelopeTakesEncoded: the scanner reads what Encode writes (every
// golden file), not only agrees with encoding/json by refusing it.
func TestScanEnvelopeTakesEncoded(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var e envJSON
		props, ok := scanEnvelope(bytes.TrimSpace(b), &e)
		if !ok {
			t.Errorf("%s: the scanner refused a golden file", p)
		}
		if e.Event != "" {
			if _, ok := scanLinkSource(bytes.TrimSpace(b), props); !ok {
				t.Errorf("%s: the scanner refused the link fact's properties", p)
			}
		}
	}
}
