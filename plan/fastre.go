package plan

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// matcher matches a pattern. Most tracking-plan patterns are anchored
// sequences of ASCII classes (^ord_[0-9a-f]{8}$, ^[A-Z]{3}$) or
// alternations of words (^(fall|winter|spring)$); those compile to a
// byte-table matcher that costs a few nanoseconds. Anything else goes to
// regexp, with the same (RE2, unanchored) semantics.
type matcher struct {
	re *regexp.Regexp // the pattern as compiled by regexp; always set

	kind     uint8 // 0: regexp, 1: sequence, 2: word set
	items    []item
	anchorL  bool // ^
	anchorR  bool // $
	variable int  // index of the one variable-length item, or -1
	minLen   int  // sum of the items' minimum counts
	words    []string
}

type item struct {
	set      [4]uint64 // ASCII bytes allowed (only bits 0..127 used)
	min, max int       // max < 0: unbounded
}

func (it *item) has(c byte) bool { return it.set[c>>6]&(1<<(c&63)) != 0 }

const (
	kindRegexp = iota
	kindSeq
	kindWords
)

func compileMatcher(pattern string) (*matcher, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	m := &matcher{re: re, variable: -1}
	tree, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return m, nil //nolint:nilerr // regexp accepted it; keep regexp
	}
	m.fast(tree)
	return m, nil
}

// fast tries to turn the parse tree into a sequence or a word set.
func (m *matcher) fast(t *syntax.Regexp) {
	subs := []*syntax.Regexp{t}
	if t.Op == syntax.OpConcat {
		subs = t.Sub
	}
	if len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
		m.anchorL, subs = true, subs[1:]
	}
	if n := len(subs); n > 0 && subs[n-1].Op == syntax.OpEndText {
		m.anchorR, subs = true, subs[:n-1]
	}
	// ^(a|b|c)$ or a|b|c: a set of words.
	if len(subs) == 1 {
		alt := subs[0]
		for alt.Op == syntax.OpCapture {
			alt = alt.Sub[0]
		}
		if words, ok := literalWords(alt); ok {
			m.kind, m.words = kindWords, words
			return
		}
	}
	var items []item
	for _, s := range subs {
		its, ok := seqItems(s)
		if !ok {
			return
		}
		items = append(items, its...)
	}
	variable, minLen := -1, 0
	for i := range items {
		minLen += items[i].min
		if items[i].max != items[i].min {
			if variable >= 0 {
				return // two variable items would need backtracking
			}
			variable = i
		}
	}
	switch {
	case m.anchorL && m.anchorR:
	case m.anchorL && (variable < 0 || variable == len(items)-1):
	case m.anchorR && (variable < 0 || variable == 0):
	default:
		return
	}
	m.kind, m.items, m.variable, m.minLen = kindSeq, items, variable, minLen
}

// literalWords returns the words of an alternation of ASCII literals (or
// a single literal).
func literalWords(t *syntax.Regexp) ([]string, bool) {
	lit := func(t *syntax.Regexp) (string, bool) {
		if t.Op == syntax.OpEmptyMatch {
			return "", true
		}
		if t.Op != syntax.OpLiteral || t.Flags&syntax.FoldCase != 0 {
			return "", false
		}
		for _, r := range t.Rune {
			if r >= 0x80 {
				return "", false
			}
		}
		return string(t.Rune), true
	}
	if w, ok := lit(t); ok {
		return []string{w}, true
	}
	if t.Op != syntax.OpAlternate {
		// The parser factors common prefixes (fall|fast -> fa(?:ll|st));
		// such patterns stay with regexp.
		return nil, false
	}
	var words []string
	for _, s := range t.Sub {
		w, ok := lit(s)
		if !ok {
			return nil, false
		}
		words = append(words, w)
	}
	return words, true
}

// seqItems turns one element of a concatenation into items.
func seqItems(t *syntax.Regexp) ([]item, bool) {
	switch t.Op {
	case syntax.OpLiteral:
		if t.Flags&syntax.FoldCase != 0 {
			return nil, false
		}
		var out []item
		for _, r := range t.Rune {
			if r >= 0x80 {
				return nil, false
			}
			var it item
			it.set[r>>6] |= 1 << (r & 63)
			it.min, it.max = 1, 1
			out = append(out, it)
		}
		return out, true
	case syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		it, ok := classItem(t)
		it.min, it.max = 1, 1
		return []item{it}, ok
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		if t.Flags&syntax.NonGreedy != 0 {
			return nil, false
		}
		it, ok := classItem(t.Sub[0])
		if !ok {
			return nil, false
		}
		switch t.Op {
		case syntax.OpStar:
			it.min, it.max = 0, -1
		case syntax.OpPlus:
			it.min, it.max = 1, -1
		case syntax.OpQuest:
			it.min, it.max = 0, 1
		default:
			it.min, it.max = t.Min, t.Max
		}
		return []item{it}, true
	}
	return nil, false
}

// classItem returns the ASCII set of a one-character expression; a class
// that admits non-ASCII runes is refused (the byte table cannot say so).
func classItem(t *syntax.Regexp) (item, bool) {
	var it item
	switch t.Op {
	case syntax.OpLiteral:
		if len(t.Rune) != 1 || t.Rune[0] >= 0x80 || t.Flags&syntax.FoldCase != 0 {
			return it, false
		}
		r := t.Rune[0]
		it.set[r>>6] |= 1 << (r & 63)
		return it, true
	case syntax.OpCharClass:
		for i := 0; i+1 < len(t.Rune); i += 2 {
			lo, hi := t.Rune[i], t.Rune[i+1]
			if hi >= 0x80 {
				return it, false
			}
			for r := lo; r <= hi; r++ {
				it.set[r>>6] |= 1 << (r & 63)
			}
		}
		return it, true
	}
	return it, false // . matches non-ASCII runes too
}

// MatchString reports whether s matches the pattern.
func (m *matcher) MatchString(s string) bool {
	switch m.kind {
	case kindWords:
		for _, w := range m.words {
			switch {
			case m.anchorL && m.anchorR:
				if s == w {
					return true
				}
			case m.anchorL:
				if strings.HasPrefix(s, w) {
					return true
				}
			case m.anchorR:
				if strings.HasSuffix(s, w) {
					return true
				}
			default:
				if strings.Contains(s, w) {
					return true
				}
			}
		}
		return false
	case kindSeq:
		return m.seq(s)
	}
	return m.re.MatchString(s)
}

func (m *matcher) seq(s string) bool {
	if len(s) < m.minLen {
		return false
	}
	if !m.anchorL || !m.anchorR {
		// One end is open, so a variable item at that end needs only its
		// minimum: the rest of the string is unconstrained.
		n := 0
		if m.variable >= 0 {
			n = m.items[m.variable].min
		}
		if !m.anchorL {
			return m.run(s[len(s)-m.minLen:], n)
		}
		return m.run(s[:m.minLen], n)
	}
	if m.variable < 0 {
		return len(s) == m.minLen && m.run(s, 0)
	}
	v := &m.items[m.variable]
	n := len(s) - (m.minLen - v.min)
	if v.max >= 0 && n > v.max {
		return false
	}
	return m.run(s, n)
}

// run checks s byte by byte against the items, the variable item taking
// n bytes (its min when there is none).
func (m *matcher) run(s string, n int) bool {
	pos := 0
	for i := range m.items {
		it := &m.items[i]
		cnt := it.min
		if i == m.variable {
			cnt = n
		}
		if pos+cnt > len(s) {
			return false
		}
		for j := 0; j < cnt; j++ {
			c := s[pos+j]
			if c >= 0x80 || !it.has(c) {
				return false
			}
		}
		pos += cnt
	}
	return pos == len(s)
}

// String returns the pattern.
func (m *matcher) String() string { return m.re.String() }
