package plan

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Plan is a compiled tracking plan: patterns compiled, enums indexed,
// events keyed by type and name. A Plan is immutable and safe for
// concurrent use by any number of goroutines; to change rules, compile a
// new Plan and swap it in (Middleware.Swap).
type Plan struct {
	name           string
	track          map[string]*cevent
	named          [4]map[string]*cevent // identify, group, page, screen
	common         *cevent
	allowUnplanned bool
	events         int
}

type cevent struct {
	label   string // the event name, or "identify", "page Home", ...
	typ     connected.Type
	version int
	props   cobject
	traits  cobject
	ctx     cobject
	next    *cevent // other versions, ascending
}

type cobject struct {
	props   []cprop
	strict  bool
	table   []uint32 // open-addressed index of props by name: hash<<8 | i+1, 0 empty
	mask    uint32
	reqMask uint64 // bit i: props[i] is required (when len(props) <= 64)
}

// keyHash is a cheap hash of a property name: its length and three bytes.
// Names that collide are told apart by comparing the strings.
func keyHash(k string) uint32 {
	n := len(k)
	if n == 0 {
		return 0
	}
	return uint32(n)*0x9E3779B1 ^ uint32(k[0])*0x85EBCA6B ^ uint32(k[n-1])*0xC2B2AE35 ^ uint32(k[n/2])*0x27D4EB2F
}

// find returns the index of the property named k, or -1.
func (o *cobject) find(k string) int {
	if o.table == nil {
		return -1
	}
	h := keyHash(k)
	tag := h << 8
	for i := h & o.mask; ; i = (i + 1) & o.mask {
		e := o.table[i]
		if e == 0 {
			return -1
		}
		if e&^0xff == tag && o.props[e&0xff-1].name == k {
			return int(e&0xff - 1)
		}
	}
}

// index builds the table (for up to 64 properties; more use map lookups).
func (o *cobject) index() {
	if len(o.props) == 0 || len(o.props) > 64 {
		return
	}
	size := 4
	for size < 2*len(o.props) {
		size *= 2
	}
	o.table, o.mask = make([]uint32, size), uint32(size-1)
	for i := range o.props {
		hash := keyHash(o.props[i].name)
		h := hash & o.mask
		for o.table[h] != 0 {
			h = (h + 1) & o.mask
		}
		o.table[h] = hash<<8 | uint32(i+1)
		if o.props[i].required {
			o.reqMask |= 1 << i
		}
	}
}

// empty reports whether the object checks nothing.
func (o *cobject) empty() bool { return len(o.props) == 0 && !o.strict }

type cprop struct {
	name                       string
	types                      Type
	required                   bool
	enum                       *cenum
	re                         *matcher
	format                     Format
	hasMin, hasMax             bool
	hasXMin, hasXMax           bool
	min, max, xmin, xmax       float64
	minLen, maxLen             int // -1: none
	minItems, maxItems         int // -1: none
	obj                        *cobject
	items                      *cprop
	checksString, checksNumber bool
}

type cenum struct {
	strs  []string
	nums  []float64
	bools uint8 // bit 0: false allowed, bit 1: true allowed
	null  bool
	text  string // for reasons
}

func typeIndex(t connected.Type) int {
	switch t {
	case connected.TypeIdentify:
		return 0
	case connected.TypeGroup:
		return 1
	case connected.TypePage:
		return 2
	case connected.TypeScreen:
		return 3
	}
	return -1
}

// Compile checks spec and compiles it into a Plan. It returns a *SpecError
// (ErrInvalidSpec) for a contradictory spec, and an *UnsupportedError
// (ErrUnsupported, Format "spec") for a pattern RE2 cannot compile, an
// unknown format, or an enum value that is not a string, number, boolean
// or null. The Plan does not share memory with spec.
func Compile(spec Spec) (*Plan, error) {
	p := &Plan{name: spec.Name, track: make(map[string]*cevent), allowUnplanned: spec.AllowUnplannedEvents}
	for i := range p.named {
		p.named[i] = make(map[string]*cevent)
	}
	for i := range spec.Events {
		e := &spec.Events[i]
		ce, err := compileEvent(e)
		if err != nil {
			return nil, err
		}
		var m map[string]*cevent
		switch t := e.Type; {
		case t == "" || t == connected.TypeTrack:
			if strings.TrimSpace(e.Name) == "" {
				return nil, &SpecError{Event: e.Name, Reason: "a track event needs a name"}
			}
			m = p.track
		case t == connected.TypeAlias:
			return nil, &SpecError{Event: e.Name, Reason: "alias events are not validated; remove the rule"}
		case typeIndex(t) >= 0:
			if (t == connected.TypeIdentify || t == connected.TypeGroup) && e.Name != "" {
				return nil, &SpecError{Event: e.Name, Reason: string(t) + " events have no name; leave Name empty"}
			}
			m = p.named[typeIndex(t)]
		default:
			return nil, &SpecError{Event: e.Name, Reason: "unknown event type " + strconv.Quote(string(t))}
		}
		head := m[e.Name]
		for v := head; v != nil; v = v.next {
			if v.version == ce.version {
				return nil, &SpecError{Event: ce.label, Reason: "planned twice (version " + strconv.Itoa(max(ce.version, 1)) + ")"}
			}
		}
		m[e.Name] = insertVersion(head, ce)
		p.events++
	}
	if spec.Common != nil {
		c := *spec.Common
		c.Type, c.Name = connected.TypeTrack, "(common)"
		ce, err := compileEvent(&c)
		if err != nil {
			return nil, err
		}
		ce.label = "(common)"
		p.common = ce
	}
	return p, nil
}

// insertVersion links ce into the version chain starting at head, ascending.
func insertVersion(head, ce *cevent) *cevent {
	if head == nil || ce.version < head.version {
		ce.next = head
		return ce
	}
	at := head
	for at.next != nil && at.next.version < ce.version {
		at = at.next
	}
	ce.next, at.next = at.next, ce
	return head
}

// Name returns the plan's name.
func (p *Plan) Name() string { return p.name }

// Len returns the number of planned events (versions counted separately).
func (p *Plan) Len() int { return p.events }

func compileEvent(e *Event) (*cevent, error) {
	typ := e.Type
	if typ == "" {
		typ = connected.TypeTrack
	}
	label := e.Name
	if typ != connected.TypeTrack {
		label = strings.TrimSpace(string(typ) + " " + e.Name)
	}
	if e.Version < 0 {
		return nil, &SpecError{Event: label, Reason: "negative version"}
	}
	ce := &cevent{label: label, typ: typ, version: max(e.Version, 1)}
	c := compiler{event: label}
	var err error
	if ce.props, err = c.object(&e.Properties, "properties"); err != nil {
		return nil, err
	}
	if ce.traits, err = c.object(&e.Traits, "traits"); err != nil {
		return nil, err
	}
	if ce.ctx, err = c.object(&e.Context, "context"); err != nil {
		return nil, err
	}
	return ce, nil
}

type compiler struct{ event string }

func (c *compiler) object(o *Object, at string) (cobject, error) {
	out := cobject{strict: o.Strict, props: make([]cprop, 0, len(o.Properties))}
	seen := make(map[string]bool, len(o.Properties))
	for i := range o.Properties {
		pr := &o.Properties[i]
		if pr.Name == "" {
			return out, &SpecError{Event: c.event, Field: at, Reason: "a property has no name"}
		}
		if seen[pr.Name] {
			return out, &SpecError{Event: c.event, Field: at + "." + pr.Name, Reason: "planned twice"}
		}
		seen[pr.Name] = true
		cp, err := c.prop(pr, at+"."+pr.Name)
		if err != nil {
			return out, err
		}
		out.props = append(out.props, cp)
	}
	// Sorted by name: violations come out in a stable order.
	slices.SortFunc(out.props, func(a, b cprop) int { return strings.Compare(a.name, b.name) })
	out.index()
	return out, nil
}

func (c *compiler) unsupported(at, kw, reason string) error {
	return &UnsupportedError{Format: "spec", Event: c.event, Path: at, Keyword: kw, Reason: reason}
}

func (c *compiler) prop(pr *Property, at string) (cprop, error) {
	cp := cprop{name: pr.Name, types: pr.Type, required: pr.Required, format: pr.Format,
		minLen: -1, maxLen: -1, minItems: -1, maxItems: -1}
	if pr.Type&^(TypeString|TypeNumber|TypeInteger|TypeBoolean|TypeObject|TypeArray|TypeNull) != 0 {
		return cp, &SpecError{Event: c.event, Field: at, Reason: "unknown type bits"}
	}
	if len(pr.Enum) > 0 {
		en, err := c.enum(pr.Enum, at)
		if err != nil {
			return cp, err
		}
		cp.enum = en
	}
	if pr.Pattern != "" {
		re, err := compileMatcher(pr.Pattern)
		if err != nil {
			return cp, c.unsupported(at, "pattern", "not an RE2 expression: "+err.Error())
		}
		cp.re = re
	}
	switch pr.Format {
	case "", FormatDateTime, FormatDate, FormatEmail, FormatURI, FormatUUID, FormatIPv4, FormatIPv6:
	default:
		return cp, c.unsupported(at, "format", "unknown format "+strconv.Quote(string(pr.Format)))
	}
	set := func(p *float64, has *bool, v *float64) {
		if p != nil {
			*v, *has = *p, true
		}
	}
	set(pr.Minimum, &cp.hasMin, &cp.min)
	set(pr.Maximum, &cp.hasMax, &cp.max)
	set(pr.ExclusiveMinimum, &cp.hasXMin, &cp.xmin)
	set(pr.ExclusiveMaximum, &cp.hasXMax, &cp.xmax)
	for _, f := range []*float64{pr.Minimum, pr.Maximum, pr.ExclusiveMinimum, pr.ExclusiveMaximum} {
		if f != nil && (math.IsNaN(*f) || math.IsInf(*f, 0)) {
			return cp, &SpecError{Event: c.event, Field: at, Reason: "a bound is NaN or infinite"}
		}
	}
	if cp.hasMin && cp.hasMax && cp.min > cp.max {
		return cp, &SpecError{Event: c.event, Field: at, Reason: "minimum is above maximum"}
	}
	ints := []struct {
		p   *int
		dst *int
		kw  string
	}{{pr.MinLength, &cp.minLen, "minLength"}, {pr.MaxLength, &cp.maxLen, "maxLength"},
		{pr.MinItems, &cp.minItems, "minItems"}, {pr.MaxItems, &cp.maxItems, "maxItems"}}
	for _, n := range ints {
		if n.p != nil {
			if *n.p < 0 {
				return cp, &SpecError{Event: c.event, Field: at, Reason: n.kw + " is negative"}
			}
			*n.dst = *n.p
		}
	}
	if cp.minLen >= 0 && cp.maxLen >= 0 && cp.minLen > cp.maxLen {
		return cp, &SpecError{Event: c.event, Field: at, Reason: "minLength is above maxLength"}
	}
	if cp.minItems >= 0 && cp.maxItems >= 0 && cp.minItems > cp.maxItems {
		return cp, &SpecError{Event: c.event, Field: at, Reason: "minItems is above maxItems"}
	}
	if pr.Object != nil {
		o, err := c.object(pr.Object, at)
		if err != nil {
			return cp, err
		}
		cp.obj = &o
	}
	if pr.Items != nil {
		it, err := c.prop(pr.Items, at+"[]")
		if err != nil {
			return cp, err
		}
		cp.items = &it
	}
	cp.checksString = cp.re != nil || cp.format != "" || cp.minLen >= 0 || cp.maxLen >= 0
	cp.checksNumber = cp.hasMin || cp.hasMax || cp.hasXMin || cp.hasXMax
	return cp, nil
}

func (c *compiler) enum(vals []any, at string) (*cenum, error) {
	en := &cenum{}
	texts := make([]string, 0, len(vals))
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
			en.null = true
			texts = append(texts, "null")
			continue
		case string:
			en.strs = append(en.strs, x)
			texts = append(texts, strconv.Quote(x))
			continue
		case bool:
			if x {
				en.bools |= 2
			} else {
				en.bools |= 1
			}
			texts = append(texts, strconv.FormatBool(x))
			continue
		case json.Number:
			f, err := strconv.ParseFloat(string(x), 64)
			if err != nil {
				return nil, c.unsupported(at, "enum", "enum number "+strconv.Quote(string(x))+" does not parse")
			}
			en.nums = append(en.nums, f)
			texts = append(texts, string(x))
			continue
		}
		f, ok := toFloat(v)
		if !ok {
			return nil, c.unsupported(at, "enum", "enum values must be strings, numbers, booleans or null")
		}
		en.nums = append(en.nums, f)
		texts = append(texts, strconv.FormatFloat(f, 'g', -1, 64))
	}
	en.text = strings.Join(texts, ", ")
	return en, nil
}

// toFloat converts a Go number to float64.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case int16:
		return float64(x), true
	case int8:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint8:
		return float64(x), true
	case float32:
		return float64(x), true
	}
	return 0, false
}
