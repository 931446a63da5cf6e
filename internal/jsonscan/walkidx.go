package jsonscan

// walkIdx is walk over the structural index (see index.go), with walk's
// arguments and results. ok false says it did not finish: no index for
// this document, or something it does not accept (an error, or input it
// leaves to the scalar loop); walk then reads from i as if walkIdx had not
// run, since it changes nothing until it succeeds.
func (s *Scanner) walkIdx(i, depth int, objs uint64, limit int, key bool, ks *Keys) (x int, ok bool) {
	k, ok := s.at(i)
	if !ok {
		return 0, false
	}
	return s.walkFrom(k, depth, objs, limit, key, ks)
}

// at returns the index of the first structural byte at or after i, false
// when there is no index or something other than white space lies
// before it (i inside a value: the scalar loop's to judge).
func (s *Scanner) at(i int) (int, bool) {
	var ix []uint32
	if x := s.x; x.state == ixReady {
		ix = x.ix
		// where the last walk stopped, or the entry after it: the usual
		// case, without seek's call
		if k := x.cur; k < len(ix) && int(ix[k]) >= i && (k == 0 || int(ix[k-1]) < i) {
			if int(ix[k]) != i && skipWS(s.b, i) != int(ix[k]) {
				return 0, false
			}
			return k, true
		}
	} else if ix = s.index(); ix == nil {
		return 0, false
	}
	k := s.seek(i)
	if int(ix[k]) != i && skipWS(s.b, i) != int(ix[k]) {
		return 0, false
	}
	return k, true
}

// closeQuote returns the offset of the closing quote of the string whose
// opening quote is at i, from the index (which s has), or -1 when the
// index has no quote at i. The index's documents have no escapes.
func (s *Scanner) closeQuote(i int) int {
	ix := s.x.ix
	k := s.seek(i)
	if int(ix[k]) != i || s.b[i] != '"' {
		return -1
	}
	s.x.cur, s.x.at = k+2, int(ix[k+1])+1 // after a closing quote only white space precedes the next entry
	return int(ix[k+1])
}

// walkFrom is walkIdx from the structural byte ix[k].
func (s *Scanner) walkFrom(k, depth int, objs uint64, limit int, key bool, ks *Keys) (x int, ok bool) {
	b, ix := s.b, s.x.ix
	last := len(ix) - 1 // the sentinel
	var end int         // the offset after the value just read
	for {
		if k >= last {
			return 0, false // truncated
		}
		p := int(ix[k])
		c := b[p]
		if key {
			// a key: its quotes are the next two offsets, then ':'
			if c != '"' || k+2 >= last || b[ix[k+2]] != ':' {
				return 0, false
			}
			q := int(ix[k+1])
			colon := int(ix[k+2])
			k += 3
			key = false
			// (the length filter of Keys.index first, here: most keys a
			// decoder skips fail it, without a call)
			if ks != nil && depth == 1 && ks.lens&(1<<min(q-p-1, 63)) != 0 {
				if x := ks.index(b[p+1 : q]); x >= 0 {
					at := colon + 1 // where walk leaves a value: after one space only right after "key":
					if colon == q+1 {
						at = afterColon(b, at)
					}
					s.pos, s.keyStart, s.keyEnd, s.x.cur, s.x.at = at, p+1, q, k, at
					return x, true
				}
			}
			continue
		}
		switch c {
		case '"':
			end = int(ix[k+1]) + 1
			k += 2
		case '{', '[':
			if depth >= limit {
				return 0, false
			}
			k++
			closer := byte(']')
			if c == '{' {
				closer = '}'
				objs |= 1 << depth
			} else {
				objs &^= 1 << depth
			}
			if k < last && b[ix[k]] == closer {
				end = int(ix[k]) + 1 // empty
				k++
				break
			}
			depth++
			key = c == '{'
			continue
		default:
			if end = scalarEnd(b, p, int(ix[k+1])); end < 0 {
				return 0, false
			}
			k++
		}
		// A value ended: close containers, or go on to the next member or
		// element.
		for {
			if depth == 0 {
				s.pos, s.x.cur, s.x.at = end, k, end
				return -1, true
			}
			if k >= last {
				return 0, false
			}
			obj := objs>>(depth-1)&1 == 1
			c := b[ix[k]]
			if c == ',' {
				k++
				key = obj
				break
			}
			if obj && c == '}' || !obj && c == ']' {
				end = int(ix[k]) + 1
				k++
				depth--
				continue
			}
			return 0, false
		}
	}
}

// scalarEnd returns the offset after the literal or number at p, which
// must be followed by white space alone up to lim (the next structural
// byte), or -1: what walk accepts as a scalar there.
func scalarEnd(b []byte, p, lim int) int {
	b = b[:lim]
	var i int
	switch b[p] {
	case 't':
		if p+4 > lim || string(b[p:p+4]) != "true" {
			return -1
		}
		i = p + 4
	case 'f':
		if p+5 > lim || string(b[p:p+5]) != "false" {
			return -1
		}
		i = p + 5
	case 'n':
		if p+4 > lim || string(b[p:p+4]) != "null" {
			return -1
		}
		i = p + 4
	default:
		// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
		i = p
		if b[i] == '-' {
			i++
		}
		switch {
		case i < lim && b[i] == '0':
			i++
		case i < lim && b[i]-'1' <= 8:
			i = digitsEnd(b, i+1)
		default:
			return -1
		}
		if i < lim && b[i] == '.' {
			j := digitsEnd(b, i+1)
			if j == i+1 {
				return -1
			}
			i = j
		}
		if i < lim && (b[i] == 'e' || b[i] == 'E') {
			i++
			if i < lim && (b[i] == '+' || b[i] == '-') {
				i++
			}
			j := digitsEnd(b, i)
			if j == i {
				return -1
			}
			i = j
		}
	}
	for j := i; j < lim; j++ {
		if c := b[j]; c != ' ' && c != '\n' && c != '\t' && c != '\r' {
			return -1
		}
	}
	return i
}

// nextKeyIdx is Iter.NextKey over the structural index, with its results;
// ok false leaves everything as it was, for NextKey's scalar loop.
func (it *Iter) nextKeyIdx(ks *Keys) (x int, ok bool) {
	s := it.s
	var k int
	if xi := s.x; xi.state == ixReady && s.pos == xi.at {
		k = xi.cur // where the last walk or string read left it: no search
	} else if k, ok = s.at(s.pos); !ok {
		return 0, false
	}
	b, ix := s.b, s.x.ix
	if k >= len(ix)-1 {
		return 0, false
	}
	switch b[ix[k]] {
	case '}':
		s.pos, s.x.cur, s.x.at = int(ix[k])+1, k+1, int(ix[k])+1
		s.depth--
		it.done = true
		return -1, true
	case ',':
		if it.n == 0 {
			return 0, false
		}
		k++
	default:
		if it.n > 0 {
			return 0, false
		}
	}
	key := true
	if k+2 < len(ix)-1 && b[ix[k]] == '"' && b[ix[k+2]] == ':' {
		// The key in place (walkFrom's key case, without the call): a kept
		// key returns here; after another, walkFrom starts at its value.
		// The kept-key lines repeat walkFrom's on purpose: a helper both
		// call (keepKey, not inlined) made the Stripe charge 3 % slower.
		p, q, colon := int(ix[k]), int(ix[k+1]), int(ix[k+2])
		if ks.lens&(1<<min(q-p-1, 63)) != 0 {
			if x := ks.index(b[p+1 : q]); x >= 0 {
				at := colon + 1
				if colon == q+1 {
					at = afterColon(b, at)
				}
				s.pos, s.keyStart, s.keyEnd, s.x.cur, s.x.at = at, p+1, q, k+3, at
				it.n++
				it.setKey(p+1, q)
				return x, true
			}
		}
		k, key = k+3, false
	}
	x, ok = s.walkFrom(k, 1, 1, MaxDepth-s.depth+1, key, ks)
	if !ok {
		return 0, false
	}
	it.n++
	if x >= 0 {
		it.setKey(s.keyStart, s.keyEnd)
		return x, true
	}
	s.depth--
	it.done = true
	return -1, true
}
