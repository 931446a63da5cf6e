package inspect

import (
	"bufio"
	"net/http"
	"strconv"
	"time"
)

// Stream tuning.
const (
	streamBatch     = 256              // entries read from the ring per write
	streamHeartbeat = 15 * time.Second // comment lines keep proxies from closing an idle stream
	streamWriteWait = 10 * time.Second // a write that takes longer ends the stream
	eventsBacklog   = 100              // rows the events page renders before the stream takes over
)

// eventsPage is the events page's data.
type eventsPage struct {
	Filter   filter
	Rows     []row
	After    uint64 // the stream continues after this sequence number
	Stream   string // the stream's URL, relative, with the filter
	Stats    TapStats
	Points   []string
	Channels []string
	BadInput string
}

func (h *Handler) serveEvents(w http.ResponseWriter, r *http.Request) {
	f, bad := parseFilter(r.URL.Query())
	t := h.cfg.tap
	st := t.Stats()
	pg := eventsPage{Filter: f, After: st.Recorded, Stats: st, BadInput: bad}
	n := namer{p: h.cfg.pseudo, reveal: h.revealed(r)}
	points, channels := map[string]bool{}, map[string]bool{}
	for _, e := range t.Recent(t.Stats().Capacity) {
		if e.Seq > pg.After {
			break
		}
		rw := n.rowOf(e)
		points[rw.Point] = true
		if rw.Channel != "" {
			channels[rw.Channel] = true
		}
		if bad == "" && f.match(&rw) {
			pg.Rows = append(pg.Rows, rw)
		}
	}
	if len(pg.Rows) > eventsBacklog {
		pg.Rows = pg.Rows[len(pg.Rows)-eventsBacklog:]
	}
	// Newest first, as the stream prepends.
	for i, j := 0, len(pg.Rows)-1; i < j; i, j = i+1, j-1 {
		pg.Rows[i], pg.Rows[j] = pg.Rows[j], pg.Rows[i]
	}
	pg.Points, pg.Channels = sortedKeys(points), sortedKeys(channels)
	q := r.URL.Query()
	q.Del("fragment")
	q.Set("after", strconv.FormatUint(pg.After, 10))
	pg.Stream = "stream?" + q.Encode()
	status := http.StatusOK
	if bad != "" {
		status = http.StatusBadRequest
	}
	h.renderStatus(w, r, status, "events", "Events", 0, pg)
}

// serveStream sends the tap's records as server-sent events: one "message"
// per record matching the filter (id: its sequence number, data: its row
// as JSON), a "gap" event when this viewer skipped records, and a "stats"
// event with the tap's counters on every heartbeat. It runs on the
// request's goroutine and returns when the client goes away (the request's
// context ends), a write fails or takes longer than streamWriteWait, or the
// Handler shuts down. It never makes the pipeline wait.
func (h *Handler) serveStream(w http.ResponseWriter, r *http.Request) {
	f, bad := parseFilter(r.URL.Query())
	if bad != "" {
		http.Error(w, "inspect: "+bad, http.StatusBadRequest)
		return
	}
	t := h.cfg.tap
	after := t.seq.Load()
	from := r.Header.Get("Last-Event-ID")
	if from == "" {
		from = r.URL.Query().Get("after")
	}
	if from != "" {
		v, err := strconv.ParseUint(from, 10, 64)
		if err != nil {
			http.Error(w, "inspect: after / Last-Event-ID is not a sequence number", http.StatusBadRequest)
			return
		}
		after = min(v, after)
	}
	if !h.enterStream() {
		http.Error(w, "inspect: too many live streams or shutting down", http.StatusServiceUnavailable)
		return
	}
	defer h.leaveStream()

	rc := http.NewResponseController(w)
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream; charset=utf-8")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 16<<10)

	sub, unsubscribe := t.subscribe()
	defer unsubscribe()
	beat := time.NewTicker(streamHeartbeat)
	defer beat.Stop()

	n := namer{p: h.cfg.pseudo, reveal: h.revealed(r)}
	flush := func() bool {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteWait)) // ErrNotSupported: nothing to bound
		if bw.Flush() != nil {
			return false
		}
		return rc.Flush() == nil
	}
	bw.WriteString("retry: 2000\n: connected\n\n")
	writeStats(bw, t.Stats())
	if !flush() {
		return
	}
	next := after + 1
	var buf []*Entry
	for {
		var skipped uint64
		buf, next, skipped = t.read(buf[:0], next, streamBatch)
		if skipped > 0 {
			t.drop(DropBehind, skipped)
			bw.WriteString("event: gap\ndata: ")
			bw.Write(sseData(map[string]uint64{"skipped": skipped}))
			bw.WriteString("\n\n")
		}
		sentLast := true
		for _, e := range buf {
			rw := n.rowOf(e)
			if sentLast = f.match(&rw); !sentLast {
				continue
			}
			bw.WriteString("id: " + strconv.FormatUint(e.Seq, 10) + "\ndata: ")
			bw.Write(sseData(rw))
			bw.WriteString("\n\n")
		}
		if !sentLast {
			// Move the client's Last-Event-ID past the filtered-out tail.
			bw.WriteString("id: " + strconv.FormatUint(next-1, 10) + "\n\n")
		}
		if (len(buf) > 0 || skipped > 0) && !flush() {
			return
		}
		if len(buf) == streamBatch {
			select {
			case <-r.Context().Done():
				return
			case <-h.done:
				return
			default:
				continue // more is waiting
			}
		}
		select {
		case <-r.Context().Done():
			return
		case <-h.done:
			return
		case <-sub.wake:
		case <-beat.C:
			bw.WriteString(": ping\n\n")
			writeStats(bw, t.Stats())
			if !flush() {
				return
			}
		}
	}
}

func writeStats(bw *bufio.Writer, st TapStats) {
	bw.WriteString("event: stats\ndata: ")
	bw.Write(sseData(st))
	bw.WriteString("\n\n")
}

// enterStream counts a new stream in, unless there are too many or the
// Handler is shutting down.
func (h *Handler) enterStream() bool {
	h.streamMu.Lock()
	defer h.streamMu.Unlock()
	if h.shutdown.Load() || h.streams.Load() >= int64(h.cfg.maxStreams) {
		h.refused.Add(1)
		return false
	}
	h.streams.Add(1)
	h.active.Add(1)
	return true
}

func (h *Handler) leaveStream() {
	h.streams.Add(-1)
	h.active.Done()
}
