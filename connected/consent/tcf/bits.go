package tcf

// The TC string alphabet is base64url without padding. Each character holds
// six bits, most significant first; fields are big-endian and numbered left
// to right, so the string is read as one long bit string per segment.

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// sextet returns the 6-bit value of a base64url character, or 0xFF if c is
// not in the alphabet.
func sextet(c byte) byte {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A'
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26
	case c >= '0' && c <= '9':
		return c - '0' + 52
	case c == '-':
		return 62
	case c == '_':
		return 63
	}
	return 0xFF
}

// badChar returns the index of the first character of s outside the
// alphabet, or -1.
func badChar(s string) int {
	for i := 0; i < len(s); i++ {
		if sextet(s[i]) == 0xFF {
			return i
		}
	}
	return -1
}

// bitReader reads big-endian bit fields straight from a validated base64url
// segment, without decoding it into bytes first.
type bitReader struct {
	s   string // the segment; every character is in the alphabet
	pos int    // next bit
}

func (r *bitReader) len() int       { return 6 * len(r.s) }
func (r *bitReader) remaining() int { return r.len() - r.pos }

// read returns the next n bits (n <= 64) and false, without moving, if fewer
// than n remain.
func (r *bitReader) read(n int) (uint64, bool) {
	if n > r.remaining() {
		return 0, false
	}
	var v uint64
	for n > 0 {
		c := uint64(sextet(r.s[r.pos/6]))
		off := r.pos % 6
		take := 6 - off
		if take > n {
			take = n
		}
		v = v<<take | (c>>(6-off-take))&(1<<take-1)
		n -= take
		r.pos += take
	}
	return v, true
}

// restZero reports whether every bit from pos to the end is zero.
func (r *bitReader) restZero() bool {
	for r.pos%6 != 0 {
		if b, _ := r.read(1); b != 0 {
			return false
		}
	}
	for i := r.pos / 6; i < len(r.s); i++ {
		if r.s[i] != 'A' {
			return false
		}
	}
	return true
}

// bitWriter appends big-endian bit fields and renders them as base64url.
type bitWriter struct {
	out  []byte // rendered characters
	acc  uint64 // pending bits, fewer than 6
	nacc int
	bits int // total bits written
}

// write appends the low n bits of v (n <= 64).
func (w *bitWriter) write(v uint64, n int) {
	w.bits += n
	for n > 0 {
		take := 6 - w.nacc
		if take > n {
			take = n
		}
		w.acc = w.acc<<take | (v>>(n-take))&(1<<take-1)
		w.nacc += take
		n -= take
		if w.nacc == 6 {
			w.out = append(w.out, alphabet[w.acc])
			w.acc, w.nacc = 0, 0
		}
	}
}

func (w *bitWriter) bool(b bool) {
	if b {
		w.write(1, 1)
	} else {
		w.write(0, 1)
	}
}

// finish pads with zero bits to a multiple of 24 bits (four characters, as
// the IAB reference encoder does, so no "=" padding is ever needed) and
// returns the characters.
func (w *bitWriter) finish() []byte {
	if pad := (24 - w.bits%24) % 24; pad > 0 {
		w.write(0, pad)
	}
	return w.out
}
