package connected

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
)

// pkPrefix domain-separates unkeyed partition-key hashes from other uses of
// SHA-256 over the same identifiers.
const pkPrefix = "touchpoint/partitionkey/v1\x00"

// PartitionKey returns the partition key for an identity: 32 hex characters,
// the first 16 bytes of HMAC-SHA256(secret, identity), or of
// SHA-256(domain prefix || identity) when secret is empty. The Client uses it
// with the event's userId (else anonymousId); identity middleware uses it
// with the canonical profile id. It never returns the identity itself.
func PartitionKey(secret []byte, identity string) string {
	var sum [32]byte
	if len(secret) == 0 {
		sum = sha256.Sum256([]byte(pkPrefix + identity))
	} else {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(identity))
		m.Sum(sum[:0])
	}
	return hex.EncodeToString(sum[:16])
}

// keyer computes partition keys into a caller's buffer without allocating in
// steady state.
type keyer struct {
	secret []byte
	macs   sync.Pool // of hash.Hash (HMAC), when secret is set
}

func newKeyer(secret []byte) *keyer {
	k := &keyer{secret: secret}
	if len(secret) > 0 {
		k.macs.New = func() any { return hmac.New(sha256.New, secret) }
	}
	return k
}

// appendInput appends what is hashed for identity to scratch.
func (k *keyer) appendInput(scratch []byte, identity string) []byte {
	if len(k.secret) == 0 {
		scratch = append(scratch, pkPrefix...)
	}
	return append(scratch, identity...)
}

// sum hashes in (built by appendInput) and writes 32 hex characters into
// dst. The HMAC digest is appended to in's spare capacity, which callers keep
// at 32 bytes or more so that nothing allocates.
func (k *keyer) sum(dst []byte, in []byte) {
	if len(k.secret) == 0 {
		sum := sha256.Sum256(in)
		hex.Encode(dst, sum[:16])
		return
	}
	m := k.macs.Get().(hash.Hash)
	m.Reset()
	m.Write(in)
	out := m.Sum(in[len(in):])
	k.macs.Put(m)
	hex.Encode(dst, out[:16])
}
