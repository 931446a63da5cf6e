package connected

import (
	"encoding/binary"
	"math/rand/v2"
	"unicode"
	"unicode/utf8"
)

// appendUUIDV7 writes the canonical 36-character form of a new RFC 9562
// version 7 UUID for the Unix millisecond ms: 48 bits of time, then 74
// random bits (rand_a and rand_b), without allocating.
// github.com/google/uuid's NewV7 allocates once per id (its reader escapes)
// and takes a global lock; the tests check every id with uuid.Parse.
//
// The random bits come from math/rand/v2's top-level generator: a ChaCha8
// stream per thread, seeded by the runtime from the operating system's
// randomness and never seedable by a program. It takes no lock, so
// concurrent callers do not contend, and every Client of the process
// draws from the same streams.
func appendUUIDV7(dst *[36]byte, ms int64) {
	hi := uint64(ms)<<16 | 0x7000 | rand.Uint64()&0x0fff        // time, version 7, rand_a
	lo := 0x8000000000000000 | rand.Uint64()&0x3fffffffffffffff // RFC 9562 variant, rand_b
	formatUUID(dst, hi, lo)
}

// formatUUID writes the UUID whose bytes are hi and lo, big-endian, in its
// canonical form (8-4-4-4-12 lower-case hex digits).
func formatUUID(dst *[36]byte, hi, lo uint64) {
	binary.BigEndian.PutUint64(dst[0:8], hex8(uint32(hi>>32)))
	h := hex8(uint32(hi))
	binary.BigEndian.PutUint32(dst[9:13], uint32(h>>32))
	binary.BigEndian.PutUint32(dst[14:18], uint32(h))
	h = hex8(uint32(lo >> 32))
	binary.BigEndian.PutUint32(dst[19:23], uint32(h>>32))
	binary.BigEndian.PutUint32(dst[24:28], uint32(h))
	binary.BigEndian.PutUint64(dst[28:36], hex8(uint32(lo)))
	dst[8], dst[13], dst[18], dst[23] = '-', '-', '-', '-'
}

// hex8 returns v's eight lower-case hex digits as the bytes of a uint64,
// the first digit in the most significant byte: each nibble is spread
// into a byte of its own, then turned into '0'..'9' or 'a'..'f' in every
// byte at once.
func hex8(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000ffff0000ffff
	x = (x | x<<8) & 0x00ff00ff00ff00ff
	x = (x | x<<4) & 0x0f0f0f0f0f0f0f0f
	letters := (x + 0x0606060606060606) >> 4 & 0x0101010101010101 // 1 where the digit is 10 or more
	return x + 0x3030303030303030 + letters*('a'-'0'-10)
}

// MaxMessageIDLength is the most characters (Unicode code points) a
// messageId may have: Segment's limit, which every destination inherits.
const MaxMessageIDLength = 100

// checkMessageID validates a caller-supplied message id (Event.MessageID, an
// id from WithIDGenerator, or a Record's ID): it is the dedupe key in
// Segment, the CloudEvents id and the JetStream Nats-Msg-Id, so it must
// survive every one of them unchanged. It must be non-empty valid UTF-8 of at
// most MaxMessageIDLength characters, with no control characters (C0, DEL,
// C1) and no leading or trailing white space. The error is a
// *ValidationError for field "messageId" saying what is wrong and where.
func checkMessageID(id string) error {
	if id == "" {
		return fieldError("messageId", "is empty")
	}
	n := 0
	for i, r := range id {
		switch {
		case r == utf8.RuneError && isInvalidAt(id, i):
			return fieldError("messageId", "is not valid UTF-8 (byte "+itoa(i)+")")
		case r < 0x20 || r >= 0x7f && r <= 0x9f:
			return fieldError("messageId", "contains control character "+runeName(r)+" at byte "+itoa(i))
		}
		n++
	}
	if n > MaxMessageIDLength {
		return fieldError("messageId", "has "+itoa(n)+" characters; the limit is "+itoa(MaxMessageIDLength)+" (Segment's)")
	}
	first, _ := utf8.DecodeRuneInString(id)
	last, _ := utf8.DecodeLastRuneInString(id)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return fieldError("messageId", "has leading or trailing white space: \""+sanitize(id)+"\"")
	}
	return nil
}

// isInvalidAt reports whether the RuneError decoded at s[i:] is an invalid
// byte rather than an encoded U+FFFD.
func isInvalidAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size == 1
}

// runeName formats r as U+XXXX.
func runeName(r rune) string {
	const hex = "0123456789ABCDEF"
	return "U+" + string([]byte{hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf]})
}
