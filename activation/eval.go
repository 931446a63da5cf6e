package activation

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// evalCtx evaluates a program's conditions for one profile at one time.
type evalCtx struct {
	e       *Engine
	p       int32
	t       int64    // evaluation time (ms)
	purp    Purposes // purpose the consumer is for
	next    int64    // earliest window expiry seen (0: none)
	trace   *[]CondResult
	ids     []string // contributing fact ids (collect)
	collect bool
}

// aggResult folds agg over the profile's facts in (t-within, t]: per
// identifier, a binary search to the event's facts and to the window, then
// the facts in it.
func (c *evalCtx) aggResult(a *agg) Value {
	e := c.e
	var (
		n        int
		sum      float64
		mn, mx   = math.Inf(1), math.Inf(-1)
		firstT   = int64(math.MaxInt64)
		lastT    = int64(math.MinInt64)
		first    Value
		last     Value
		lastSeen int64 = -1
	)
	collectVals := a.kind == aMostFrequent || a.kind == aUniqueList || a.kind == aUniqueCount
	if collectVals {
		e.sids = e.sids[:0]
	}
	lo := int64(math.MinInt64)
	if a.within > 0 {
		lo = c.t - a.within
	}
	for ii := e.profs[c.p].head; ii >= 0; ii = e.ident(ii).next {
		fs := e.facts.items(e.ident(ii).facts)
		if len(fs) == 0 {
			continue
		}
		for _, ev := range a.events {
			elo, ehi := e.evRangeOf(ii, fs, ev)
			start := elo
			if a.within > 0 {
				start = after(fs, elo, ehi, lo)
			}
			for fi := start; fi < ehi; fi++ {
				f := &fs[fi]
				if f.t > c.t {
					break
				}
				if f.purp&c.purp == 0 || !e.matches(f, a.preds) {
					continue
				}
				var v Value
				if a.hasP {
					v = e.get(f, a.prop)
					if v.K == kAbsent {
						continue
					}
				}
				if a.within > 0 {
					if exp := f.t + a.within; c.next == 0 || exp < c.next {
						c.next = exp
					}
				}
				if c.collect {
					c.ids = append(c.ids, e.msgs.get(f.id))
				}
				n++
				if f.t > lastSeen {
					lastSeen = f.t
				}
				switch a.kind {
				case aSum, aAvg, aMin, aMax:
					if v.K != kNumber {
						n--
						continue
					}
					sum += v.F
					mn, mx = min(mn, v.F), max(mx, v.F)
				case aFirst:
					if f.t < firstT {
						firstT, first = f.t, v
					}
				case aLast:
					if f.t >= lastT {
						lastT, last = f.t, v
					}
				case aMostFrequent, aUniqueList, aUniqueCount:
					e.sids = append(e.sids, e.canon(v))
				}
			}
		}
	}
	num := func(x float64) Value { return Value{F: x, K: kNumber} }
	switch a.kind {
	case aCount:
		return num(float64(n))
	case aSum:
		return num(sum)
	case aAvg:
		if n == 0 {
			return Value{}
		}
		return num(sum / float64(n))
	case aMin:
		if n == 0 {
			return Value{}
		}
		return num(mn)
	case aMax:
		if n == 0 {
			return Value{}
		}
		return num(mx)
	case aFirst:
		return first
	case aLast:
		return last
	case aSinceLast:
		if lastSeen < 0 {
			return Value{}
		}
		return num(float64(c.t-lastSeen) / 1000)
	case aMostFrequent:
		vs := e.sortedSids()
		best, bestN := int32(-1), 1 // needs at least 2 occurrences; ties: alphabetically first
		for i := 0; i < len(vs); {
			j := i
			for j < len(vs) && vs[j] == vs[i] {
				j++
			}
			if j-i > bestN {
				best, bestN = vs[i], j-i
			}
			i = j
		}
		if best < 0 || e.vals.str(best) == "" {
			return Value{}
		}
		return Value{S: e.vals.str(best), K: kString}
	case aUniqueList, aUniqueCount:
		vs := slices.Compact(e.sortedSids())
		if a.kind == aUniqueCount {
			return num(float64(len(vs)))
		}
		if len(vs) > a.limit {
			vs = vs[:a.limit]
		}
		b := e.scratch[:0]
		for i, id := range vs {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, e.vals.str(id)...)
		}
		e.scratch = b
		id, _ := e.vals.intern(view(b)) // interned: no allocation once seen
		return Value{S: e.vals.str(id), K: kString}
	}
	return Value{}
}

// canon returns the id of v's string form (Value.String) in e.vals.
func (e *Engine) canon(v Value) int32 {
	switch v.K {
	case kString:
		id, _ := e.vals.intern(v.S)
		return id
	case kNumber:
		e.scratch = strconv.AppendFloat(e.scratch[:0], v.F, 'g', -1, 64)
	case kBool:
		e.scratch = strconv.AppendBool(e.scratch[:0], v.F != 0)
	default:
		e.scratch = e.scratch[:0]
	}
	id, _ := e.vals.intern(view(e.scratch))
	return id
}

// sortedSids sorts e.sids by the strings they stand for.
func (e *Engine) sortedSids() []int32 {
	slices.SortFunc(e.sids, func(a, b int32) int { return strings.Compare(e.vals.str(a), e.vals.str(b)) })
	return e.sids
}

// identifyTrait returns the newest identify trait key of the profile that
// was collected under the consumer's purpose, and its message id.
func (c *evalCtx) identifyTrait(key string) (Value, string, bool) {
	e := c.e
	k := e.keys.find(key)
	if k < 0 {
		return Value{}, "", false
	}
	var best *tfact
	for ii := e.profs[c.p].head; ii >= 0; ii = e.ident(ii).next {
		ts := e.tfacts.items(e.ident(ii).traits)
		for i := range ts {
			tf := &ts[i]
			if tf.key != k || tf.purp&c.purp == 0 || tf.t > c.t {
				continue
			}
			if best == nil || tf.t > best.t || tf.t == best.t && e.msgs.get(tf.id) > e.msgs.get(best.id) {
				best = tf
			}
		}
	}
	if best == nil {
		return Value{}, "", false
	}
	return e.unpack(best.kind, best.bits), e.msgs.get(best.id), true
}

// cond evaluates condition n.
func (c *evalCtx) cond(n int32) bool {
	prog := c.e.prog
	cd := &prog.conds[n]
	var held bool
	mark := len(c.ids)
	var got Value
	switch cd.op {
	case cAll:
		held = true
		for _, k := range cd.kids {
			if !c.cond(k) {
				held = false
				if c.trace == nil {
					break
				}
			}
		}
	case cAny:
		for _, k := range cd.kids {
			if c.cond(k) {
				held = true
				if c.trace == nil {
					break
				}
			}
		}
	case cNot:
		held = !c.cond(cd.kids[0])
	case cAgg:
		got = c.aggResult(&prog.aggs[cd.agg])
		held = got.K == kNumber && cmpNum(cd.cmp, got.F, cd.val.F)
	case cTrait:
		if cd.trait >= 0 {
			got = c.aggResult(&prog.aggs[prog.traits[cd.trait].agg])
		} else {
			var id string
			var ok bool
			got, id, ok = c.identifyTrait(cd.key)
			if ok && c.collect {
				c.ids = append(c.ids, id)
			}
		}
		held = compareTrait(cd.cmp, got, cd.val)
	case cAud:
		held = c.e.isMember(c.p, cd.aud)
	}
	if c.trace != nil {
		r := CondResult{Condition: cd.desc, Held: held}
		if cd.op == cAgg || cd.op == cTrait {
			r.Value = got.Any()
		}
		if cd.op == cAgg || cd.op == cTrait {
			r.Events = slices.Clone(c.ids[mark:])
		}
		*c.trace = append(*c.trace, r)
	}
	return held
}

func compareTrait(op uint8, v, want Value) bool {
	if op == opContains && v.K == kString {
		// a unique list holds comma-separated values
		for s := v.S; ; {
			item, rest, more := strings.Cut(s, ",")
			if item == want.S {
				return true
			}
			if !more {
				return false
			}
			s = rest
		}
	}
	return compare(op, v, want, nil)
}
