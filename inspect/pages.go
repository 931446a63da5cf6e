package inspect

import (
	"net/http"
	"sort"
	"strconv"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// maxAuditRows bounds the refusals the decisions page lists.
const maxAuditRows = 200

type indexPage struct {
	Tap       *TapStats
	Streams   int64
	Refused   uint64
	Sources   int
	Samples   int
	Decisions int
}

func (h *Handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	pg := indexPage{Streams: h.streams.Load(), Refused: h.refused.Load(), Sources: len(h.cfg.stats)}
	if h.cfg.tap != nil {
		st := h.cfg.tap.Stats()
		pg.Tap = &st
	}
	if h.series != nil {
		at, _ := h.series.snapshot()
		pg.Samples = len(at)
	}
	h.render(w, r, "index", "Overview", 5, pg)
}

// destView is one destination on the decisions page.
type destView struct {
	consent.DestinationStats
	Offered  uint64
	Refusals []kv
	Drops    []kv
	Bar      []barPart
}

// barPart is one segment of a destination's outcome bar.
type barPart struct {
	Class, Label string
	X, W         float64
	N            uint64
}

type auditView struct {
	Time, EventTime, MessageID, Destination, Purpose, Category, Reason, Action, Subject string
}

type decisionsPage struct {
	Dests  []destView
	Audit  []auditView
	Dest   string // the destination filter of the refusals list
	Shown  int
	Total  int
	Names  []string
	BarMax float64
}

func (h *Handler) serveDecisions(w http.ResponseWriter, r *http.Request) {
	dest := r.URL.Query().Get("dest")
	if len(dest) > maxFilterLen {
		http.Error(w, "inspect: dest filter too long", http.StatusBadRequest)
		return
	}
	pg := decisionsPage{Dest: dest, BarMax: 400}
	for _, s := range h.cfg.decisions.Stats() {
		dv := destView{DestinationStats: s}
		var dropped uint64
		for k, v := range s.Dropped {
			dv.Drops = append(dv.Drops, kv{k.String(), v})
			dropped += v
		}
		for k, v := range s.Refusals {
			dv.Refusals = append(dv.Refusals, kv{k.String(), v})
		}
		sort.Slice(dv.Drops, func(a, b int) bool { return dv.Drops[a].Key < dv.Drops[b].Key })
		sort.Slice(dv.Refusals, func(a, b int) bool { return dv.Refusals[a].Key < dv.Refusals[b].Key })
		dv.Offered = s.Delivered + s.Stripped + dropped + uint64(max(s.Holding, 0)) + s.Errors
		x := 0.0
		for _, p := range []barPart{
			{Class: "ok", Label: "delivered", N: s.Delivered},
			{Class: "strip", Label: "stripped", N: s.Stripped},
			{Class: "hold", Label: "holding", N: uint64(max(s.Holding, 0))},
			{Class: "drop", Label: "dropped", N: dropped},
			{Class: "err", Label: "errors", N: s.Errors},
		} {
			if p.N == 0 || dv.Offered == 0 {
				continue
			}
			p.X, p.W = x, pg.BarMax*float64(p.N)/float64(dv.Offered)
			x += p.W
			dv.Bar = append(dv.Bar, p)
		}
		pg.Dests = append(pg.Dests, dv)
		pg.Names = append(pg.Names, s.Name)
	}
	audit := h.cfg.decisions.Audit()
	pg.Total = len(audit)
	for i := len(audit) - 1; i >= 0 && len(pg.Audit) < maxAuditRows; i-- {
		e := audit[i]
		if dest != "" && e.Destination != dest {
			continue
		}
		subject := ""
		if e.Subject != (consent.SubjectTag{}) {
			subject = e.Subject.String()
		}
		pg.Audit = append(pg.Audit, auditView{
			Time: fmtTime(e.Time), EventTime: fmtTime(e.EventTime), MessageID: e.MessageID, Destination: e.Destination,
			Purpose: string(e.Purpose), Category: string(e.Category), Reason: e.Reason.String(), Action: e.Action.String(), Subject: subject,
		})
	}
	pg.Shown = len(pg.Audit)
	h.render(w, r, "decisions", "Decisions", 3, pg)
}

type audienceRow struct {
	Name   string
	Count  int
	W      float64
	Y      float64
	LabelX float64
	Label  string
}

type audiencesPage struct {
	Rows  []audienceRow
	Total int
	H     float64
	Err   *sourceError
}

func (h *Handler) serveAudiences(w http.ResponseWriter, r *http.Request) {
	counts, err := h.cfg.audiences(r.Context())
	if err != nil {
		h.render(w, r, "audiences", "Audiences", 5, audiencesPage{Err: &sourceError{"audience counts", err.Error()}})
		return
	}
	pg := audiencesPage{}
	top := 0
	for name, c := range counts {
		pg.Rows = append(pg.Rows, audienceRow{Name: name, Count: c})
		top = max(top, c)
		pg.Total += c
	}
	sort.Slice(pg.Rows, func(a, b int) bool {
		if pg.Rows[a].Count != pg.Rows[b].Count {
			return pg.Rows[a].Count > pg.Rows[b].Count
		}
		return pg.Rows[a].Name < pg.Rows[b].Name
	})
	for i := range pg.Rows {
		if top > 0 {
			pg.Rows[i].W = 420 * float64(max(pg.Rows[i].Count, 0)) / float64(top)
		}
		pg.Rows[i].Y = float64(i) * 26
		pg.Rows[i].LabelX = 220 + pg.Rows[i].W + 6
		pg.Rows[i].Label = strconv.Itoa(pg.Rows[i].Count)
	}
	pg.H = float64(len(pg.Rows))*26 + 4
	h.render(w, r, "audiences", "Audiences", 5, pg)
}
