package defs

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Purposes a definition may name; any other value of 1-64 bytes of
// [a-z0-9_-] is a custom purpose.
var builtinPurposes = []string{"analytics", "personalization", "marketing", "advertising", "health", "location", "linking", "attention"}

var (
	predicateOps = map[string]bool{"eq": true, "ne": true, "lt": true, "lte": true, "gt": true, "gte": true,
		"contains": true, "prefix": true, "suffix": true, "exists": true, "not_exists": true, "in": true}
	compareOps = map[string]bool{"eq": true, "ne": true, "lt": true, "lte": true, "gt": true, "gte": true}
	traitOps   = map[string]bool{"eq": true, "ne": true, "lt": true, "lte": true, "gt": true, "gte": true,
		"contains": true, "exists": true, "not_exists": true}
	kinds = map[string]bool{KindCount: true, KindSum: true, KindMin: true, KindMax: true, KindAvg: true,
		KindFirst: true, KindLast: true, KindMostFrequent: true, KindUniqueList: true, KindUniqueCount: true, KindSinceLast: true}
	aggKinds = map[string]bool{KindSum: true, KindMin: true, KindMax: true, KindAvg: true}
)

// MaxDefinitions bounds each kind in one Set.
const MaxDefinitions = 1000

// maxDepth bounds the nesting of audience conditions.
const maxDepth = 16

type checker struct {
	kind, key string
	err       *Error
}

func (c *checker) fail(field string, sentinel error, format string, args ...any) {
	if c.err == nil {
		c.err = &Error{Kind: c.kind, Key: c.key, Field: field, Reason: fmt.Sprintf(format, args...), Err: sentinel}
	}
}

// Validate checks every definition and every reference; it returns the
// first problem as an *Error.
func (s *Set) Validate() error {
	if s.Version != FormatVersion {
		return &Error{Kind: "file", Field: "version", Reason: fmt.Sprintf("%d; this reader knows %d", s.Version, FormatVersion), Err: ErrVersion}
	}
	if len(s.Traits) > MaxDefinitions || len(s.Audiences) > MaxDefinitions || len(s.Journeys) > MaxDefinitions {
		return &Error{Kind: "file", Reason: fmt.Sprintf("more than %d definitions of one kind", MaxDefinitions), Err: ErrInvalid}
	}
	traits := map[string]bool{}
	for i := range s.Traits {
		t := &s.Traits[i]
		c := &checker{kind: "trait", key: label(t.Key, i)}
		c.checkKey(t.Key)
		if traits[t.Key] {
			c.fail("key", ErrDuplicate, "defined twice")
		}
		traits[t.Key] = true
		if !kinds[t.Kind] {
			c.fail("kind", ErrInvalid, "%q is not a trait kind", t.Kind)
		}
		c.checkFilter("", Filter{Event: t.Event, Where: t.Where})
		needsProp := t.Kind != KindCount && t.Kind != KindSinceLast
		if needsProp {
			c.checkPath("property", t.Property, true)
		} else if t.Property != "" {
			c.fail("property", ErrInvalid, "%s takes no property", t.Kind)
		}
		if t.Limit < 0 || t.Limit > 100 {
			c.fail("limit", ErrInvalid, "%d; 0 (default 10) to 100", t.Limit)
		}
		c.checkPurpose("purpose", t.Purpose)
		if c.err != nil {
			return c.err
		}
	}
	audiences := map[string]int{}
	for i := range s.Audiences {
		a := &s.Audiences[i]
		c := &checker{kind: "audience", key: label(a.Key, i)}
		c.checkKey(a.Key)
		if _, dup := audiences[a.Key]; dup {
			c.fail("key", ErrDuplicate, "defined twice")
		}
		audiences[a.Key] = i
		c.checkPurpose("purpose", a.Purpose)
		if c.err != nil {
			return c.err
		}
	}
	for i := range s.Audiences {
		a := &s.Audiences[i]
		c := &checker{kind: "audience", key: label(a.Key, i)}
		c.checkCond("where", &a.Where, traits, audiences, 0)
		if c.err != nil {
			return c.err
		}
	}
	if err := s.checkCycles(audiences); err != nil {
		return err
	}
	journeys := map[string]bool{}
	for i := range s.Journeys {
		j := &s.Journeys[i]
		c := &checker{kind: "journey", key: label(j.Key, i)}
		c.checkKey(j.Key)
		if journeys[j.Key] {
			c.fail("key", ErrDuplicate, "defined twice")
		}
		journeys[j.Key] = true
		c.checkPurpose("purpose", j.Purpose)
		c.checkJourney(j, traits, audiences)
		if c.err != nil {
			return c.err
		}
	}
	return nil
}

func label(key string, i int) string {
	if key == "" || len(key) > 128 || !utf8.ValidString(key) {
		return "#" + strconv.Itoa(i)
	}
	return key
}

func (c *checker) checkKey(k string) {
	if k == "" {
		c.fail("key", ErrRequired, "missing")
		return
	}
	if len(k) > 128 {
		c.fail("key", ErrInvalid, "longer than 128 bytes")
		return
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			c.fail("key", ErrInvalid, "only a-z, 0-9, _ and - are allowed")
			return
		}
	}
}

func (c *checker) checkPurpose(field, p string) {
	if p == "" {
		return
	}
	for _, b := range builtinPurposes {
		if p == b {
			return
		}
	}
	if len(p) > 64 {
		c.fail(field, ErrInvalid, "longer than 64 bytes")
		return
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			c.fail(field, ErrInvalid, "%q: a purpose is built in or custom ([a-z0-9_-])", p)
			return
		}
	}
}

// ValidPath reports whether path names an event field (see Predicate).
func ValidPath(path string) bool {
	switch path {
	case "event", "category", "context.channel", "context.location.zone", "context.location.place_id", "context.device.type":
		return true
	}
	for _, pre := range []string{"properties.", "traits."} {
		if rest, ok := strings.CutPrefix(path, pre); ok {
			return rest != "" && len(rest) <= 256 && utf8.ValidString(rest) &&
				!strings.HasPrefix(rest, ".") && !strings.HasSuffix(rest, ".") && !strings.Contains(rest, "..")
		}
	}
	return false
}

func (c *checker) checkPath(field, path string, required bool) {
	if path == "" {
		if required {
			c.fail(field, ErrRequired, "missing")
		}
		return
	}
	if !ValidPath(path) {
		c.fail(field, ErrInvalid, "%q is not an event path (properties.<key>, traits.<key>, context.location.zone, ...)", path)
	}
}

func (c *checker) checkFilter(prefix string, f Filter) {
	if f.Event == "" {
		c.fail(prefix+"event", ErrRequired, "missing")
	} else if len(f.Event) > 256 || !utf8.ValidString(f.Event) {
		c.fail(prefix+"event", ErrInvalid, "at most 256 bytes of UTF-8")
	}
	c.checkWhere(prefix+"where", f.Where)
}

func (c *checker) checkWhere(field string, ps []Predicate) {
	if len(ps) > 32 {
		c.fail(field, ErrInvalid, "more than 32 predicates")
	}
	for i, p := range ps {
		f := fmt.Sprintf("%s[%d]", field, i)
		c.checkPath(f+".path", p.Path, true)
		if !predicateOps[p.Op] {
			c.fail(f+".op", ErrInvalid, "%q is not an operator", p.Op)
			continue
		}
		c.checkValue(f+".value", p.Op, p.Value)
	}
}

func scalar(v any) bool {
	switch x := v.(type) {
	case string, bool:
		return true
	case float64:
		return !math.IsNaN(x) && !math.IsInf(x, 0)
	}
	return false
}

func (c *checker) checkValue(field, op string, v any) {
	switch op {
	case "exists", "not_exists":
		if v != nil {
			c.fail(field, ErrInvalid, "%s takes no value", op)
		}
	case "in":
		list, ok := v.([]any)
		if !ok || len(list) == 0 || len(list) > 256 {
			c.fail(field, ErrInvalid, "in takes a list of 1 to 256 values")
			return
		}
		for _, x := range list {
			if !scalar(x) {
				c.fail(field, ErrInvalid, "list values are strings, numbers or bools")
				return
			}
		}
	case "lt", "lte", "gt", "gte":
		if _, ok := v.(float64); !ok {
			c.fail(field, ErrInvalid, "%s takes a number", op)
		}
	case "contains", "prefix", "suffix":
		if _, ok := v.(string); !ok {
			c.fail(field, ErrInvalid, "%s takes a string", op)
		}
	default:
		if v == nil || !scalar(v) {
			c.fail(field, ErrInvalid, "%s takes a string, number or bool", op)
		}
	}
}

func (c *checker) checkCond(field string, n *Cond, traits map[string]bool, auds map[string]int, depth int) {
	if depth > maxDepth {
		c.fail(field, ErrInvalid, "nested deeper than %d", maxDepth)
		return
	}
	set := 0
	if n.All != nil {
		set++
	}
	if n.Any != nil {
		set++
	}
	for _, b := range []bool{n.Not != nil, n.Event != nil, n.Presence != nil, n.Trait != nil, n.Audience != ""} {
		if b {
			set++
		}
	}
	if set != 1 {
		c.fail(field, ErrInvalid, "a condition has exactly one of all, any, not, event, presence, trait, audience (%d given)", set)
		return
	}
	switch {
	case n.All != nil || n.Any != nil:
		list, name := n.All, "all"
		if n.Any != nil {
			list, name = n.Any, "any"
		}
		if len(list) == 0 || len(list) > 64 {
			c.fail(field+"."+name, ErrInvalid, "1 to 64 conditions")
		}
		for i := range list {
			c.checkCond(fmt.Sprintf("%s.%s[%d]", field, name, i), &list[i], traits, auds, depth+1)
		}
	case n.Not != nil:
		c.checkCond(field+".not", n.Not, traits, auds, depth+1)
	case n.Event != nil:
		e := n.Event
		c.checkFilter(field+".event.", Filter{Event: e.Event, Where: e.Where})
		if e.Count != nil && e.Aggregate != nil {
			c.fail(field+".event", ErrInvalid, "count and aggregate are exclusive")
		}
		if e.Count != nil && !compareOps[e.Count.Op] {
			c.fail(field+".event.count.op", ErrInvalid, "%q is not a comparison", e.Count.Op)
		}
		if a := e.Aggregate; a != nil {
			if !aggKinds[a.Kind] {
				c.fail(field+".event.aggregate.kind", ErrInvalid, "%q: sum, min, max or avg", a.Kind)
			}
			c.checkPath(field+".event.aggregate.property", a.Property, true)
			if !compareOps[a.Op] {
				c.fail(field+".event.aggregate.op", ErrInvalid, "%q is not a comparison", a.Op)
			}
		}
	case n.Presence != nil:
		p := n.Presence
		if p.Zone == "" {
			c.fail(field+".presence.zone", ErrRequired, "missing")
		}
		if p.MinDwell <= 0 {
			c.fail(field+".presence.min_dwell", ErrRequired, "a positive duration")
		}
	case n.Trait != nil:
		t := n.Trait
		if t.Key == "" || len(t.Key) > 256 {
			c.fail(field+".trait.key", ErrRequired, "missing or longer than 256 bytes")
		}
		if !traitOps[t.Op] {
			c.fail(field+".trait.op", ErrInvalid, "%q is not a trait operator", t.Op)
			return
		}
		c.checkValue(field+".trait.value", t.Op, t.Value)
	case n.Audience != "":
		if _, ok := auds[n.Audience]; !ok {
			c.fail(field+".audience", ErrReference, "%q is not a defined audience", n.Audience)
		}
	}
}

// checkCycles refuses audiences that refer to themselves, directly or not.
func (s *Set) checkCycles(auds map[string]int) error {
	state := make([]uint8, len(s.Audiences)) // 0 new, 1 visiting, 2 done
	var visit func(i int) string
	visit = func(i int) string {
		if state[i] == 1 {
			return s.Audiences[i].Key
		}
		if state[i] == 2 {
			return ""
		}
		state[i] = 1
		var found string
		WalkAudienceRefs(&s.Audiences[i].Where, func(ref string) {
			if found == "" {
				found = visit(auds[ref])
			}
		})
		state[i] = 2
		return found
	}
	for i := range s.Audiences {
		if k := visit(i); k != "" {
			return &Error{Kind: "audience", Key: s.Audiences[i].Key, Field: "where", Reason: "audiences refer to each other in a cycle through " + k, Err: ErrReference}
		}
	}
	return nil
}

// WalkAudienceRefs calls fn for every audience key n refers to.
func WalkAudienceRefs(n *Cond, fn func(string)) {
	if n.Audience != "" {
		fn(n.Audience)
	}
	for i := range n.All {
		WalkAudienceRefs(&n.All[i], fn)
	}
	for i := range n.Any {
		WalkAudienceRefs(&n.Any[i], fn)
	}
	if n.Not != nil {
		WalkAudienceRefs(n.Not, fn)
	}
}

func (c *checker) checkJourney(j *Journey, traits map[string]bool, auds map[string]int) {
	c.checkFilter("trigger.", j.Trigger)
	if j.When != nil {
		c.checkCond("when", j.When, traits, auds, 0)
	}
	if r := j.Related; r != nil {
		c.checkFilter("related.", Filter{Event: r.Event, Where: r.Where})
		if r.Within <= 0 {
			c.fail("related.within", ErrRequired, "a positive window")
		}
		for i, m := range r.Match {
			c.checkPath(fmt.Sprintf("related.match[%d].path", i), m.Path, true)
			c.checkPath(fmt.Sprintf("related.match[%d].trigger", i), m.Trigger, true)
		}
	}
	if w := j.Wait; w != nil {
		if w.For <= 0 {
			c.fail("wait.for", ErrRequired, "a positive duration")
		}
		if w.Unless != nil {
			c.checkFilter("wait.unless.", *w.Unless)
		}
	}
	a := j.Action
	if a.Emit == "" && a.Handler == "" {
		c.fail("action", ErrRequired, "emit, handler or both")
	}
	for k, v := range a.Properties {
		if k == "" || len(k) > 256 {
			c.fail("action.properties", ErrInvalid, "keys are 1 to 256 bytes")
		}
		for _, pre := range []string{"$trigger.", "$related."} {
			if rest, ok := strings.CutPrefix(v, pre); ok {
				c.checkPath("action.properties."+k, rest, true)
				if pre == "$related." && j.Related == nil {
					c.fail("action.properties."+k, ErrReference, "refers to the related event, but the journey has none")
				}
			}
		}
	}
	if cp := j.Cap; cp != nil && (cp.Max < 1 || cp.Per <= 0) {
		c.fail("cap", ErrInvalid, "max >= 1 and a positive per")
	}
	if q := j.QuietHours; q != nil {
		if _, ok := clock(q.Start); !ok {
			c.fail("quiet_hours.start", ErrInvalid, "%q: want HH:MM", q.Start)
		}
		if _, ok := clock(q.End); !ok {
			c.fail("quiet_hours.end", ErrInvalid, "%q: want HH:MM", q.End)
		}
		if q.Timezone != "" {
			if _, err := time.LoadLocation(q.Timezone); err != nil {
				c.fail("quiet_hours.timezone", ErrInvalid, "%q is not an IANA time zone", q.Timezone)
			}
		}
		if q.Mode != "" && q.Mode != "skip" && q.Mode != "defer" {
			c.fail("quiet_hours.mode", ErrInvalid, "%q: skip or defer", q.Mode)
		}
	}
	if r := j.Reentry; r != nil {
		switch r.Mode {
		case ReentryOnce, ReentryAlways:
		case ReentryAfter:
			if r.After <= 0 {
				c.fail("reentry.after", ErrRequired, "a positive duration for mode after")
			}
		default:
			c.fail("reentry.mode", ErrInvalid, "%q: once, always or after", r.Mode)
		}
		switch r.Key {
		case "", "profile", "trigger":
		case "related":
			if j.Related == nil {
				c.fail("reentry.key", ErrReference, "related, but the journey has no related event")
			}
		default:
			c.fail("reentry.key", ErrInvalid, "%q: profile, trigger or related", r.Key)
		}
	}
	for i, f := range j.Exit {
		c.checkFilter(fmt.Sprintf("exit[%d].", i), f)
	}
	if j.Holdout < 0 || j.Holdout > 100 || math.IsNaN(j.Holdout) {
		c.fail("holdout", ErrInvalid, "a percentage from 0 to 100")
	}
}

// Clock parses "HH:MM" into minutes after midnight.
func Clock(s string) (int, bool) { return clock(s) }

func clock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' || !digits(s[:2]) || !digits(s[3:]) {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// digits reports whether s is one or more ASCII decimal digits (no sign:
// strconv.Atoi alone takes "+7" and "-0").
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
