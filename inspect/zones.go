package inspect

import (
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

// Plan is a store plan the zones page draws occupancy on: a rectangle of
// Width by Height plan units (metres, say; y grows downwards, as on a
// drawing) with the zones of a beacon.Tracker placed on it as Areas.
type Plan struct {
	Name          string // shown above the plan, e.g. "Store 12, ground floor"
	Width, Height float64
	Areas         []Area
}

// Area places one zone (beacon.Zone.Name) on a Plan: the rectangle X, Y,
// W, H, or the polygon Polygon when it has at least three points.
type Area struct {
	Zone       string
	X, Y, W, H float64
	Polygon    []Point
}

// Point is a position on a Plan, in plan units.
type Point struct{ X, Y float64 }

// validate checks the plan: a positive finite size, and areas with a zone
// name (unique on the plan) that lie inside it.
func (p *Plan) validate(i int) error {
	ok := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if !ok(p.Width) || !ok(p.Height) || p.Width <= 0 || p.Height <= 0 {
		return fieldErr("Plan", i, "Width/Height", "must be positive and finite")
	}
	seen := map[string]bool{}
	inside := func(x, y float64) bool { return ok(x) && ok(y) && x >= 0 && y >= 0 && x <= p.Width && y <= p.Height }
	for j, a := range p.Areas {
		sub := "Areas[" + strconv.Itoa(j) + "]"
		switch {
		case a.Zone == "":
			return fieldErr("Plan", i, sub+".Zone", "is empty")
		case seen[a.Zone]:
			return fieldErr("Plan", i, sub+".Zone", quote(a.Zone)+" is placed twice")
		}
		seen[a.Zone] = true
		if len(a.Polygon) >= 3 {
			for k, pt := range a.Polygon {
				if !inside(pt.X, pt.Y) {
					return fieldErr("Plan", i, sub+".Polygon["+strconv.Itoa(k)+"]", "lies outside the plan")
				}
			}
			continue
		}
		if len(a.Polygon) > 0 {
			return fieldErr("Plan", i, sub+".Polygon", "needs at least 3 points")
		}
		if !ok(a.W) || !ok(a.H) || a.W <= 0 || a.H <= 0 || !inside(a.X, a.Y) || !inside(a.X+a.W, a.Y+a.H) {
			return fieldErr("Plan", i, sub, "must be a rectangle of positive size inside the plan")
		}
	}
	return nil
}

// occupant is one subject in a zone, as the zones page shows it.
type occupant struct {
	Subject  string // pseudonym (or the identifier, revealed)
	Inside   bool
	Since    string
	LastSeen string
	Gateway  string
	RSSI     string
	X, Y     float64 // its dot on the plan
}

// zoneView is one zone's occupancy.
type zoneView struct {
	Zone      string
	Inside    int
	Entering  int
	Occupants []occupant
}

// areaView is an Area laid out for the svg template.
type areaView struct {
	Zone      string
	Rect      bool
	X, Y      float64
	W, H      float64
	Points    string // polygon points
	LabelX    float64
	LabelY    float64
	Heat      string // h0..h5: fill class by occupancy
	Count     int
	Entering  int
	Occupants []occupant
}

type planView struct {
	Name          string
	Width, Height float64
	Stroke        float64
	Dot           float64
	Font          float64
	Areas         []areaView
}

type zonesPage struct {
	Now      string
	Plans    []planView
	Unplaced []zoneView // zones on no plan
	Zones    []zoneView
	Err      *sourceError
}

func (h *Handler) serveZones(w http.ResponseWriter, r *http.Request) {
	snap, err := h.cfg.zones(r.Context())
	if err != nil {
		h.render(w, r, "zones", "Zones", 5, zonesPage{Err: &sourceError{"zone snapshot", err.Error()}})
		return
	}
	h.render(w, r, "zones", "Zones", 5, buildZones(snap, h.cfg.plans, namer{p: h.cfg.pseudo, reveal: h.revealed(r)}))
}

// buildZones groups the snapshot by zone and lays the plans out.
func buildZones(snap beacon.Snapshot, plans []Plan, n namer) zonesPage {
	byZone := map[string]*zoneView{}
	for _, st := range snap.States {
		z := byZone[st.Zone]
		if z == nil {
			z = &zoneView{Zone: st.Zone}
			byZone[st.Zone] = z
		}
		subject := st.Subject
		if subject == "" {
			subject = st.Beacon.String() // the transmitter is the subject
		}
		o := occupant{Subject: n.id(subject), Inside: st.Inside, Since: fmtTime(st.Since), LastSeen: fmtTime(st.LastSeen),
			Gateway: st.Gateway, RSSI: strconv.FormatFloat(st.RSSI, 'f', 1, 64)}
		if st.Inside {
			z.Inside++
		} else {
			z.Entering++
		}
		z.Occupants = append(z.Occupants, o)
	}
	pg := zonesPage{Now: fmtTime(snap.Now)}
	names := make([]string, 0, len(byZone))
	for k, z := range byZone {
		names = append(names, k)
		sort.Slice(z.Occupants, func(a, b int) bool { return z.Occupants[a].Subject < z.Occupants[b].Subject })
	}
	sort.Strings(names)
	for _, k := range names {
		pg.Zones = append(pg.Zones, *byZone[k])
	}
	placed := map[string]bool{}
	for _, p := range plans {
		pv := planView{Name: p.Name, Width: p.Width, Height: p.Height}
		unit := math.Min(p.Width, p.Height)
		pv.Stroke, pv.Dot, pv.Font = unit/200, unit/60, unit/28
		for _, a := range p.Areas {
			placed[a.Zone] = true
			av := areaView{Zone: a.Zone, Rect: len(a.Polygon) < 3, X: a.X, Y: a.Y, W: a.W, H: a.H}
			if !av.Rect {
				av.X, av.Y, av.W, av.H = bounds(a.Polygon)
				var b strings.Builder
				for i, pt := range a.Polygon {
					if i > 0 {
						b.WriteByte(' ')
					}
					b.WriteString(f1(pt.X) + "," + f1(pt.Y))
				}
				av.Points = b.String()
			}
			av.LabelX, av.LabelY = av.X+av.W/2, av.Y+av.H/2
			if z := byZone[a.Zone]; z != nil {
				av.Count, av.Entering = z.Inside, z.Entering
				av.Occupants = placeDots(z.Occupants, av, pv.Dot, pv.Font)
			}
			av.Heat = "h" + strconv.Itoa(min(av.Count, 5))
			pv.Areas = append(pv.Areas, av)
		}
		pg.Plans = append(pg.Plans, pv)
	}
	for _, z := range pg.Zones {
		if !placed[z.Zone] {
			pg.Unplaced = append(pg.Unplaced, z)
		}
	}
	return pg
}

// placeDots lays the occupants' dots out in rows centred under the
// area's label.
func placeDots(os []occupant, a areaView, dot, font float64) []occupant {
	out := make([]occupant, len(os))
	copy(out, os)
	step := dot * 3
	cols := max(1, min(len(out), int(a.W*0.6/step)))
	for i := range out {
		row, col := i/cols, i%cols
		inRow := min(cols, len(out)-row*cols)
		out[i].X = a.LabelX + (float64(col)-float64(inRow-1)/2)*step
		out[i].Y = a.LabelY + 2*font + float64(row)*step
		if out[i].Y > a.Y+a.H-dot {
			out[i].Y = a.Y + a.H - dot
		}
	}
	return out
}

func bounds(ps []Point) (x, y, w, h float64) {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range ps {
		x0, y0, x1, y1 = math.Min(x0, p.X), math.Min(y0, p.Y), math.Max(x1, p.X), math.Max(y1, p.Y)
	}
	return x0, y0, x1 - x0, y1 - y0
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}
