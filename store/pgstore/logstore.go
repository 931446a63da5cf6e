package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// logStore is the one implementation behind the three stores: a snapshot
// and a log of records, in touchpoint_snapshot and touchpoint_log.
//
// Several writers (processes, or store instances on other pools) may share
// a store. Appends serialize on the store's row in touchpoint_stores,
// which hands out log sequence numbers in commit order, so a Load (one
// repeatable-read transaction) sees every record up to the head it reads
// and none after. Compact replaces the snapshot and deletes only the log
// records this instance has seen — those up to the head of its Load, and
// its own — so another writer's records appended since stay in the log; it
// refuses (ErrConflict) if someone else compacted after this instance's
// Load, since the other snapshot may hold records this one never saw.
type logStore struct {
	db     *DB
	kind   string
	name   string
	id     int64
	ad     []byte   // additional data of sealed records
	writer [16]byte // this instance's id in touchpoint_log.writer

	// guardFirst: the first Append after loading an empty store must find
	// it still empty (the consent ledger writes a random key first, and two
	// ledgers must not write two).
	guardFirst bool

	mu         sync.Mutex
	closed     bool
	head       int64 // the head seen by the last Load
	gen        int64 // the generation seen by the last Load (or made by Compact)
	empty      bool  // the last Load found no record at all
	wrote      bool  // an Append succeeded since the last Load
	batchDepth int
	buf        [][]byte  // sealed records held by Batch
	inflight   int       // batches PrepareBatch returned whose done was not called
	settled    sync.Cond // on mu: inflight went to 0
	diverged   error
}

func newLogStore(db *DB, kind, name string, id int64, guardFirst bool) *logStore {
	s := &logStore{db: db, kind: kind, name: name, id: id, guardFirst: guardFirst}
	s.ad = []byte("touchpoint/pgstore\x00" + kind + "\x00" + name)
	s.settled.L = &s.mu
	rand.Read(s.writer[:])
	s.writer[6] = s.writer[6]&0x0f | 0x40 // a version 4 UUID
	s.writer[8] = s.writer[8]&0x3f | 0x80
	return s
}

func (s *logStore) fail(record, reason string, err error) error {
	return &StoreError{Kind: s.kind, Name: s.name, Record: record, Reason: reason, Err: err}
}

func (s *logStore) check() error {
	if s.closed {
		return ErrClosed
	}
	return s.diverged
}

// open unseals a stored record.
func (s *logStore) open(b []byte, where string) ([]byte, error) {
	if s.db.seal == nil {
		return b, nil
	}
	rec, err := s.db.seal.open(s.ad, b)
	if err != nil {
		return nil, s.fail(where, err.Error(), ErrCorrupt)
	}
	return rec, nil
}

// sealOne returns a sealed copy of rec (a plain copy with WithPlaintext).
func (s *logStore) sealOne(rec []byte) []byte {
	if s.db.seal == nil {
		return slices.Clone(rec)
	}
	return s.db.seal.seal(s.ad, rec)
}

// sealAll copies recs, sealed.
func (s *logStore) sealAll(recs [][]byte) [][]byte {
	out := make([][]byte, len(recs))
	for i, r := range recs {
		out[i] = s.sealOne(r)
	}
	return out
}

// load reads the snapshot, then the log, in one repeatable-read
// transaction.
func (s *logStore) load(ctx context.Context, snapshot, log func([]byte) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	tx, err := s.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return s.fail("", "load", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var head, gen int64
	if err := tx.QueryRow(ctx, "SELECT head, generation FROM touchpoint_stores WHERE id = $1", s.id).Scan(&head, &gen); err != nil {
		return s.fail("", "load", err)
	}
	n := 0
	each := func(what string, fn func([]byte) error, sql string, args ...any) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return s.fail("", "load", err)
		}
		defer rows.Close()
		var (
			pos     int64
			b       []byte
			entries int32
		)
		for rows.Next() {
			if err := rows.Scan(&pos, &b, &entries); err != nil {
				return s.fail("", "load", err)
			}
			if entries < 1 {
				return s.fail(fmt.Sprint(what, " ", pos), errPack.Error(), ErrCorrupt)
			}
			err := unpack(b, int(entries), func(i int, b []byte) error {
				where := fmt.Sprint(what, " ", pos)
				if entries > 1 {
					where = fmt.Sprint(what, " ", pos, " record ", i+1, " of ", entries)
				}
				rec, err := s.open(b, where)
				if err != nil {
					return err
				}
				n++
				return fn(rec)
			})
			if errors.Is(err, errPack) {
				return s.fail(fmt.Sprint(what, " ", pos), errPack.Error(), ErrCorrupt)
			}
			if err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return s.fail("", "load", err)
		}
		return nil
	}
	if err := each("snapshot", snapshot, "SELECT pos::bigint, rec, 1 FROM touchpoint_snapshot WHERE store_id = $1 ORDER BY pos", s.id); err != nil {
		return err
	}
	if err := each("log", log, "SELECT seq, rec, entries FROM touchpoint_log WHERE store_id = $1 AND seq <= $2 ORDER BY seq", s.id, head); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return s.fail("", "load", err)
	}
	s.head, s.gen, s.empty, s.wrote = head, gen, n == 0, false
	return nil
}

// appendRecs writes records ahead, or holds them during a Batch.
func (s *logStore) appendRecs(ctx context.Context, recs [][]byte) error {
	if len(recs) == 0 {
		return nil
	}
	sealed := s.sealAll(recs)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	if s.batchDepth > 0 {
		s.buf = append(s.buf, sealed...)
		return nil
	}
	return s.write(ctx, sealed)
}

// writeChunk bounds the rows of one INSERT.
const writeChunk = 4096

// packMax bounds the records of one log row (see pack).
const packMax = 256

// sqlAppend takes the next sequence numbers from the store's row (locking
// it until commit) and inserts the rows with them: $5 the rows (a record,
// or a pack), $6 how many records each holds.
const sqlAppend = `WITH h AS (
		UPDATE touchpoint_stores SET head = head + $2
		WHERE id = $1 AND (NOT $4::boolean OR (head = 0 AND generation = 0))
		RETURNING head)
	INSERT INTO touchpoint_log (store_id, seq, writer, rec, entries)
	SELECT $1, h.head - $2 + r.ord, $3, r.rec, r.n
	FROM h CROSS JOIN unnest($5::bytea[], $6::integer[]) WITH ORDINALITY AS r(rec, n, ord)`

// pack groups sealed records into log rows of up to packMax records: a
// row of one record is the record; a row of several, a pack — each
// record after its length as a uvarint (schema version 2). counts[i] is
// how many records rows[i] holds. Records are appended in order, so the
// log keeps their order.
func pack(recs [][]byte) (rows [][]byte, counts []int32) {
	for c := range slices.Chunk(recs, packMax) {
		if len(c) == 1 {
			rows, counts = append(rows, c[0]), append(counts, 1)
			continue
		}
		n := 0
		for _, r := range c {
			n += binary.MaxVarintLen32 + len(r)
		}
		p := make([]byte, 0, n)
		for _, r := range c {
			p = binary.AppendUvarint(p, uint64(len(r)))
			p = append(p, r...)
		}
		rows, counts = append(rows, p), append(counts, int32(len(c)))
	}
	return rows, counts
}

// unpack calls fn for each of the n records of a log row, in order; it
// returns errPack when the row is not a pack of n records.
func unpack(row []byte, n int, fn func(i int, rec []byte) error) error {
	if n == 1 {
		return fn(0, row)
	}
	for i := range n {
		l, w := binary.Uvarint(row)
		if w <= 0 || l > uint64(len(row)-w) || w != max(1, (bits.Len64(l)+6)/7) { // the minimal form pack writes
			return errPack
		}
		if err := fn(i, row[w:w+int(l)]); err != nil {
			return err
		}
		row = row[w+int(l):]
	}
	if len(row) != 0 {
		return errPack
	}
	return nil
}

var errPack = errors.New("a log row that is not the pack of records it says")

// write appends sealed records as one unit; mu is held. Each statement
// is sqlAppend.
func (s *logStore) write(ctx context.Context, recs [][]byte) error {
	s.settle()
	guard := s.guardFirst && s.empty && !s.wrote
	rows, counts := pack(recs)
	if len(rows) <= writeChunk {
		tag, err := s.db.pool.Exec(ctx, sqlAppend, s.id, int64(len(rows)), s.writer, guard, rows, counts)
		if err != nil {
			return s.fail("", "append", err)
		}
		if tag.RowsAffected() != int64(len(rows)) {
			return s.fail("", "another writer wrote the first record of the store this one loaded empty", ErrConflict)
		}
		s.wrote = true
		return nil
	}
	tx, err := s.db.pool.Begin(ctx)
	if err != nil {
		return s.fail("", "append", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	for lo := 0; lo < len(rows); lo += writeChunk {
		hi := min(lo+writeChunk, len(rows))
		tag, err := tx.Exec(ctx, sqlAppend, s.id, int64(hi-lo), s.writer, guard, rows[lo:hi], counts[lo:hi])
		if err != nil {
			return s.fail("", "append", err)
		}
		if tag.RowsAffected() != int64(hi-lo) {
			return s.fail("", "another writer wrote the first record of the store this one loaded empty", ErrConflict)
		}
		guard = false
	}
	if err := tx.Commit(ctx); err != nil {
		return s.fail("", "append", err)
	}
	s.wrote = true
	return nil
}

// compact replaces the snapshot with what fill emits (see logStore).
func (s *logStore) compact(ctx context.Context, fill func(emit func([]byte) error) error) error {
	// fill may reuse the slice it emits: each record is sealed (copied) at
	// once.
	var snap [][]byte
	if err := fill(func(r []byte) error { snap = append(snap, s.sealOne(r)); return nil }); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	s.settle()
	if len(s.buf) > 0 { // a Compact inside a Batch: what the batch holds goes first
		buf := s.buf
		s.buf = nil
		if err := s.write(ctx, buf); err != nil {
			s.diverged = s.fail("", "batch", ErrDiverged)
			return errors.Join(s.diverged, err)
		}
	}
	tx, err := s.db.pool.Begin(ctx)
	if err != nil {
		return s.fail("", "compact", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var gen int64
	if err := tx.QueryRow(ctx, "SELECT generation FROM touchpoint_stores WHERE id = $1 FOR UPDATE", s.id).Scan(&gen); err != nil {
		return s.fail("", "compact", err)
	}
	if gen != s.gen {
		return s.fail("", fmt.Sprintf("compacted by another writer since this one loaded (generation %d, loaded %d)", gen, s.gen), ErrConflict)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM touchpoint_snapshot WHERE store_id = $1", s.id); err != nil {
		return s.fail("", "compact", err)
	}
	for i, c := 0, slices.Collect(slices.Chunk(snap, writeChunk)); i < len(c); i++ {
		if _, err := tx.Exec(ctx, `INSERT INTO touchpoint_snapshot (store_id, pos, rec)
			SELECT $1, $2 + r.ord, r.rec FROM unnest($3::bytea[]) WITH ORDINALITY AS r(rec, ord)`,
			s.id, int64(i*writeChunk), c[i]); err != nil {
			return s.fail("", "compact", err)
		}
	}
	if _, err := tx.Exec(ctx, "DELETE FROM touchpoint_log WHERE store_id = $1 AND (seq <= $2 OR writer = $3)", s.id, s.head, s.writer); err != nil {
		return s.fail("", "compact", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE touchpoint_stores SET generation = generation + 1, compacted_at = now() WHERE id = $1", s.id); err != nil {
		return s.fail("", "compact", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return s.fail("", "compact", err)
	}
	s.gen++
	return nil
}

// settle waits, with mu held, until every batch PrepareBatch returned is
// done, so that a write outside them lands after them, in the order the
// graph applied the entries.
func (s *logStore) settle() {
	for s.inflight > 0 {
		s.settled.Wait()
	}
}

// batch runs fn with Appends held in memory, then writes them as one unit.
func (s *logStore) batch(ctx context.Context, fn func(ctx context.Context) error) error {
	s.mu.Lock()
	if err := s.check(); err != nil {
		s.mu.Unlock()
		return err
	}
	s.batchDepth++
	s.mu.Unlock()
	ferr := fn(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batchDepth--
	if s.batchDepth > 0 || len(s.buf) == 0 {
		return ferr
	}
	buf := s.buf
	s.buf = nil
	if s.closed {
		s.diverged = s.fail("", fmt.Sprintf("closed during a batch of %d records", len(buf)), ErrDiverged)
		return errors.Join(ferr, s.diverged)
	}
	if err := s.write(ctx, buf); err != nil {
		s.diverged = s.fail("", fmt.Sprintf("%d records not written", len(buf)), ErrDiverged)
		return errors.Join(ferr, s.diverged, err)
	}
	return ferr
}

// batchIn is batch with the write queued on a pgx.Batch that send sends
// with the caller's statements after it (see IdentityStore.BatchIn).
func (s *logStore) batchIn(ctx context.Context, fn func(ctx context.Context) error, send func(ctx context.Context, b *pgx.Batch) error) error {
	b, done, err := s.prepareBatch(ctx, fn)
	if err != nil {
		return err
	}
	return done(send(ctx, b))
}

// prepareBatch runs fn with Appends held, then returns the statements
// that append them on a new pgx.Batch, and done, to be called once with
// the result of sending it (see IdentityStore.PrepareBatch). If fn fails,
// what it appended is written on its own, as batch does, and fn's error
// is returned.
func (s *logStore) prepareBatch(ctx context.Context, fn func(ctx context.Context) error) (*pgx.Batch, func(sendErr error) error, error) {
	s.mu.Lock()
	if err := s.check(); err != nil {
		s.mu.Unlock()
		return nil, nil, err
	}
	if s.batchDepth > 0 {
		s.mu.Unlock()
		return nil, nil, s.fail("", "BatchIn or PrepareBatch inside a batch", ErrNested)
	}
	s.batchDepth++
	s.mu.Unlock()
	ferr := fn(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batchDepth--
	buf := s.buf
	s.buf = nil
	if ferr != nil { // what fn appended is written on its own, as batch does
		if len(buf) == 0 {
			return nil, nil, ferr
		}
		if s.closed {
			s.diverged = s.fail("", fmt.Sprintf("closed during a batch of %d records", len(buf)), ErrDiverged)
			return nil, nil, errors.Join(ferr, s.diverged)
		}
		if err := s.write(ctx, buf); err != nil {
			s.diverged = s.fail("", fmt.Sprintf("%d records not written", len(buf)), ErrDiverged)
			return nil, nil, errors.Join(ferr, s.diverged, err)
		}
		return nil, nil, ferr
	}
	if s.closed && len(buf) > 0 {
		s.diverged = s.fail("", fmt.Sprintf("closed during a batch of %d records", len(buf)), ErrDiverged)
		return nil, nil, s.diverged
	}
	b := &pgx.Batch{}
	guard := s.guardFirst && s.empty && !s.wrote
	var short atomic.Bool // set while the batch's results are read, read by done
	rows, counts := pack(buf)
	for lo := 0; lo < len(rows); lo += writeChunk {
		hi := min(lo+writeChunk, len(rows))
		want := int64(hi - lo)
		b.Queue(sqlAppend, s.id, want, s.writer, guard, rows[lo:hi], counts[lo:hi]).Exec(func(tag pgconn.CommandTag) error {
			if tag.RowsAffected() != want {
				short.Store(true)
				return s.fail("", "another writer wrote the first record of the store this one loaded empty", ErrConflict)
			}
			return nil
		})
		guard = false
	}
	if len(buf) > 0 {
		// A batch prepared before this one is sent must not guard the
		// first record again; if this one fails, the store is diverged.
		s.wrote = true
		s.inflight++
	}
	var once atomic.Bool
	done := func(err error) error {
		if !once.CompareAndSwap(false, true) || len(buf) == 0 {
			return err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.inflight--; s.inflight == 0 {
			s.settled.Broadcast()
		}
		if err == nil && !short.Load() {
			return nil
		}
		s.diverged = s.fail("", fmt.Sprintf("%d records not written", len(buf)), ErrDiverged)
		return errors.Join(s.diverged, err)
	}
	return b, done, nil
}

func (s *logStore) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}
