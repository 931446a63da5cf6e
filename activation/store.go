package activation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/internal/durable"
)

// Store keeps an engine's state: a snapshot and the records appended
// since. The engine writes every change ahead (Append) before it returns
// the outputs the change caused, and rebuilds itself with Load on New.
// Records are opaque to the store and belong to the caller during each
// call (a store copies what it keeps).
type Store interface {
	// Load calls snapshot for each snapshot record, then log for each
	// record appended since, in order.
	Load(ctx context.Context, snapshot, log func(rec []byte) error) error
	// Append writes records durably, in order, as one unit.
	Append(ctx context.Context, recs ...[]byte) error
	// Compact replaces the snapshot with what fill emits and empties the log.
	Compact(ctx context.Context, fill func(emit func(rec []byte) error) error) error
	// Close releases the store.
	Close() error
}

// MemStore is a Store in memory: state survives an engine, not a process.
// It is safe for concurrent use.
type MemStore struct {
	mu   sync.Mutex
	snap [][]byte
	log  [][]byte
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{} }

// Load implements Store.
func (m *MemStore) Load(ctx context.Context, snapshot, log func([]byte) error) error {
	m.mu.Lock()
	snap, lg := slices.Clone(m.snap), slices.Clone(m.log)
	m.mu.Unlock()
	for _, r := range snap {
		if err := snapshot(r); err != nil {
			return err
		}
	}
	for _, r := range lg {
		if err := log(r); err != nil {
			return err
		}
	}
	return nil
}

// Append implements Store.
func (m *MemStore) Append(_ context.Context, recs ...[]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		m.log = append(m.log, slices.Clone(r))
	}
	return nil
}

// Compact implements Store.
func (m *MemStore) Compact(_ context.Context, fill func(emit func([]byte) error) error) error {
	var snap [][]byte
	if err := fill(func(r []byte) error { snap = append(snap, slices.Clone(r)); return nil }); err != nil {
		return err
	}
	m.mu.Lock()
	m.snap, m.log = snap, nil
	m.mu.Unlock()
	return nil
}

// Close implements Store; a MemStore keeps its contents (a new engine may
// load them).
func (m *MemStore) Close() error { return nil }

// Len returns the number of snapshot and log records.
func (m *MemStore) Len() (snapshot, log int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.snap), len(m.log)
}

// FileStore is the crash-safe local Store: a directory with a snapshot and
// an append-only log (package internal/durable, shared with identity and
// the consent ledger): checksummed frames, one fsync per Append (unless
// WithoutSync), a torn tail cut and reported on open (WithTruncateHandler,
// TruncatedBytes), an exclusive flock (a second opener gets an error
// matching ErrStoreLocked), a schema version in every header. A corrupt
// snapshot or log header is a *FormatError (ErrCorrupt); calls after Close
// return ErrClosed. It is safe for concurrent use.
type FileStore struct {
	st        *durable.Store
	dir       string
	truncated int64
}

// FileStoreSchema is the schema version of the records FileStore holds.
const FileStoreSchema = 2

// ErrStoreLocked is matched by the error OpenFileStore returns when
// another FileStore, in this process or another, has the directory open.
var ErrStoreLocked = errors.New("activation: state directory is locked by another file store")

// FileStoreOption configures OpenFileStore.
type FileStoreOption func(*fileConfig)

type fileConfig struct {
	cfg        durable.Config
	onTruncate func(cut int64, cause error)
}

// WithoutSync skips fsync: records survive a process kill, not a power
// loss (tests, benchmarks).
func WithoutSync() FileStoreOption { return func(c *fileConfig) { c.cfg.Sync = durable.SyncNever } }

// WithTruncateHandler calls fn, during OpenFileStore, when the log ended
// in a torn or corrupt frame (a crash mid-append) that was cut off: cut is
// the number of bytes removed and cause the *FormatError found there.
// What was lost is reported, never dropped silently; TruncatedBytes keeps
// the count.
func WithTruncateHandler(fn func(cut int64, cause error)) FileStoreOption {
	return func(c *fileConfig) { c.onTruncate = fn }
}

// OpenFileStore opens (creating) the store in dir. It returns an error
// matching ErrStoreLocked when another FileStore has dir open, a
// *FormatError for a snapshot or log header it cannot read, or the I/O
// error.
func OpenFileStore(dir string, opts ...FileStoreOption) (*FileStore, error) {
	c := fileConfig{cfg: durable.Config{Name: "TPAC", Ext: "tpac", Schema: FileStoreSchema}}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("activation: OpenFileStore: nil FileStoreOption")
		}
		o(&c)
	}
	st, err := durable.Open(dir, c.cfg)
	if err != nil {
		return nil, storeErr(err, dir)
	}
	f := &FileStore{st: st, dir: dir}
	if rc := st.Recovery(); rc.Bytes > 0 {
		f.truncated = rc.Bytes
		if c.onTruncate != nil {
			c.onTruncate(rc.Bytes, storeErr(rc.Cause, dir))
		}
	}
	return f, nil
}

// storeErr turns the shared store's errors into this package's.
func storeErr(err error, dir string) error {
	var fe *durable.FormatError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return &FormatError{Reason: fmt.Sprintf("%s file at offset %d: %v", fe.File, fe.Offset, fe.Err)}
	case errors.Is(err, durable.ErrLocked):
		return fmt.Errorf("activation: open file store %s: %w", dir, ErrStoreLocked)
	case errors.Is(err, durable.ErrClosed):
		return ErrClosed
	}
	return err
}

// Load implements Store.
func (f *FileStore) Load(ctx context.Context, snapshot, log func([]byte) error) error {
	return storeErr(f.st.Replay(ctx, snapshot, log), f.dir)
}

// Append implements Store.
func (f *FileStore) Append(ctx context.Context, recs ...[]byte) error {
	return storeErr(f.st.Append(ctx, recs...), f.dir)
}

// Compact implements Store.
func (f *FileStore) Compact(ctx context.Context, fill func(emit func([]byte) error) error) error {
	return storeErr(f.st.Compact(ctx, fill), f.dir)
}

// Close implements Store.
func (f *FileStore) Close() error { return storeErr(f.st.Close(), f.dir) }

// TruncatedBytes reports how many bytes of a torn or corrupt log tail
// OpenFileStore cut off (0: none).
func (f *FileStore) TruncatedBytes() int64 { return f.truncated }

// --- write-ahead records ---------------------------------------------------

const (
	recInput   = 'I'
	recAdvance = 'A'
	recRevoke  = 'R'
	recMove    = 'M'
)

func (e *Engine) encPurposes(w *enc, p Purposes) {
	w.u(uint64(p & (1<<numBuiltin - 1)))
	var custom []string
	for i := numBuiltin; i < len(e.sym.purposes); i++ {
		if p&(1<<i) != 0 {
			custom = append(custom, string(e.sym.purposes[i]))
		}
	}
	w.u(uint64(len(custom)))
	for _, c := range custom {
		w.s(c)
	}
}

func (e *Engine) decPurposes(r *dec) Purposes {
	p := Purposes(r.u() & (1<<numBuiltin - 1))
	n := r.n()
	for range n {
		bit, err := e.sym.purpose(consent.Purpose(r.s()))
		if err != nil {
			r.bad = true
		}
		p |= bit
	}
	return p
}

func (e *Engine) logRec(r *rec) {
	if e.cfg.store == nil || e.loading {
		return
	}
	w, start := e.walRecord(recInput)
	w.s(r.profile)
	w.u(uint64(len(r.ids)))
	for _, id := range r.ids {
		w.s(id.Key)
		w.s(id.Profile)
	}
	w.s(r.msgID)
	w.i(r.t)
	e.encPurposes(&w, r.purp)
	if r.named {
		w.byte(1)
		w.s(e.sym.nameList[r.ev])
	} else {
		w.byte(0)
	}
	w.u(uint64(len(r.vals)))
	for _, sv := range r.vals {
		w.s(e.sym.pathList[sv.path])
		w.val(sv.v)
	}
	w.u(uint64(len(r.traits)))
	for _, tf := range r.traits {
		w.s(tf.key)
		w.val(tf.v)
	}
	if r.replay {
		w.byte(1)
	} else {
		w.byte(0)
	}
	e.walDone(w, start)
}

// walRecord starts a write-ahead record in the reused buffer (a new batch
// starts it over: the store copies what it keeps) and returns where.
func (e *Engine) walRecord(kind byte) (enc, int) {
	if len(e.wal) == 0 {
		e.walBuf = e.walBuf[:0]
	}
	start := len(e.walBuf)
	return enc{b: append(e.walBuf, kind)}, start
}

// walDone ends the record begun at start. Earlier records of the batch
// keep the array they were written in if the buffer grew.
func (e *Engine) walDone(w enc, start int) {
	e.walBuf = w.b
	e.wal = append(e.wal, w.b[start:len(w.b):len(w.b)])
}

func (e *Engine) decodeRec(b []byte) (rec, error) {
	d := dec{b: b[1:], kind: recInput}
	var r rec
	r.profile = d.s()
	n := d.n()
	for range n {
		r.ids = append(r.ids, Identity{Key: d.s(), Profile: d.s()})
	}
	r.msgID = d.s()
	r.t = d.i()
	r.purp = e.decPurposes(&d)
	if d.byte() == 1 {
		r.ev, r.named = e.sym.name(d.s()), true
	}
	n = d.n()
	for range n {
		r.vals = append(r.vals, slotVal{path: e.sym.path(d.s()), v: d.val()})
	}
	n = d.n()
	for range n {
		r.traits = append(r.traits, traitIn{key: d.s(), v: d.val()})
	}
	r.replay = d.byte() == 1
	if r.profile == "" || r.msgID == "" {
		d.bad = true
	}
	return r, d.err("")
}

func (e *Engine) logAdvance(t int64) {
	if e.cfg.store == nil || e.loading {
		return
	}
	w, start := e.walRecord(recAdvance)
	w.i(t)
	e.walDone(w, start)
}

func (e *Engine) logRevoke(profile string, p consent.Purpose, at int64) {
	if e.cfg.store == nil || e.loading {
		return
	}
	w, start := e.walRecord(recRevoke)
	w.s(profile)
	w.s(string(p))
	w.i(at)
	e.walDone(w, start)
}

func (e *Engine) logMove(key, profile string) {
	if e.cfg.store == nil || e.loading {
		return
	}
	w, start := e.walRecord(recMove)
	w.s(key)
	w.s(profile)
	e.walDone(w, start)
}

// flushWAL appends what this call changed, as one unit.
func (e *Engine) flushWAL(ctx context.Context) error {
	if len(e.wal) == 0 {
		return nil
	}
	err := e.cfg.store.Append(ctx, e.wal...)
	clear(e.wal)
	e.wal = e.wal[:0]
	if err == nil {
		e.logged++
		if e.cfg.compactEvery > 0 && e.logged >= e.cfg.compactEvery {
			err = e.compactLocked(ctx)
		}
	}
	return err
}

// applyLog re-applies one log record while loading (announcing nothing).
func (e *Engine) applyLog(b []byte) error {
	if len(b) == 0 {
		return &FormatError{Reason: "empty record"}
	}
	switch b[0] {
	case recInput:
		r, err := e.decodeRec(b)
		if err != nil {
			return err
		}
		e.apply(&r, nil)
	case recAdvance:
		d := dec{b: b[1:], kind: recAdvance}
		t := d.i()
		if err := d.err(""); err != nil {
			return err
		}
		e.advance(t, nil)
	case recRevoke:
		d := dec{b: b[1:], kind: recRevoke}
		p, pur, at := d.s(), d.s(), d.i()
		if err := d.err(""); err != nil {
			return err
		}
		e.revoke(p, consent.Purpose(pur), at, nil)
	case recMove:
		d := dec{b: b[1:], kind: recMove}
		k, p := d.s(), d.s()
		if err := d.err(""); err != nil {
			return err
		}
		e.attach(e.identOf(k), e.profileOf(p), nil)
	default:
		return &FormatError{Kind: b[0], Reason: "unknown record kind"}
	}
	return nil
}
