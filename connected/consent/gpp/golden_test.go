package gpp

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// TestEncodeGolden keeps the encoder's output for a few strings in
// testdata, so that a change to the wire format shows as a diff, and checks
// that each golden string decodes back.
func TestEncodeGolden(t *testing.T) {
	v1 := &USNat{Version: 1, SharingNotice: 1, SaleOptOutNotice: 1, TargetedAdvertisingOptOutNotice: 1,
		SaleOptOut: DidNotOptOut, TargetedAdvertisingOptOut: OptedOut,
		SensitiveDataProcessing: []int{0, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0}, KnownChildSensitiveDataConsents: []int{0, 0},
		MspaCoveredTransaction: 1, MspaOptOutOptionMode: 1, MspaServiceProviderMode: 2}
	v2 := &USNat{Version: 2, SharingNotice: 1, TargetedAdvertisingOptOut: DidNotOptOut,
		SensitiveDataProcessing: make([]int, 16), KnownChildSensitiveDataConsents: []int{1, 1, 2},
		PersonalDataConsents: 2, MspaCoveredTransaction: 2, HasGPC: true, GPC: true}
	var buf bytes.Buffer
	var strs []string
	for _, c := range []struct {
		name string
		secs func() ([]Section, error)
	}{
		{"usnat-v1", func() ([]Section, error) { r, err := EncodeUSNat(v1); return []Section{{ID: 7, Raw: r}}, err }},
		{"usnat-v2-gpc", func() ([]Section, error) { r, err := EncodeUSNat(v2); return []Section{{ID: 7, Raw: r}}, err }},
		{"uspv1-and-usnat", func() ([]Section, error) {
			r, err := EncodeUSNat(v2)
			return []Section{{ID: 6, Raw: "1YNN"}, {ID: 7, Raw: r}}, err
		}},
		{"range-of-ids", func() ([]Section, error) {
			return []Section{{ID: 8, Raw: "a"}, {ID: 9, Raw: "b"}, {ID: 10, Raw: "c"}, {ID: 12, Raw: "d"}}, nil
		}},
	} {
		secs, err := c.secs()
		noErr(t, err)
		s, err := Encode(secs)
		noErr(t, err)
		strs = append(strs, s)
		fmt.Fprintf(&buf, "%s %s\n", c.name, s)
	}
	path := filepath.Join("testdata", "encoded.golden")
	if *update {
		noErr(t, os.WriteFile(path, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	noErr(t, err, "run go test -update to create ", path)
	equal(t, string(want), buf.String())
	for _, s := range strs {
		g, err := Decode(s)
		noErr(t, err, s)
		if u := g.Section(SectionUSNat); u != nil && u.USNat.Version == 1 {
			equal(t, v1, u.USNat)
		}
	}
}
