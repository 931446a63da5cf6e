package gpp

// GPP sections use the base64url alphabet, six bits per character, fields
// big-endian and left to right, like TC strings; the header also uses
// Fibonacci-coded integers (Zeckendorf representation plus a final 1, so
// every code word ends in "11").

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

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func badChar(s string) int {
	for i := 0; i < len(s); i++ {
		if sextet(s[i]) == 0xFF {
			return i
		}
	}
	return -1
}

type bitReader struct {
	s   string
	pos int
}

func (r *bitReader) remaining() int { return 6*len(r.s) - r.pos }

func (r *bitReader) read(n int) (uint64, bool) {
	if n > r.remaining() {
		return 0, false
	}
	var v uint64
	for n > 0 {
		c := uint64(sextet(r.s[r.pos/6]))
		off := r.pos % 6
		take := min(6-off, n)
		v = v<<take | (c>>(6-off-take))&(1<<take-1)
		n -= take
		r.pos += take
	}
	return v, true
}

// maxFibBits bounds a Fibonacci code word: F(2)..F(41) sum past any id or
// offset this package accepts.
const maxFibBits = 40

// fib reads a Fibonacci-coded integer. ok is false when the input ends
// first; tooLong when no terminator came within maxFibBits.
func (r *bitReader) fib() (v int, ok, tooLong bool) {
	a, b := 1, 2 // F(i+2), F(i+3)
	prev := false
	for i := 0; i < maxFibBits; i++ {
		bit, ok := r.read(1)
		if !ok {
			return 0, false, false
		}
		if bit == 1 && prev {
			return v, true, false
		}
		if bit == 1 {
			v += a
		}
		prev = bit == 1
		a, b = b, a+b
	}
	return 0, true, true
}

func (r *bitReader) restZero() bool {
	for r.remaining() > 0 {
		if b, _ := r.read(1); b != 0 {
			return false
		}
	}
	return true
}

type bitWriter struct {
	out  []byte
	acc  uint64
	nacc int
	bits int
}

func (w *bitWriter) write(v uint64, n int) {
	w.bits += n
	for n > 0 {
		take := min(6-w.nacc, n)
		w.acc = w.acc<<take | (v>>(n-take))&(1<<take-1)
		w.nacc += take
		n -= take
		if w.nacc == 6 {
			w.out = append(w.out, alphabet[w.acc])
			w.acc, w.nacc = 0, 0
		}
	}
}

// fib writes v >= 1 as a Fibonacci code word.
func (w *bitWriter) fib(v int) {
	var fibs []int
	for a, b := 1, 2; a <= v; a, b = b, a+b {
		fibs = append(fibs, a)
	}
	bits := make([]bool, len(fibs))
	for i := len(fibs) - 1; i >= 0 && v > 0; i-- {
		if fibs[i] <= v {
			bits[i] = true
			v -= fibs[i]
		}
	}
	for _, b := range bits {
		if b {
			w.write(1, 1)
		} else {
			w.write(0, 1)
		}
	}
	w.write(1, 1)
}

// finish pads with zero bits to a whole byte, then to a whole character:
// the IAB reference library's output (the specification's full-string
// examples, "DBABMA", "DBACNYA"). Decoders accept any zero padding.
func (w *bitWriter) finish() []byte {
	if pad := (8 - w.bits%8) % 8; pad > 0 {
		w.write(0, pad)
	}
	if w.nacc > 0 {
		w.write(0, 6-w.nacc)
	}
	return w.out
}
