package inspect

import (
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/transport"
)

// history keeps the last samples of every stats source.
type history struct {
	mu      sync.Mutex
	sources []statsSource
	at      []time.Time         // ring of sample times
	stats   [][]transport.Stats // per sample, per source
	next    int
	n       int
}

func newHistory(sources []statsSource, capacity int) *history {
	return &history{sources: sources, at: make([]time.Time, capacity), stats: make([][]transport.Stats, capacity)}
}

// sample reads every source once.
func (hs *history) sample(now time.Time) {
	row := make([]transport.Stats, len(hs.sources))
	for i, s := range hs.sources {
		row[i] = s.f()
	}
	hs.mu.Lock()
	hs.at[hs.next], hs.stats[hs.next] = now, row
	hs.next = (hs.next + 1) % len(hs.at)
	hs.n = min(hs.n+1, len(hs.at))
	hs.mu.Unlock()
}

// snapshot returns the samples, oldest first.
func (hs *history) snapshot() ([]time.Time, [][]transport.Stats) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	at := make([]time.Time, 0, hs.n)
	st := make([][]transport.Stats, 0, hs.n)
	start := (hs.next - hs.n + len(hs.at)) % len(hs.at)
	for i := range hs.n {
		j := (start + i) % len(hs.at)
		at, st = append(at, hs.at[j]), append(st, hs.stats[j])
	}
	return at, st
}

func (h *Handler) runSampler() {
	defer h.sampler.Done()
	tk := time.NewTicker(h.cfg.interval)
	defer tk.Stop()
	for {
		select {
		case <-h.done:
			return
		case <-tk.C:
			h.series.sample(h.cfg.clock())
		}
	}
}

// Chart geometry, in SVG user units.
const (
	chartW, chartH       = 640, 170
	chartLeft, chartTop  = 56, 10
	chartRight, chartBot = 10, 24
)

// chart is one line chart, laid out for the svg template.
type chart struct {
	Title  string
	W, H   int
	Plot   box // the plotting area
	Series []line
	YTicks []tick
	XFrom  string
	XTo    string
	Empty  bool
}

type box struct{ X, Y, W, H float64 }

type line struct {
	Name    string
	Class   string // s0, s1, ...: colour from app.css
	Points  string // "x,y x,y ..."
	Last    string // the newest value, formatted
	LegendY float64
}

type tick struct {
	Y     float64
	Label string
}

// sourceView is one stats source on the charts page.
type sourceView struct {
	Name    string
	Charts  []chart
	Latest  transport.Stats
	Dropped []kv
}

type kv struct {
	Key   string
	Value uint64
}

type chartsPage struct {
	Interval string
	Samples  int
	Sources  []sourceView
}

func (h *Handler) serveCharts(w http.ResponseWriter, r *http.Request) {
	at, st := h.series.snapshot()
	pg := chartsPage{Interval: h.cfg.interval.String(), Samples: len(at)}
	for i, src := range h.series.sources {
		get := func(f func(transport.Stats) float64) []float64 {
			out := make([]float64, len(st))
			for k := range st {
				out[k] = f(st[k][i])
			}
			return out
		}
		rate := func(f func(transport.Stats) float64) []float64 {
			v := get(f)
			out := make([]float64, len(v))
			for k := 1; k < len(v); k++ {
				dt := at[k].Sub(at[k-1]).Seconds()
				if d := v[k] - v[k-1]; dt > 0 && d > 0 {
					out[k] = d / dt
				}
			}
			return out
		}
		sv := sourceView{Name: src.name}
		sv.Charts = append(sv.Charts,
			makeChart("Records per second", at, []named{
				{"delivered", rate(func(s transport.Stats) float64 { return float64(s.Delivered) })},
				{"enqueued", rate(func(s transport.Stats) float64 { return float64(s.Enqueued) })},
				{"retried", rate(func(s transport.Stats) float64 { return float64(s.Retried) })},
				{"dropped", rate(func(s transport.Stats) float64 { return float64(s.DroppedTotal()) })},
			}),
			makeChart("Records waiting", at, []named{
				{"queue", get(func(s transport.Stats) float64 { return float64(s.QueueDepth) })},
				{"spool", get(func(s transport.Stats) float64 { return float64(s.SpoolDepth) })},
				{"in-flight batches", get(func(s transport.Stats) float64 { return float64(s.InFlight) })},
			}),
			makeChart("Bytes held", at, []named{
				{"queue bytes", get(func(s transport.Stats) float64 { return float64(s.QueueBytes) })},
				{"spool bytes", get(func(s transport.Stats) float64 { return float64(s.SpoolBytes) })},
			}),
		)
		if len(st) > 0 {
			sv.Latest = st[len(st)-1][i]
			for k, v := range sv.Latest.Dropped {
				sv.Dropped = append(sv.Dropped, kv{string(k), v})
			}
			sort.Slice(sv.Dropped, func(a, b int) bool { return sv.Dropped[a].Key < sv.Dropped[b].Key })
		}
		pg.Sources = append(pg.Sources, sv)
	}
	h.render(w, r, "charts", "Delivery", int(max(h.cfg.interval/time.Second, 2)), pg)
}

type named struct {
	name string
	v    []float64
}

// makeChart lays out series over the sample times at.
func makeChart(title string, at []time.Time, series []named) chart {
	c := chart{Title: title, W: chartW, H: chartH,
		Plot: box{chartLeft, chartTop, chartW - chartLeft - chartRight, chartH - chartTop - chartBot}}
	if len(at) < 2 {
		c.Empty = true
	}
	if len(at) > 0 {
		c.XFrom, c.XTo = at[0].UTC().Format("15:04:05"), at[len(at)-1].UTC().Format("15:04:05")
	}
	top := 0.0
	for _, s := range series {
		for _, v := range s.v {
			top = math.Max(top, v)
		}
	}
	top, div := niceCeil(top)
	for i := 0; i <= div; i++ {
		v := top * float64(i) / float64(div)
		c.YTicks = append(c.YTicks, tick{Y: c.Plot.Y + c.Plot.H - c.Plot.H*float64(i)/float64(div), Label: short(v)})
	}
	var t0, span float64
	if len(at) > 1 {
		t0 = float64(at[0].UnixNano())
		span = float64(at[len(at)-1].UnixNano()) - t0
	}
	for si, s := range series {
		var b strings.Builder
		for k, v := range s.v {
			x := c.Plot.X
			if span > 0 {
				x += c.Plot.W * (float64(at[k].UnixNano()) - t0) / span
			}
			y := c.Plot.Y + c.Plot.H - c.Plot.H*v/top
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.FormatFloat(x, 'f', 1, 64) + "," + strconv.FormatFloat(y, 'f', 1, 64))
		}
		ln := line{Name: s.name, Class: "s" + strconv.Itoa(si), Points: b.String(), LegendY: c.Plot.Y + 12 + float64(si)*14}
		if len(s.v) > 0 {
			ln.Last = short(s.v[len(s.v)-1])
		}
		c.Series = append(c.Series, ln)
	}
	return c
}

// niceCeil rounds v up to 2, 5 or 10 times a power of ten, at least 5,
// and returns it with the number of grid steps that gives round ticks.
func niceCeil(v float64) (float64, int) {
	if v <= 5 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 5, 5
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			if m == 2 {
				return m * p, 4
			}
			return m * p, 5
		}
	}
	return 10 * p, 5
}

// short formats v compactly: 950, 1.2k, 3.4M.
func short(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e9:
		return strconv.FormatFloat(v/1e9, 'f', 1, 64) + "G"
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 1, 64) + "M"
	case a >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	case a == math.Trunc(a):
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}
