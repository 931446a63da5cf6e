package plan

// The checks of one value against its property definition: types,
// numbers, strings and their formats.

import (
	"encoding/json"
	"errors"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

func (r *run) typeViolation(p *cprop, got string) {
	r.add(KindType, "is "+got+", want "+p.types.String())
}

func (r *run) value(p *cprop, v any) {
	switch x := v.(type) {
	case string:
		r.str(p, x)
	case bool:
		if !p.types.Has(TypeBoolean) {
			r.typeViolation(p, "boolean")
			return
		}
		if p.enum != nil {
			bit := uint8(1)
			if x {
				bit = 2
			}
			if p.enum.bools&bit == 0 {
				r.add(KindEnum, "is not one of "+p.enum.text)
			}
		}
	case float64:
		r.num(p, x)
	case int:
		r.num(p, float64(x))
	case int64:
		r.num(p, float64(x))
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			r.exotic = true
			return
		}
		r.number(p, f) // 1e400 is +Inf here: a number above every bound
	case nil:
		if !p.types.Has(TypeNull) {
			r.typeViolation(p, "null")
			return
		}
		if p.enum != nil && !p.enum.null {
			r.add(KindEnum, "is null, not one of "+p.enum.text)
		}
	case map[string]any:
		r.obj(p, x)
	case connected.Properties:
		r.obj(p, x)
	case connected.Traits:
		r.obj(p, x)
	case []any:
		if !r.arr(p, len(x)) || p.items == nil {
			return
		}
		for i, e := range x {
			r.pushIdx(i)
			r.value(p.items, e)
			r.pop()
		}
	case []string:
		if !r.arr(p, len(x)) || p.items == nil {
			return
		}
		for i, e := range x {
			r.pushIdx(i)
			r.str(p.items, e)
			r.pop()
		}
	case []map[string]any:
		if !r.arr(p, len(x)) || p.items == nil {
			return
		}
		for i, e := range x {
			r.pushIdx(i)
			r.obj(p.items, e)
			r.pop()
		}
	case []float64:
		r.nums(p, len(x), func(i int) float64 { return x[i] })
	case []int64:
		r.nums(p, len(x), func(i int) float64 { return float64(x[i]) })
	case []int:
		r.nums(p, len(x), func(i int) float64 { return float64(x[i]) })
	case []bool:
		if !r.arr(p, len(x)) || p.items == nil {
			return
		}
		for i, e := range x {
			r.pushIdx(i)
			r.value(p.items, e)
			r.pop()
		}
	case time.Time:
		var buf [40]byte
		s := x.UTC().AppendFormat(buf[:0], connected.TimeLayout)
		r.strBytes(p, s)
	default:
		if f, ok := toFloat(v); ok {
			r.num(p, f)
			return
		}
		r.exotic = true
	}
}

// nums checks a slice of numbers.
func (r *run) nums(p *cprop, n int, at func(int) float64) {
	if !r.arr(p, n) || p.items == nil {
		return
	}
	for i := 0; i < n; i++ {
		r.pushIdx(i)
		r.num(p.items, at(i))
		r.pop()
	}
}

func (r *run) obj(p *cprop, m map[string]any) {
	if !p.types.Has(TypeObject) {
		r.typeViolation(p, "object")
		return
	}
	if p.enum != nil {
		r.add(KindEnum, "an object is not one of "+p.enum.text)
		return
	}
	if p.obj != nil {
		r.object(p.obj, m)
	}
}

// arr checks an array's type and size; it reports whether to go on to
// the elements.
func (r *run) arr(p *cprop, n int) bool {
	if !p.types.Has(TypeArray) {
		r.typeViolation(p, "array")
		return false
	}
	if p.enum != nil {
		r.add(KindEnum, "an array is not one of "+p.enum.text)
		return false
	}
	if p.minItems >= 0 && n < p.minItems {
		r.add(KindLength, "has "+strconv.Itoa(n)+" items, want at least "+strconv.Itoa(p.minItems))
	}
	if p.maxItems >= 0 && n > p.maxItems {
		r.add(KindLength, "has "+strconv.Itoa(n)+" items, want at most "+strconv.Itoa(p.maxItems))
	}
	return true
}

func (r *run) num(p *cprop, f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		r.exotic = true // the encoder refuses these; let it say so
		return
	}
	r.number(p, f)
}

func (r *run) number(p *cprop, f float64) {
	if t := p.types; t != TypeAny && t&TypeNumber == 0 {
		if t&TypeInteger == 0 {
			r.typeViolation(p, "number")
			return
		}
		if f != math.Trunc(f) {
			r.typeViolation(p, "a number with a fraction")
			return
		}
	}
	if p.enum != nil {
		if !slicesContainsFloat(p.enum.nums, f) {
			r.add(KindEnum, "is not one of "+p.enum.text)
		}
	}
	if !p.checksNumber {
		return
	}
	switch {
	case p.hasMin && f < p.min:
		r.add(KindRange, "is below the minimum "+strconv.FormatFloat(p.min, 'g', -1, 64))
	case p.hasXMin && f <= p.xmin:
		r.add(KindRange, "is not above "+strconv.FormatFloat(p.xmin, 'g', -1, 64))
	}
	switch {
	case p.hasMax && f > p.max:
		r.add(KindRange, "is above the maximum "+strconv.FormatFloat(p.max, 'g', -1, 64))
	case p.hasXMax && f >= p.xmax:
		r.add(KindRange, "is not below "+strconv.FormatFloat(p.xmax, 'g', -1, 64))
	}
}

func slicesContainsFloat(s []float64, f float64) bool {
	for _, x := range s {
		if x == f {
			return true
		}
	}
	return false
}

func (r *run) str(p *cprop, s string) {
	if !p.types.Has(TypeString) {
		r.typeViolation(p, "string")
		return
	}
	if p.enum != nil {
		ok := false
		for _, x := range p.enum.strs {
			if x == s {
				ok = true
				break
			}
		}
		if !ok {
			r.add(KindEnum, "is not one of "+p.enum.text)
		}
	}
	if !p.checksString {
		return
	}
	if p.minLen >= 0 || p.maxLen >= 0 {
		n := utf8.RuneCountInString(s)
		if p.minLen >= 0 && n < p.minLen {
			r.add(KindLength, "has "+strconv.Itoa(n)+" characters, want at least "+strconv.Itoa(p.minLen))
		}
		if p.maxLen >= 0 && n > p.maxLen {
			r.add(KindLength, "has "+strconv.Itoa(n)+" characters, want at most "+strconv.Itoa(p.maxLen))
		}
	}
	if p.re != nil && !p.re.MatchString(s) {
		r.add(KindPattern, "does not match "+strconv.Quote(p.re.String()))
	}
	if p.format != "" && !formatOK(p.format, s) {
		r.add(KindFormat, "is not a valid "+string(p.format))
	}
}

// strBytes checks the wire text of a value written as a string (a time).
func (r *run) strBytes(p *cprop, b []byte) {
	if !p.types.Has(TypeString) {
		r.typeViolation(p, "string")
		return
	}
	if p.enum == nil && !p.checksString {
		return
	}
	r.str(p, string(b)) // rare: a time with string rules
}

// quoteShort quotes s for a reason, cut to 64 bytes.
func quoteShort(s string) string {
	if len(s) > 64 {
		s = strings.ToValidUTF8(s[:64], "") + "..."
	}
	return strconv.Quote(s)
}

// describe formats a scalar for a reason.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return quoteShort(x)
	case json.Number:
		return string(x)
	}
	if f, ok := toFloat(v); ok {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func formatOK(f Format, s string) bool {
	switch f {
	case FormatDateTime:
		_, err := time.Parse(time.RFC3339Nano, s)
		return err == nil
	case FormatDate:
		_, err := time.Parse(time.DateOnly, s)
		return err == nil
	case FormatEmail:
		at := strings.LastIndexByte(s, '@')
		return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n") && strings.IndexByte(s[at+1:], '.') != 0
	case FormatURI:
		return uriOK(s)
	case FormatUUID:
		return uuidOK(s)
	case FormatIPv4:
		a, err := netip.ParseAddr(s)
		return err == nil && a.Is4()
	case FormatIPv6:
		a, err := netip.ParseAddr(s)
		return err == nil && a.Is6() && a.Zone() == ""
	}
	return true
}

// uriOK checks RFC 3986's scheme ":" and no whitespace or control bytes.
func uriOK(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon < 1 {
		return false
	}
	for i := 0; i < colon; i++ {
		c := s[i]
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !alpha || !alpha && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	for i := colon + 1; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return false
		}
	}
	return true
}

func uuidOK(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
