package fleet

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// Record is one applied message as a Store keeps it: under each of its
// subject keys, with its encoded bytes (the fleet wire format).
type Record struct {
	Keys []identity.Key // the subject keys it is filed under
	ID   string         // the message id: Put is idempotent on it
	Kind Kind
	Time time.Time
	Body []byte // Encode's output
}

// Store is the hub's state besides the identity graph: applied message
// ids (dedupe), records by subject key, and tombstones. MemStore keeps it
// in memory; examples/hub keeps it in PostgreSQL. Every method is safe for
// concurrent use, honours ctx, and reports the store's error; when it
// returns nil the write is as durable as the store promises.
type Store interface {
	// Applied reports whether MarkApplied was called for id.
	Applied(ctx context.Context, id string) (bool, error)
	// MarkApplied records that the message id was applied.
	MarkApplied(ctx context.Context, id string) error
	// Put files rec under each of its keys that does not already hold a
	// record with its id: putting the same record again changes nothing,
	// and a key filed before keeps the copy it has (the same id with a new
	// key is filed under that key too). If any key is tombstoned it stores nothing and
	// returns an *ErasedError — atomically with respect to Erase, so a
	// record is never filed under a key erased before it.
	Put(ctx context.Context, rec Record) error
	// Read calls fn once for every record filed under any of keys, in
	// time order (then id). fn must not retain rec.Body.
	Read(ctx context.Context, keys []identity.Key, fn func(rec Record) error) error
	// Erase tombstones keys at at, then deletes every record filed under
	// them, and returns how many records it deleted. Tombstones are kept
	// forever (they are keyed hashes of keyed hashes of nothing else).
	Erase(ctx context.Context, keys []identity.Key, at time.Time) (int, error)
	// Tombstoned reports whether any of keys carries a tombstone.
	Tombstoned(ctx context.Context, keys []identity.Key) (bool, error)
}

// MemStore is the in-memory Store (tests, a single-process hub). It is
// safe for concurrent use; Put and Erase hold one lock, so the tombstone
// check in Put is atomic with Erase.
type MemStore struct {
	mu      sync.Mutex
	applied map[string]struct{}
	byKey   map[identity.Key]map[string]*Record
	tombs   map[identity.Key]time.Time
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{applied: map[string]struct{}{}, byKey: map[identity.Key]map[string]*Record{}, tombs: map[identity.Key]time.Time{}}
}

// Applied implements Store.
func (s *MemStore) Applied(ctx context.Context, id string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.applied[id]
	return ok, nil
}

// MarkApplied implements Store.
func (s *MemStore) MarkApplied(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.applied[id] = struct{}{}
	s.mu.Unlock()
	return nil
}

// Put implements Store.
func (s *MemStore) Put(ctx context.Context, rec Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range rec.Keys {
		if _, ok := s.tombs[k]; ok {
			return &ErasedError{ID: rec.ID, Kind: rec.Kind}
		}
	}
	c := &Record{Keys: slices.Clone(rec.Keys), ID: rec.ID, Kind: rec.Kind, Time: rec.Time, Body: slices.Clone(rec.Body)}
	for _, k := range rec.Keys {
		m := s.byKey[k]
		if m == nil {
			m = map[string]*Record{}
			s.byKey[k] = m
		}
		if _, ok := m[rec.ID]; !ok {
			m[rec.ID] = c
		}
	}
	return nil
}

// Read implements Store.
func (s *MemStore) Read(ctx context.Context, keys []identity.Key, fn func(Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	seen := map[string]bool{}
	var out []*Record
	for _, k := range keys {
		for id, r := range s.byKey[k] {
			if !seen[id] {
				seen[id] = true
				out = append(out, r)
			}
		}
	}
	s.mu.Unlock()
	sortRecords(out)
	for _, r := range out {
		if err := fn(*r); err != nil {
			return err
		}
	}
	return nil
}

func sortRecords(rs []*Record) {
	slices.SortFunc(rs, func(a, b *Record) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
}

// Erase implements Store.
func (s *MemStore) Erase(ctx context.Context, keys []identity.Key, at time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, k := range keys {
		if _, ok := s.tombs[k]; !ok {
			s.tombs[k] = at
		}
	}
	for _, k := range keys {
		for id, r := range s.byKey[k] {
			n++
			for _, other := range r.Keys {
				if other != k {
					delete(s.byKey[other], id)
				}
			}
		}
		delete(s.byKey, k)
	}
	return n, nil
}

// Tombstoned implements Store.
func (s *MemStore) Tombstoned(ctx context.Context, keys []identity.Key) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if _, ok := s.tombs[k]; ok {
			return true, nil
		}
	}
	return false, nil
}
