package beacon

import (
	"math"
	"time"
)

// timer is a heap entry: decide subject subj at time at. Entries are not
// removed when a subject's deadline moves; stale ones are recognised by
// subject.queued and skipped.
type timer struct {
	at   int64
	subj int32
}

func (t *Tracker) push(e timer) {
	h := append(t.heap, e)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].at <= h[i].at {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
	t.heap = h
}

func (t *Tracker) pop() timer {
	h := t.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h[l].at < h[m].at {
			m = l
		}
		if r < len(h) && h[r].at < h[m].at {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	t.heap = h
	return top
}

// schedule makes sure subject si is looked at by time next (0: nothing due).
func (t *Tracker) schedule(si int32, next int64) {
	if next == 0 {
		return
	}
	sub := &t.subjects[si]
	if sub.hasQueued && sub.queued <= next {
		return // an earlier entry will re-schedule when popped
	}
	sub.queued, sub.hasQueued = next, true
	t.push(timer{at: next, subj: si})
}

// advance fires every timer decidable at w.
func (t *Tracker) advance(dst []ZoneEvent, w int64) []ZoneEvent {
	for len(t.heap) > 0 && t.heap[0].at <= w {
		e := t.pop()
		sub := &t.subjects[e.subj]
		if !sub.hasQueued || sub.queued != e.at {
			continue // stale
		}
		sub.hasQueued = false
		var next int64
		dst, next = t.fire(dst, e.subj, w, t.cfg.maxSkew)
		t.schedule(e.subj, next)
	}
	return dst
}

const (
	evNone = iota
	evConfirm
	evAbandon
	evDwell
	evExit
)

// due returns the next event of zone state st, its time, and when it can be
// decided (absence decisions wait for the clock skew to pass).
func (t *Tracker) due(st *zstate, skew int64) (kind int, at, decide int64) {
	z := &t.zones[st.zone]
	exitAt := st.lastSeen + z.timeout
	if !st.inside {
		if confirmAt := st.since + z.hold; confirmAt < exitAt {
			return evConfirm, confirmAt, confirmAt
		}
		return evAbandon, exitAt, exitAt + skew
	}
	if st.nextDwell != 0 && st.nextDwell < exitAt {
		return evDwell, st.nextDwell, st.nextDwell
	}
	return evExit, exitAt, exitAt + skew
}

// fire processes subject si's events in time order while the earliest one
// is decidable at w, and returns when the next one will be (0: none).
func (t *Tracker) fire(dst []ZoneEvent, si int32, w, skew int64) ([]ZoneEvent, int64) {
	sub := &t.subjects[si]
	for {
		k, kind, at, decide := -1, evNone, int64(0), int64(0)
		for i := range sub.zs {
			ki, ai, di := t.due(&sub.zs[i], skew)
			if k < 0 || ai < at {
				k, kind, at, decide = i, ki, ai, di
			}
		}
		if k < 0 {
			return dst, t.idle(si, w)
		}
		if decide > w {
			return dst, decide
		}
		st := &sub.zs[k]
		z := &t.zones[st.zone]
		switch kind {
		case evConfirm:
			dst = t.confirm(dst, si, k, at)
		case evAbandon:
			sub.remove(k)
		case evDwell:
			dst = t.emit(dst, sub, st, ZoneDwelled, at, false)
			if z.repeat > 0 {
				st.nextDwell += z.repeat
			} else {
				st.nextDwell = 0
			}
		case evExit:
			dst = t.emit(dst, sub, st, ZoneExited, at, false)
			sub.remove(k)
		}
	}
}

// idle handles a subject in no zone: it is evicted once none of its links
// is fresh, else looked at again when the last one goes stale.
func (t *Tracker) idle(si int32, w int64) int64 {
	sub := &t.subjects[si]
	if len(sub.links) == 0 {
		return 0
	}
	last := sub.links[0].last
	for i := range sub.links {
		last = max(last, sub.links[i].last)
	}
	if at := last + t.maxIdle + 1; at > w {
		return at
	}
	t.evict(si)
	return 0
}

// confirm turns pending state k into inside at time at; under an exclusive
// assignment the zone the subject was in is exited at the same moment.
func (t *Tracker) confirm(dst []ZoneEvent, si int32, k int, at int64) []ZoneEvent {
	sub := &t.subjects[si]
	if t.cfg.assign != AssignIndependent {
		for i := range sub.zs {
			if i != k && sub.zs[i].inside {
				dst = t.emit(dst, sub, &sub.zs[i], ZoneExited, at, true)
				sub.remove(i)
				if k == len(sub.zs) {
					k = i // remove moved k into i
				}
				break
			}
		}
	}
	st := &sub.zs[k]
	z := &t.zones[st.zone]
	st.inside, st.entered = true, at
	if z.dwell > 0 {
		st.nextDwell = at + z.dwell
	}
	return t.emit(dst, sub, st, ZoneEntered, at, false)
}

func (t *Tracker) emit(dst []ZoneEvent, sub *subject, st *zstate, kind ZoneEventKind, at int64, switched bool) []ZoneEvent {
	z := &t.zones[st.zone]
	e := ZoneEvent{
		Kind: kind, Time: time.Unix(0, at).UTC(), Subject: sub.name, SubjectIsDevice: sub.device, Beacon: st.bestID, Gateway: st.bestGateway,
		Zone: z.name, Place: z.place, EnteredAt: time.Unix(0, st.entered).UTC(), Dwell: time.Duration(at - st.entered),
		RSSI: st.level, Distance: EstimateDistance(st.model, st.level, max(math.Sqrt(st.sigma), 2), st.tx),
		Confidence: t.confidence(st), Switched: switched,
	}
	if sub.name == "" {
		e.Beacon = sub.id
	}
	e.Proximity = t.cfg.proximity.Classify(st.prox, e.Distance.Meters, e.Distance.OK)
	st.prox = e.Proximity
	t.stats.Events++
	sub.floor = max(sub.floor, at)
	return append(dst, e)
}
