package natstransport

import (
	"net/url"
	"strings"
	"testing"
)

// The NATS protocol binding's own example (section 3.1.3.2), and the
// characters it names.
func TestPercentEncode(t *testing.T) {
	for in, want := range map[string]string{
		"Euro \u20ac \U0001F600":            "Euro%20%E2%82%AC%20%F0%9F%98%80",
		"application/json":                  "application/json",
		`a "quoted" 100% value`:             "a%20%22quoted%22%20100%25%20value",
		"urn:touchpoint:store:m\u00fcnchen": "urn:touchpoint:store:m%C3%BCnchen",
		"tab\there\x7f":                     "tab%09here%7F",
		"":                                  "",
	} {
		if got := percentEncode(in); got != want {
			t.Errorf("percentEncode(%q) = %q, want %q", in, got, want)
		}
	}
	v := "urn:touchpoint:store:12"
	if n := testing.AllocsPerRun(100, func() { _ = percentEncode(v) }); n != 0 {
		t.Errorf("a value that needs no encoding allocates %v times", n)
	}
}

// FuzzPercentEncode: the output holds only printable ASCII other than space
// and '"', every '%' starts an upper-case escape, and one round of
// percent-decoding gives the input back.
func FuzzPercentEncode(f *testing.F) {
	for _, s := range []string{"Euro \u20ac \U0001F600", "urn:touchpoint:store:12", "100%", `"`, "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := percentEncode(in)
		for i := 0; i < len(out); i++ {
			c := out[i]
			if c <= ' ' || c >= 0x7f || c == '"' {
				t.Fatalf("%q encodes to %q: byte %#x at %d", in, out, c, i)
			}
			if c == '%' && (i+2 >= len(out) || !strings.ContainsRune("0123456789ABCDEF", rune(out[i+1])) || !strings.ContainsRune("0123456789ABCDEF", rune(out[i+2]))) {
				t.Fatalf("%q encodes to %q: bad escape at %d", in, out, i)
			}
		}
		back, err := url.PathUnescape(out)
		if err != nil || back != in {
			t.Fatalf("%q -> %q -> %q (%v)", in, out, back, err)
		}
	})
}
