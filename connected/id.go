package connected

import (
	crand "crypto/rand"
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// uuidV7 generates RFC 9562 version 7 UUIDs (48-bit Unix milliseconds, then
// random bits) straight into a caller's buffer, without allocating.
// github.com/google/uuid's NewV7 allocates once per id (its reader escapes),
// which alone would use half of Track's two-allocation budget; the tests
// check every id with uuid.Parse. Randomness is a ChaCha8 stream seeded from
// crypto/rand, one per Client.
type uuidV7 struct {
	mu  sync.Mutex
	rng *rand.ChaCha8
}

func newUUIDV7() *uuidV7 {
	var seed [32]byte
	_, _ = crand.Read(seed[:]) // crypto/rand.Read never returns an error (Go 1.24+)
	return &uuidV7{rng: rand.NewChaCha8(seed)}
}

// appendID writes the canonical 36-character form of a new UUIDv7 for time t.
func (g *uuidV7) appendID(dst *[36]byte, t time.Time) {
	var u [16]byte
	ms := uint64(t.UnixMilli())
	u[0], u[1], u[2] = byte(ms>>40), byte(ms>>32), byte(ms>>24)
	u[3], u[4], u[5] = byte(ms>>16), byte(ms>>8), byte(ms)
	g.mu.Lock()
	r1, r2 := g.rng.Uint64(), g.rng.Uint64()
	g.mu.Unlock()
	binary.BigEndian.PutUint16(u[6:8], uint16(r1))
	binary.BigEndian.PutUint64(u[8:16], r2)
	u[6] = u[6]&0x0f | 0x70 // version 7
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	for i, b := range u {
		j := uuidPos[i]
		dst[j], dst[j+1] = hexDigits[b>>4], hexDigits[b&0xf]
	}
	dst[8], dst[13], dst[18], dst[23] = '-', '-', '-', '-'
}

// uuidPos is where each byte's two hex digits go in the 36-character form.
var uuidPos = [16]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

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
