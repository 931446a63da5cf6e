package gpp

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected/consent/tcf"
)

func equal[T any](t testing.TB, want, got T, msg ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s\nwant %#v\ngot  %#v", fmt.Sprint(msg...), want, got)
	}
}

func noErr(t testing.TB, err error, msg ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", fmt.Sprint(msg...), err)
	}
}

func parseErr(t *testing.T, err error, want error) *ParseError {
	t.Helper()
	var pe *ParseError
	if err == nil || !errors.As(err, &pe) || !errors.Is(err, want) {
		t.Fatalf("error %v, want a *ParseError matching %v", err, want)
	}
	return pe
}

// The GPP specification's examples.
const (
	specTCF   = "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA"
	specGPP1  = "DBABMA~" + specTCF
	specGPP2  = "DBACNYA~" + specTCF + "~1YNN"
	specGPP3  = "DBABjw~" + specTCF + "~1YNN"
	usnatV2   = "DBABLA~CAAAVVVVVVRA.QA"
	lenientTC = 1
)

var lenient = Decoder{TCF: tcf.Decoder{MinPolicyVersion: lenientTC}}

func TestSpecHeaders(t *testing.T) {
	for h, want := range map[string][]int{
		"DBABM": {2}, "DBABMA": {2}, "DBACNY": {2, 6}, "DBACNYA": {2, 6}, "DBABjw": {5, 6}, "DBABLA": {7},
	} {
		ids, v, err := decodeHeader(h)
		noErr(t, err, h)
		equal(t, 1, v)
		equal(t, want, ids, h)
	}
	// The encoder writes the headers of the specification's full-string
	// examples (padded to a whole byte, like the IAB reference library).
	for want, ids := range map[string][]int{"DBABMA": {2}, "DBACNYA": {2, 6}, "DBABjw": {5, 6}, "DBABLA": {7}} {
		var secs []Section
		for _, id := range ids {
			secs = append(secs, Section{ID: id, Raw: "x"})
		}
		s, err := Encode(secs)
		noErr(t, err)
		equal(t, want, strings.Split(s, "~")[0])
	}
}

func TestSpecStrings(t *testing.T) {
	// The specification's TC string has policy version 2: strict decoding
	// refuses it, naming the section.
	_, err := Decode(specGPP1)
	pe := parseErr(t, err, ErrSection)
	isTC := errors.Is(err, tcf.ErrPolicyVersion)
	if !isTC || pe.Section != 1 || pe.SectionID != SectionTCFEUv2 {
		t.Fatalf("error %v", err)
	}

	g, err := lenient.Decode(specGPP2)
	noErr(t, err)
	equal(t, 2, len(g.Sections))
	equal(t, 31, g.Section(2).TCF.CMPID)
	equal(t, "1YNN", g.Section(6).Raw)
	if g.Section(7) != nil {
		t.Fatal("no section 7")
	}
	g, err = lenient.Decode(specGPP3)
	noErr(t, err)
	equal(t, []int{5, 6}, []int{g.Sections[0].ID, g.Sections[1].ID})
	if g.Sections[0].TCF != nil {
		t.Fatal("section 5 (Canadian TCF) is kept raw")
	}
}

func TestUSNat(t *testing.T) {
	g, err := Decode(usnatV2)
	noErr(t, err)
	u := g.Section(SectionUSNat).USNat
	equal(t, 2, u.Version)
	equal(t, 16, len(u.SensitiveDataProcessing))
	equal(t, NoConsent, u.Sensitive(SensitiveHealth))
	equal(t, NotApplicable, u.Sensitive(17))
	equal(t, []int{1, 1, 1}, u.KnownChildSensitiveDataConsents)
	equal(t, 1, u.MspaCoveredTransaction)
	equal(t, true, u.HasGPC)
	equal(t, false, u.GPC)
	// Round trip through the encoder.
	raw, err := EncodeUSNat(u)
	noErr(t, err)
	equal(t, "CAAAVVVVVVRA.QA", raw)

	v1 := &USNat{Version: 1, SaleOptOutNotice: 1, SaleOptOut: OptedOut, TargetedAdvertisingOptOut: DidNotOptOut,
		SensitiveDataProcessing: make([]int, 12), KnownChildSensitiveDataConsents: []int{0, 2}, MspaCoveredTransaction: 2}
	v1.SensitiveDataProcessing[SensitivePreciseGeolocation-1] = Consent
	raw, err = EncodeUSNat(v1)
	noErr(t, err)
	s, err := Encode([]Section{{ID: SectionUSNat, Raw: raw}})
	noErr(t, err)
	g, err = Decode(s)
	noErr(t, err)
	equal(t, v1, g.Section(SectionUSNat).USNat)

	for _, bad := range []*USNat{
		{Version: 3},
		{Version: 1, SensitiveDataProcessing: make([]int, 16), KnownChildSensitiveDataConsents: make([]int, 2)},
		{Version: 2, SaleOptOut: 3, SensitiveDataProcessing: make([]int, 16), KnownChildSensitiveDataConsents: make([]int, 3)},
	} {
		_, err := EncodeUSNat(bad)
		var ee *EncodeError
		if !errors.As(err, &ee) || !errors.Is(err, ErrField) {
			t.Fatalf("error %v", err)
		}
	}
}

// usnatBits builds a raw usnat core with the given version and 2-bit
// values (fills with zeros).
func usnatBits(version int, values []int, n int) string {
	var w bitWriter
	w.write(uint64(version), 6)
	for i := 0; i < n; i++ {
		v := 0
		if i < len(values) {
			v = values[i]
		}
		w.write(uint64(v), 2)
	}
	if w.nacc > 0 { // pad to a whole character only
		w.write(0, 6-w.nacc)
	}
	return string(w.out)
}

func TestUSNatErrors(t *testing.T) {
	full := 9 + 16 + 3 + 4 // 2-bit fields of version 2
	for _, tc := range []struct {
		name  string
		raw   string
		want  error
		field string
	}{
		{"version 3", usnatBits(3, nil, full), ErrVersion, "Version"},
		{"value 3", usnatBits(2, []int{0, 0, 0, 0, 0, 0, 3}, full), ErrField, "SaleOptOut"},
		{"truncated", usnatBits(2, nil, full-5), ErrTruncated, "KnownChildSensitiveDataConsents"},
		{"trailing", usnatBits(2, nil, full+3) + "B", ErrTrailingData, ""},
		{"bad character", "CAAA+VVVVVRA", ErrEncoding, ""},
		{"empty sub-section", "CAAAVVVVVVRA..QA", ErrEmpty, ""},
		{"core twice", "CAAAVVVVVVRA.CAAAVVVVVVRA", ErrField, "SubsectionType"},
		{"gpc twice", "CAAAVVVVVVRA.QA.QA", ErrField, "SubsectionType"},
		{"sub-section type 0", "CAAAVVVVVVRA.A", ErrField, "SubsectionType"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeUSNat(tc.raw)
			pe := parseErr(t, err, tc.want)
			equal(t, tc.field, pe.Field)
			// Through Decode, the section index and id are filled in.
			_, err = Decode("DBABLA~" + tc.raw)
			pe = parseErr(t, err, tc.want)
			equal(t, 1, pe.Section)
			equal(t, SectionUSNat, pe.SectionID)
		})
	}
}

func TestHeaderErrors(t *testing.T) {
	header := func(f func(w *bitWriter)) string {
		var w bitWriter
		f(&w)
		return string(w.finish())
	}
	for _, tc := range []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrEmpty},
		{"empty section", "DBABM~", ErrEmpty},
		{"bad character", "DB*BM~x", ErrEncoding},
		{"type 4", header(func(w *bitWriter) { w.write(4, 6); w.write(1, 6); w.write(0, 12) }), ErrHeader},
		{"version 2", header(func(w *bitWriter) { w.write(3, 6); w.write(2, 6); w.write(0, 12) }), ErrHeader},
		{"truncated amount", "DBA", ErrTruncated},
		{"truncated item", header(func(w *bitWriter) { w.write(3, 6); w.write(1, 6); w.write(2, 12); w.write(0, 1); w.write(0b011, 3) }), ErrTruncated},
		{"more sections listed than present", "DBACNY~x", ErrSections},
		{"fewer sections listed than present", "DBABM~x~y", ErrSections},
		{"endless fibonacci", header(func(w *bitWriter) {
			w.write(3, 6)
			w.write(1, 6)
			w.write(1, 12)
			w.write(0, 1)
			for range 50 {
				w.write(0b01, 2)
			}
		}) + "~x", ErrSections},
		{"too many ids", header(func(w *bitWriter) {
			w.write(3, 6)
			w.write(1, 6)
			w.write(1, 12)
			w.write(1, 1)
			w.fib(1)
			w.fib(100)
		}) + "~x", ErrSections},
		{"trailing bits", "DBABMB~x", ErrTrailingData},
		{"no sections", "DBAA", ErrSections},
		{"too long", "DBABM~" + strings.Repeat("A", MaxLength), ErrTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.in)
			parseErr(t, err, tc.want)
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, secs := range [][]Section{
		nil,
		{{ID: 2, Raw: "x"}, {ID: 2, Raw: "y"}},
		{{ID: 7, Raw: "x"}, {ID: 2, Raw: "y"}},
		{{ID: 0, Raw: "x"}},
		{{ID: 4096, Raw: "x"}},
		{{ID: 2, Raw: ""}},
		{{ID: 2, Raw: "a~b"}},
	} {
		_, err := Encode(secs)
		if !errors.Is(err, ErrField) {
			t.Fatalf("Encode(%v): %v", secs, err)
		}
	}
}

func TestFibonacci(t *testing.T) {
	// The specification's table: 1=11, 2=011, 3=0011, 4=1011, 5=00011, 6=10011, 7=01011.
	for v, code := range map[int]string{1: "11", 2: "011", 3: "0011", 4: "1011", 5: "00011", 6: "10011", 7: "01011"} {
		var w bitWriter
		w.fib(v)
		n := len(code)
		var got strings.Builder
		r := bitReader{s: string(w.finish())}
		for range n {
			b, _ := r.read(1)
			fmt.Fprint(&got, b)
		}
		equal(t, code, got.String(), v)
	}
	for v := 1; v < 5000; v++ {
		var w bitWriter
		w.fib(v)
		r := bitReader{s: string(w.finish())}
		got, ok, long := r.fib()
		if !ok || long || got != v {
			t.Fatalf("fib round trip %d: %d %v %v", v, got, ok, long)
		}
	}
}
