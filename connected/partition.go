package connected

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
)

// pkPrefix domain-separates unkeyed partition-key hashes from other uses of
// SHA-256 over the same identifiers.
const pkPrefix = "touchpoint/partitionkey/v1\x00"

// PartitionKey returns the partition key for an identity: 32 hex characters,
// the first 16 bytes of HMAC-SHA256(secret, identity), or of
// SHA-256(domain prefix || identity) when secret is empty. The Client uses it
// with the event's userId (else anonymousId); identity middleware uses it
// with the canonical profile id. It never returns the identity itself.
//
// It builds the HMAC state on every call (about half a microsecond and
// eight allocations): code that keys many identities with one secret
// uses a PartitionKeyer, which gives the same keys.
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

// PartitionKeyer computes PartitionKey(secret, identity) for one secret as
// the Client computes its records' keys: with pooled HMAC states and a
// cache of recent identities' keys (a hit costs a string hash and a
// compare instead of a SHA-256 block). It is for code that keys records
// no Client emitted, one after the other — a consumer re-partitioning
// records rebuilt from a broker, say. A PartitionKeyer is safe for
// concurrent use and keeps its own copy of the secret.
type PartitionKeyer struct {
	k *keyer
}

// NewPartitionKeyer returns a PartitionKeyer for secret; an empty secret
// gives the unkeyed keys of PartitionKey(nil, identity).
func NewPartitionKeyer(secret []byte) *PartitionKeyer {
	if len(secret) == 0 {
		return &PartitionKeyer{k: newKeyer(nil)}
	}
	return &PartitionKeyer{k: newKeyer(append([]byte(nil), secret...))}
}

// Key returns identity's partition key: PartitionKey(secret, identity).
// It allocates the returned string only, when identity was keyed
// recently.
func (p *PartitionKeyer) Key(identity string) string { return p.k.key(identity) }

// unkeyed keys the records no Client emitted (Record.PartitionKeyFor),
// made on first use: its cache is 64 KiB.
var unkeyed = sync.OnceValue(func() *keyer { return newKeyer(nil) })

// keyer computes partition keys into a caller's buffer without allocating in
// steady state. Events of one identity come in runs (a session, a visit), so
// it remembers recent identities' keys in a 4-way set-associative cache: a
// hit costs a string hash and a compare or two instead of a SHA-256 (or
// HMAC) block; a miss computes the key and replaces a slot of the set (two
// allocations). Four ways keep a thousand active identities from evicting
// each other, which a direct-mapped cache of the same size does for about
// one in ten of them.
type keyer struct {
	secret []byte
	macs   sync.Pool // of hash.Hash (HMAC), when secret is set
	seed   maphash.Seed
	cache  [keyCacheSize]atomic.Pointer[cachedKey]
}

// keyCacheSize is the number of cache slots (a power of two), keyWays per
// set: 8192 slots, 64 KiB of pointers, keep a store's worth of active
// customers.
const (
	keyCacheSize = 8192
	keyWays      = 4
)

// cachedKey is one immutable cache entry.
type cachedKey struct {
	identity string
	hex      [32]byte
}

// set returns the first slot of identity's set and the hash.
func (k *keyer) set(identity string) (int, uint64) {
	h := maphash.String(k.seed, identity)
	return int(h&(keyCacheSize/keyWays-1)) * keyWays, h
}

// lookup copies identity's cached key into dst and reports whether it was
// there.
func (k *keyer) lookup(dst []byte, identity string) bool {
	s, _ := k.set(identity)
	for i := s; i < s+keyWays; i++ {
		if e := k.cache[i].Load(); e != nil && e.identity == identity {
			copy(dst, e.hex[:])
			return true
		}
	}
	return false
}

// remember caches the key just computed in dst for identity, in an empty
// slot of its set, else in one picked by the hash's high bits.
func (k *keyer) remember(dst []byte, identity string) {
	e := &cachedKey{identity: strings.Clone(identity)}
	copy(e.hex[:], dst)
	s, h := k.set(identity)
	victim := s + int(h>>62)
	for i := s; i < s+keyWays; i++ {
		if k.cache[i].Load() == nil {
			victim = i
			break
		}
	}
	k.cache[victim].Store(e)
}

// key returns identity's partition key, from the cache or computed (and
// then cached).
func (k *keyer) key(identity string) string {
	var dst [32]byte
	if !k.lookup(dst[:], identity) {
		in := k.appendInput(make([]byte, 0, len(pkPrefix)+len(identity)+32), identity)
		k.sum(dst[:], in)
		k.remember(dst[:], identity)
	}
	return string(dst[:])
}

func newKeyer(secret []byte) *keyer {
	k := &keyer{secret: secret, seed: maphash.MakeSeed()}
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
