package plan

import (
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

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
