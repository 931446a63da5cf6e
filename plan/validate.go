package plan

import (
	"encoding/json"
	"errors"
	"math"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Validate checks the event of r against the plan and appends each
// violation to dst, returning the extended slice: pass a reused
// buffer (dst[:0]) and an event that keeps the plan costs no allocation.
// It reads r.Event when set; a record without one (rebuilt from bytes, a
// spool replay) is decoded from r.Payload first, and a decoding failure is
// returned as the error (a *connected.DecodeError). Values of types the
// fast path does not know (structs, Stringers, ...) are checked in their
// wire form: the event is encoded and decoded once more. Violations are in
// a stable order. Validate is safe for concurrent use.
func (p *Plan) Validate(r *connected.Record, dst []Violation) ([]Violation, error) {
	if r.Event != nil {
		return p.ValidateEvent(r.Event, dst)
	}
	e, err := connected.DecodeSegment(r.Payload)
	if err != nil {
		return dst, err
	}
	return p.ValidateEvent(&e, dst)
}

// ValidateEvent checks e against the plan, as Validate does. It returns an
// error only when e holds a value the fast path does not know and e cannot
// be encoded (a *connected.ValidationError): the client would refuse such
// an event anyway.
func (p *Plan) ValidateEvent(e *connected.Event, dst []Violation) ([]Violation, error) {
	r := run{dst: dst}
	n := len(dst)
	p.check(&r, e)
	if !r.exotic {
		return r.dst, nil
	}
	// A value without a fast path: check what the wire will carry. Fields
	// the client stamps are filled in if the caller has not stamped them.
	stamped := *e
	if stamped.MessageID == "" {
		stamped.MessageID = "plan-validate"
	}
	if stamped.OriginalTimestamp.IsZero() {
		stamped.OriginalTimestamp = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	b, err := connected.AppendSegment(nil, &stamped)
	if err != nil {
		return dst[:n], err
	}
	wire, err := connected.DecodeSegment(b)
	if err != nil {
		return dst[:n], err
	}
	r = run{dst: dst[:n]}
	p.check(&r, &wire)
	if r.exotic {
		return r.dst, errors.New("plan: decoded event still holds an unknown value type")
	}
	return r.dst, nil
}

// match returns the rule for e, or nil. unplanned is a violation to report
// when the event has no rule and should have had one.
func (p *Plan) match(e *connected.Event) (ev *cevent, unplanned *Violation) {
	switch e.Type {
	case connected.TypeTrack, "":
		ev = p.track[e.Event]
		if ev == nil {
			if p.allowUnplanned {
				return nil, nil
			}
			return nil, &Violation{Kind: KindUnplannedEvent, Field: "event",
				Reason: "event " + strconv.Quote(e.Event) + " is not in tracking plan " + strconv.Quote(p.name)}
		}
	case connected.TypeAlias:
		return nil, nil
	default:
		i := typeIndex(e.Type)
		if i < 0 {
			return nil, nil
		}
		m := p.named[i]
		if ev = m[e.Name]; ev == nil {
			ev = m[""]
		}
		if ev == nil {
			return nil, nil
		}
	}
	if ev.next == nil {
		return ev, nil
	}
	// Several versions: context.protocols.event_version chooses, as in
	// Segment Protocols; without it, the first version applies.
	pm, _ := e.Context.Extra["protocols"].(map[string]any)
	raw, ok := pm["event_version"]
	if !ok {
		return ev, nil
	}
	want, isNum := toFloat(raw)
	if jn, isJN := raw.(json.Number); isJN {
		f, err := strconv.ParseFloat(string(jn), 64)
		want, isNum = f, err == nil
	}
	for v := ev; v != nil && isNum; v = v.next {
		if float64(v.version) == want {
			return v, nil
		}
	}
	return nil, &Violation{Kind: KindUnplannedEvent, Field: "context.protocols.event_version",
		Reason: "version " + describe(raw) + " of " + strconv.Quote(ev.label) + " is not planned"}
}

func (p *Plan) check(r *run, e *connected.Event) {
	ev, unplanned := p.match(e)
	if unplanned != nil {
		r.dst = append(r.dst, *unplanned)
	}
	if p.common != nil {
		r.event(p.common, e)
	}
	if ev != nil {
		r.event(ev, e)
	}
}

// run is one validation; it lives on the caller's stack.
type run struct {
	dst    []Violation
	exotic bool
	depth  int
	path   [inlinePath]seg
	deep   []seg
}

// seg is one step of the JSON path a run is at: a key, or an array index
// when idx >= 0. The path lives inside the run (no pointers between
// steps), so validating builds nothing unless a violation needs the text.
type seg struct {
	key string
	idx int
}

// inlinePath steps of the path live in the run itself (zeroed on every
// call, so kept short); deeper values spill into a slice, which allocates
// only for events nested that deep.
const inlinePath = 8

func (r *run) push(key string) { r.pushSeg(seg{key: key, idx: -1}) }

func (r *run) pushIdx(i int) { r.pushSeg(seg{idx: i}) }

func (r *run) pushSeg(s seg) {
	if r.depth < inlinePath {
		r.path[r.depth] = s
	} else {
		r.deep = append(r.deep[:r.depth-inlinePath], s)
	}
	r.depth++
}

func (r *run) pop() { r.depth-- }

func (r *run) seg(i int) *seg {
	if i < inlinePath {
		return &r.path[i]
	}
	return &r.deep[i-inlinePath]
}

// pathString formats the current path, e.g. "properties.items[2].sku".
func (r *run) pathString() string {
	b := make([]byte, 0, 48)
	for i := 0; i < r.depth; i++ {
		s := r.seg(i)
		if s.idx >= 0 {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(s.idx), 10)
			b = append(b, ']')
			continue
		}
		if len(b) > 0 {
			b = append(b, '.')
		}
		b = append(b, s.key...)
	}
	return string(b)
}

func (r *run) add(k Kind, reason string) {
	r.dst = append(r.dst, Violation{Kind: k, Field: r.pathString(), Reason: reason})
}

func (r *run) event(ev *cevent, e *connected.Event) {
	if !ev.props.empty() {
		r.push("properties")
		r.object(&ev.props, e.Properties)
		r.pop()
	}
	if !ev.traits.empty() {
		r.push("traits")
		r.object(&ev.traits, e.Traits)
		r.pop()
	}
	if !ev.ctx.empty() {
		r.push("context")
		r.object(&ev.ctx, contextView(e))
		r.pop()
	}
}

func (r *run) object(o *cobject, m map[string]any) {
	if o.table != nil && len(m) <= len(o.props)+4 {
		r.objectByKeys(o, m)
		return
	}
	found := 0
	for i := range o.props {
		p := &o.props[i]
		v, ok := m[p.name]
		r.push(p.name)
		if ok {
			found++
			r.value(p, v)
		} else if p.required {
			r.add(KindRequired, "is required")
		}
		r.pop()
	}
	if o.strict && found < len(m) {
		r.unplanned(o, m)
	}
}

// objectByKeys walks the event's keys instead of looking each planned key
// up: for the usual handful of properties, ranging over a small map and
// finding each key in the plan's table costs less than hashing every
// planned name. Violations are sorted by field afterwards, so the map's
// order does not show.
func (r *run) objectByKeys(o *cobject, m map[string]any) {
	n0 := len(r.dst)
	var seen uint64
	extra := false
	for k, v := range m {
		i := o.find(k)
		if i < 0 {
			extra = true
			continue
		}
		seen |= 1 << i
		r.push(k)
		r.value(&o.props[i], v)
		r.pop()
	}
	if missing := o.reqMask &^ seen; missing != 0 {
		for i := range o.props {
			if missing&(1<<i) != 0 {
				r.push(o.props[i].name)
				r.add(KindRequired, "is required")
				r.pop()
			}
		}
	}
	if extra && o.strict {
		r.unplanned(o, m)
	}
	if len(r.dst)-n0 > 1 {
		slices.SortStableFunc(r.dst[n0:], func(a, b Violation) int { return strings.Compare(a.Field, b.Field) })
	}
}

// unplanned reports the keys of m that o does not plan, sorted.
func (r *run) unplanned(o *cobject, m map[string]any) {
	var extra []string
	for k := range m {
		i := sort.Search(len(o.props), func(i int) bool { return o.props[i].name >= k })
		if i == len(o.props) || o.props[i].name != k {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		r.push(k)
		r.add(KindUnplannedProperty, "is not in the tracking plan")
		r.pop()
	}
}

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
