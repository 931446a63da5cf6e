package transport

import "github.com/touchpoint-sdk/touchpoint/connected"

// The Batcher's queue: lanes of batches. Unordered, there is one lane whose
// batches may all be in flight at once (up to the concurrency). Ordered by
// partition key, there is one lane per unit of concurrency, a key always maps
// to the same lane, and a lane has one batch in flight at a time. Every field
// here is guarded by Batcher.mu.

type batch struct {
	id    uint64 // assigned when the first record arrives; ids only grow
	lane  int
	recs  []*connected.Record
	bytes int // payload bytes (for the queue bound)
	size  int // batch bytes: payloads, separators and the envelope reserve

	// Durable mode only (see batcher_durable.go): done is closed once the
	// Sender settled the batch; reasons (nil if all stored) and err say
	// why records failed. Written before done is closed.
	done    chan struct{}
	reasons []Reason
	err     error
}

type lane struct {
	cur      *batch   // filling; nil when empty
	ready    []*batch // full or cut, oldest first
	inflight int
	limit    int
}

// laneFor picks r's lane.
func (b *Batcher) laneFor(r *connected.Record) int {
	if len(b.lanes) == 1 || r.PartitionKey == "" {
		return 0
	}
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(r.PartitionKey); i++ {
		h ^= uint32(r.PartitionKey[i])
		h *= 16777619
	}
	return int(h % uint32(len(b.lanes)))
}

// addLocked appends r to its lane, cutting batches that are full. It
// returns r's batch and r's index in it.
func (b *Batcher) addLocked(r *connected.Record) (*batch, int) {
	li := b.laneFor(r)
	l := &b.lanes[li]
	n := len(r.Payload)
	if l.cur != nil && (len(l.cur.recs) >= b.cfg.maxBatchEvents || l.cur.size+n+1 > b.cfg.maxBatchBytes) {
		b.cutLocked(l)
	}
	if l.cur == nil {
		b.nextID++
		l.cur = &batch{id: b.nextID, lane: li, recs: make([]*connected.Record, 0, b.batchCap()), size: batchEnvelopeReserve}
		if b.cfg.durable {
			l.cur.done = make(chan struct{})
		}
	}
	bt, idx := l.cur, len(l.cur.recs)
	l.cur.recs = append(l.cur.recs, r)
	l.cur.bytes += n
	l.cur.size += n + 1
	b.events++
	b.bytes += n
	if len(l.cur.recs) >= b.cfg.maxBatchEvents {
		b.cutLocked(l)
	}
	return bt, idx
}

// batchCap is the initial capacity of a batch's slice: a full batch when the
// batches fill, less when they are cut small by the interval.
func (b *Batcher) batchCap() int {
	if b.lastFill < 16 {
		return 16
	}
	return min(b.lastFill, b.cfg.maxBatchEvents)
}

// cutLocked moves the lane's filling batch to its ready list.
func (b *Batcher) cutLocked(l *lane) {
	if l.cur == nil {
		return
	}
	b.lastFill = len(l.cur.recs)
	l.ready = append(l.ready, l.cur)
	l.cur = nil
}

// cutAllLocked cuts every lane's filling batch.
func (b *Batcher) cutAllLocked() {
	for i := range b.lanes {
		b.cutLocked(&b.lanes[i])
	}
}

// dispatchLocked starts a send for every ready batch whose lane has room.
func (b *Batcher) dispatchLocked() {
	for i := range b.lanes {
		l := &b.lanes[i]
		if b.cfg.durable && len(l.ready) == 0 && l.inflight < l.limit {
			b.cutLocked(l) // group commit: whatever waits goes now
		}
		for len(l.ready) > 0 && l.inflight < l.limit && !b.aborted {
			bt := l.ready[0]
			l.ready[0] = nil
			l.ready = l.ready[1:]
			l.inflight++
			b.inflight++
			b.sends.Go(func() { b.send(bt) })
		}
	}
}

// evictOldestLocked drops the oldest records not being sent until need
// more records of n bytes fit, and returns them; nil if that is impossible.
func (b *Batcher) evictOldestLocked(n int) []*connected.Record {
	var out []*connected.Record
	for b.events+1 > b.cfg.maxQueueEvents || b.bytes+n > b.cfg.maxQueueBytes {
		bt, l := b.oldestQueuedLocked()
		if bt == nil {
			return nil // everything is in flight; caller falls back to refusing
		}
		r := bt.recs[0]
		bt.recs[0] = nil
		bt.recs = bt.recs[1:]
		sz := len(r.Payload)
		bt.bytes -= sz
		bt.size -= sz + 1
		b.events--
		b.bytes -= sz
		out = append(out, r)
		if len(bt.recs) == 0 {
			if l.cur == bt {
				l.cur = nil
			} else {
				l.ready[0] = nil
				l.ready = l.ready[1:]
			}
			b.completeLocked(bt.id)
		}
	}
	return out
}

// oldestQueuedLocked returns the queued (not in flight) batch with the
// smallest id, and its lane.
func (b *Batcher) oldestQueuedLocked() (*batch, *lane) {
	var best *batch
	var bestLane *lane
	for i := range b.lanes {
		l := &b.lanes[i]
		c := l.cur
		if len(l.ready) > 0 {
			c = l.ready[0]
		}
		if c != nil && (best == nil || c.id < best.id) {
			best, bestLane = c, l
		}
	}
	return best, bestLane
}

// completeLocked marks batch id finished and advances the low-water mark
// that Flush waits on.
func (b *Batcher) completeLocked(id uint64) {
	if b.done == nil {
		b.done = make(map[uint64]struct{})
	}
	b.done[id] = struct{}{}
	for {
		if _, ok := b.done[b.lowWater]; !ok {
			break
		}
		delete(b.done, b.lowWater)
		b.lowWater++
	}
	b.broadcastLocked()
}

// waitChLocked returns a channel closed at the next state change.
func (b *Batcher) waitChLocked() <-chan struct{} {
	if b.changed == nil {
		b.changed = make(chan struct{})
	}
	return b.changed
}

// broadcastLocked wakes everyone waiting for a state change.
func (b *Batcher) broadcastLocked() {
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
}
