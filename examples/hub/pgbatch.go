package main

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// batchStore is a fleet.Store whose writes are held, for each poll, and
// sent at its commit in one pgx batch — one round trip, run by
// PostgreSQL as one implicit transaction (a pipeline ended by one Sync) —
// and whose dedupe and tombstone checks are answered from one prefetch
// per poll (begin, one round trip). Only the instance's consuming
// goroutine calls its methods (a commit in flight holds what take
// returned, nothing of the store); Erase and Export use the plain store.
//
// A poll's commit: the shared advisory locks of every key of the poll in one
// statement, in one sorted order (an Erase takes them exclusive, in the
// same order, so the two never deadlock and a record's tombstone check
// and an Erase of its key serialise); the records in one statement, each
// inserted unless one of its keys is tombstoned (checked under the locks),
// ON CONFLICT DO NOTHING; the applied ids in one statement.
//
// Within a poll, a record queued for a key erased after the prefetch is
// still not filed (the insert is guarded by the tombstone, under the
// key's advisory lock), but its drop is not reported: the window is one
// poll's duration. A message id applied earlier in the same poll, or by
// the poll before (which may still be committing, so the prefetch cannot
// see it), is a duplicate.
type batchStore struct {
	*pgStore
	mu      sync.Mutex
	open    bool // between begin and end
	applied map[string]bool
	tombs   map[identity.Key]bool
	marks   []string
	recs    []fleet.Record
	recent  []string // the ids the last take returned (the poll before)
}

const (
	// sqlPrefetchApplied looks each id up by the primary key: a LATERAL
	// subquery with LIMIT 1 is a parameterized index probe per id that the
	// planner cannot turn into a join. With id = ANY($1), or a plain join
	// on unnest($1), it priced a poll's thousand probes above a sequential
	// scan (or a hash join) of fleet_applied, whose cost grows with the
	// table: 53 ms a poll at 162,000 ids, where the probes take 2 ms.
	sqlPrefetchApplied = `SELECT a.id FROM unnest($1::text[]) AS u(id)
		CROSS JOIN LATERAL (SELECT id FROM fleet_applied WHERE id = u.id LIMIT 1) a`
	sqlPrefetchTombs = `SELECT key FROM fleet_tombstones WHERE key = ANY($1::bytea[])`
	sqlLockShared    = `SELECT pg_advisory_xact_lock_shared(l) FROM unnest($1::bigint[]) AS l`
	// sqlPutRecords files a poll's records in one statement: $1 and $2 are
	// every (key, record number) pair, $3..$6 the records (id, kind, time,
	// body) in record-number order (1-based). A record with any key
	// tombstoned is left out whole. The body goes on the row of the
	// record's first key only (see pgStore.Read).
	sqlPutRecords = `WITH r AS (SELECT * FROM unnest($1::bytea[], $2::bigint[]) WITH ORDINALITY AS r(k, i, o)),
		erased AS (SELECT DISTINCT r.i FROM r JOIN fleet_tombstones ft ON ft.key = r.k),
		ks AS (SELECT i, array_agg(k ORDER BY o) AS keys, min(o) AS o1 FROM r GROUP BY i)
		INSERT INTO fleet_records (key, id, kind, t, body, keys)
		SELECT r.k, m.id, m.kind, m.t, CASE WHEN r.o = ks.o1 THEN m.body ELSE ''::bytea END, ks.keys
		FROM r JOIN unnest($3::text[], $4::text[], $5::timestamptz[], $6::bytea[]) WITH ORDINALITY AS m(id, kind, t, body, i) ON m.i = r.i
		JOIN ks ON ks.i = r.i
		WHERE r.i NOT IN (SELECT i FROM erased)
		ON CONFLICT DO NOTHING`
	sqlMarkApplied = `INSERT INTO fleet_applied (id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`
)

func (s *batchStore) begin(ctx context.Context, msgs []fleet.Message) error {
	ids := make([]string, 0, len(msgs))
	var keys []identity.Key
	for _, m := range msgs {
		ids = append(ids, m.ID)
		switch {
		case m.Link != nil:
			keys = appendKeys(keys, m.Link.IDs)
		case m.Consent != nil:
			keys = appendKeys(keys, m.Consent.Subject)
		case m.Touchpoint != nil:
			keys = appendKeys(keys, m.Touchpoint.Subject)
		case m.Membership != nil:
			keys = appendKeys(keys, m.Membership.Subject)
		case m.Action != nil:
			keys = appendKeys(keys, m.Action.Subject)
		}
	}
	applied := make(map[string]bool, len(ids))
	tombs := make(map[identity.Key]bool, len(keys))
	for _, k := range keys {
		tombs[k] = false
	}
	b := &pgx.Batch{}
	b.Queue(sqlPrefetchApplied, ids).Query(func(rows pgx.Rows) error {
		var id string
		_, err := pgx.ForEachRow(rows, []any{&id}, func() error { applied[id] = true; return nil })
		return err
	})
	b.Queue(sqlPrefetchTombs, keyBytes(keys)).Query(func(rows pgx.Rows) error {
		var kb []byte
		_, err := pgx.ForEachRow(rows, []any{&kb}, func() error {
			var k identity.Key
			copy(k[:], kb)
			tombs[k] = true
			return nil
		})
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	s.mu.Lock()
	for _, id := range s.recent {
		applied[id] = true
	}
	s.open, s.applied, s.tombs, s.marks, s.recs = true, applied, tombs, s.marks[:0], s.recs[:0]
	s.mu.Unlock()
	return nil
}

func appendKeys(dst []identity.Key, rs []identity.Ref) []identity.Key {
	for _, r := range rs {
		dst = append(dst, r.Key)
	}
	return dst
}

// held is what a part of a poll wrote to the batching store: records
// and applied ids, sent by queue.
type held struct {
	marks []string
	recs  []fleet.Record
}

// take returns what the poll held since begin or the last take, and
// clears it; the poll stays open (its prefetch and the ids it marked
// still answer Applied and Tombstoned).
func (s *batchStore) take() held {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := held{marks: s.marks, recs: s.recs}
	s.marks, s.recs, s.recent = nil, nil, h.marks
	return h
}

// queue appends h's writes to b (after the identity store's entries, when
// b holds them), to commit with them in one transaction (see batchStore).
func queue(b *pgx.Batch, h held) {
	if recs := h.recs; len(recs) > 0 {
		var locks []int64
		for i := range recs {
			for _, k := range recs[i].Keys {
				locks = append(locks, lockID(k))
			}
		}
		slices.Sort(locks)
		b.Queue(sqlLockShared, slices.Compact(locks))
		var (
			keys          [][]byte
			nums          []int64
			ids, kinds    = make([]string, len(recs)), make([]string, len(recs))
			times, bodies = make([]time.Time, len(recs)), make([][]byte, len(recs))
		)
		for i := range recs {
			r := &recs[i]
			for j := range r.Keys {
				keys = append(keys, r.Keys[j][:])
				nums = append(nums, int64(i+1))
			}
			ids[i], kinds[i], times[i], bodies[i] = r.ID, string(r.Kind), r.Time, r.Body
		}
		b.Queue(sqlPutRecords, keys, nums, ids, kinds, times, bodies)
	}
	if len(h.marks) > 0 {
		b.Queue(sqlMarkApplied, h.marks)
	}
}

// send sends b: PostgreSQL runs it as one implicit transaction.
func (s *batchStore) send(ctx context.Context, b *pgx.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	return s.pool.SendBatch(ctx, b).Close()
}

// end closes the poll (deferred after begin): what it held and did not
// take is dropped.
func (s *batchStore) end() {
	s.mu.Lock()
	s.open, s.applied, s.tombs = false, nil, nil
	s.marks, s.recs = s.marks[:0], s.recs[:0]
	s.mu.Unlock()
}

func (s *batchStore) Applied(ctx context.Context, id string) (bool, error) {
	s.mu.Lock()
	if s.open {
		ok := s.applied[id]
		s.mu.Unlock()
		return ok, nil
	}
	s.mu.Unlock()
	return s.pgStore.Applied(ctx, id)
}

func (s *batchStore) Tombstoned(ctx context.Context, keys []identity.Key) (bool, error) {
	s.mu.Lock()
	if s.open {
		known := true
		for _, k := range keys {
			t, ok := s.tombs[k]
			if t {
				s.mu.Unlock()
				return true, nil
			}
			known = known && ok
		}
		if known {
			s.mu.Unlock()
			return false, nil
		}
	}
	s.mu.Unlock()
	return s.pgStore.Tombstoned(ctx, keys)
}

// MarkApplied holds id until commit; a later message of the same poll
// with this id is then a duplicate.
func (s *batchStore) MarkApplied(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.open {
		return s.pgStore.MarkApplied(ctx, id)
	}
	s.marks = append(s.marks, id)
	s.applied[id] = true
	return nil
}

// Put holds rec until commit (rec.Body is retained: the hub encodes a new
// one per record).
func (s *batchStore) Put(ctx context.Context, rec fleet.Record) error {
	erased, err := s.Tombstoned(ctx, rec.Keys)
	if err != nil {
		return err
	}
	if erased {
		return &fleet.ErasedError{ID: rec.ID, Kind: rec.Kind}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.open {
		return s.pgStore.Put(ctx, rec)
	}
	rec.Keys = slices.Clone(rec.Keys)
	s.recs = append(s.recs, rec)
	return nil
}

// Erase is never batched.
func (s *batchStore) Erase(ctx context.Context, keys []identity.Key, at time.Time) (int, error) {
	return s.pgStore.Erase(ctx, keys, at)
}
