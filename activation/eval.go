package activation

import (
	"math"
	"slices"
	"sort"
)

// evalCtx evaluates a program's conditions for one profile at one time.
type evalCtx struct {
	e       *Engine
	p       *profile
	t       int64    // evaluation time (ms)
	purp    Purposes // purpose the consumer is for
	next    int64    // earliest window expiry seen (0: none)
	trace   *[]CondResult
	ids     []string // scratch: contributing fact ids
	collect bool
}

// aggResult folds agg over the profile's facts in (t-within, t].
func (c *evalCtx) aggResult(a *agg) Value {
	var (
		n        int
		sum      float64
		mn, mx   = math.Inf(1), math.Inf(-1)
		firstT   = int64(math.MaxInt64)
		lastT    = int64(math.MinInt64)
		first    Value
		last     Value
		values   []string
		lastSeen int64 = -1
	)
	lo := int64(math.MinInt64)
	if a.within > 0 {
		lo = c.t - a.within
	}
	for _, ii := range c.p.idents {
		d := &c.e.idents[ii]
		// facts are sorted by time: start at the window
		start := 0
		if a.within > 0 {
			start, _ = slices.BinarySearchFunc(d.facts, lo+1, func(f fact, t int64) int {
				if f.t < t {
					return -1
				}
				return 1
			})
		}
		for fi := start; fi < len(d.facts); fi++ {
			f := &d.facts[fi]
			if f.t > c.t {
				break
			}
			if f.purp&c.purp == 0 || !slices.Contains(a.events, f.ev) || !f.matches(a.preds) {
				continue
			}
			var v Value
			if a.hasP {
				v = f.get(a.prop)
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
				c.ids = append(c.ids, f.id)
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
				values = append(values, v.String())
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
		sort.Strings(values)
		best, bestN := "", 1 // needs at least 2 occurrences; ties: alphabetically first
		for i := 0; i < len(values); {
			j := i
			for j < len(values) && values[j] == values[i] {
				j++
			}
			if j-i > bestN {
				best, bestN = values[i], j-i
			}
			i = j
		}
		if best == "" {
			return Value{}
		}
		return Value{S: best, K: kString}
	case aUniqueList, aUniqueCount:
		sort.Strings(values)
		values = slices.Compact(values)
		if a.kind == aUniqueCount {
			return num(float64(len(values)))
		}
		if len(values) > a.limit {
			values = values[:a.limit]
		}
		return Value{S: joinList(values), K: kString}
	}
	return Value{}
}

// joinList writes a unique list as one string, comma-separated.
func joinList(vs []string) string {
	n := 0
	for _, v := range vs {
		n += len(v) + 1
	}
	b := make([]byte, 0, n)
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, v...)
	}
	return string(b)
}

// identifyTrait returns the newest identify trait key of the profile that
// was collected under the consumer's purpose.
func (c *evalCtx) identifyTrait(key string) (Value, *traitFact) {
	var best *traitFact
	for _, ii := range c.p.idents {
		d := &c.e.idents[ii]
		for i := range d.traits {
			tf := &d.traits[i]
			if tf.key != key || tf.purp&c.purp == 0 || tf.t > c.t {
				continue
			}
			if best == nil || tf.t > best.t || tf.t == best.t && tf.id > best.id {
				best = tf
			}
		}
	}
	if best == nil {
		return Value{}, nil
	}
	return best.v, best
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
			var tf *traitFact
			got, tf = c.identifyTrait(cd.key)
			if tf != nil && c.collect {
				c.ids = append(c.ids, tf.id)
			}
		}
		held = compareTrait(cd.cmp, got, cd.val)
	case cAud:
		held = c.p.isMember(prog.audiences[cd.aud].key)
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
		for _, s := range splitList(v.S) {
			if s == want.S {
				return true
			}
		}
		return false
	}
	return compare(op, v, want, nil)
}

func splitList(s string) []string {
	var out []string
	for s != "" {
		i := 0
		for i < len(s) && s[i] != ',' {
			i++
		}
		out = append(out, s[:i])
		if i == len(s) {
			break
		}
		s = s[i+1:]
	}
	return out
}
