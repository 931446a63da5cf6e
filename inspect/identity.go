package inspect

import (
	"math"
	"net/http"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// maxIdentifierLen bounds an identifier typed into the identity page.
const maxIdentifierLen = 512

// identityTypes are offered in the identity page's form.
var identityTypes = []identity.Type{
	identity.TypeUserID, identity.TypeEmail, identity.TypePhone, identity.TypeLoyaltyID,
	identity.TypeAnonymousID, identity.TypeDeviceID, identity.TypeAdvertisingID,
	identity.TypeWearableSerial, identity.TypeVIN, identity.TypeBeaconID, identity.TypeGatewayID,
}

// gNode is a node of the explanation graph.
type gNode struct {
	Label  string // type and shortened key or pseudonym
	Full   string // the full reference, for the tooltip
	X, Y   float64
	Class  string // "end" for A and B, "mid" for the others, "reason" for reasons
	Anchor string
}

// gEdge is an edge of the explanation graph.
type gEdge struct {
	X1, Y1, X2, Y2 float64
	LX, LY         float64 // label position
	Label          string
	Sub            string // second label line
	Title          string
	Class          string // "link", "nolink" or "why"
}

type graphView struct {
	W, H  float64
	Nodes []gNode
	Edges []gEdge
}

type stepView struct {
	From, To, Rule, Time, EventID, ConsentEventID string
}

type reasonView struct {
	Code, Subject, Detail, ConsentEventID string
	EventIDs                              []string
}

type identityPage struct {
	Types              []identity.Type
	AType, BType       string
	AValue, BValue     string // echoed only when revealed
	Asked              bool
	Err                string
	Linked             bool
	ProfileA, ProfileB string
	Steps              []stepView
	Reasons            []reasonView
	Graph              graphView
}

func (h *Handler) serveIdentity(w http.ResponseWriter, r *http.Request) {
	n := namer{p: h.cfg.pseudo, reveal: h.revealed(r)}
	pg := identityPage{Types: identityTypes, AType: string(identity.TypeEmail), BType: string(identity.TypeDeviceID)}
	if r.Method != http.MethodPost {
		h.render(w, r, "identity", "Identity", 0, pg)
		return
	}
	// Identifiers travel in a POST body, never in a URL that logs keep.
	// A cross-site form cannot make an operator's browser ask.
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		http.Error(w, "inspect: cross-site request refused", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		h.renderStatus(w, r, http.StatusBadRequest, "identity", "Identity", 0, identityPage{Types: identityTypes, Err: "the form could not be read"})
		return
	}
	pg.Asked = true
	pg.AType, pg.BType = r.PostForm.Get("a_type"), r.PostForm.Get("b_type")
	av, bv := r.PostForm.Get("a_value"), r.PostForm.Get("b_value")
	if n.reveal {
		pg.AValue, pg.BValue = av, bv
	}
	if len(av) > maxIdentifierLen || len(bv) > maxIdentifierLen || len(pg.AType) > 64 || len(pg.BType) > 64 {
		pg.Err = "identifiers are limited to 512 bytes and types to 64"
		h.renderStatus(w, r, http.StatusBadRequest, "identity", "Identity", 0, pg)
		return
	}
	ex, err := h.cfg.explainer.Explain(identity.Identifier{Type: identity.Type(pg.AType), Value: av}, identity.Identifier{Type: identity.Type(pg.BType), Value: bv})
	if err != nil {
		pg.Err = n.scrub(err.Error(), av, bv)
		h.renderStatus(w, r, http.StatusBadRequest, "identity", "Identity", 0, pg)
		return
	}
	fillExplanation(&pg, ex, n)
	h.render(w, r, "identity", "Identity", 0, pg)
}

// refLabel shows a Ref: its key shortened, or its value as a pseudonym
// unless revealed.
func refLabel(ref identity.Ref, n namer) (label, full string) {
	if ref.Value != "" {
		v := n.id(ref.Value)
		return string(ref.Type) + ": " + shorten(v, 18), string(ref.Type) + ": " + v
	}
	k := ref.Key.String()
	return string(ref.Type) + ": " + k[:8] + "…", string(ref.Type) + ": " + k
}

func shorten(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func fillExplanation(pg *identityPage, ex *identity.Explanation, n namer) {
	pg.Linked, pg.ProfileA, pg.ProfileB = ex.Linked, n.id(ex.ProfileA), n.id(ex.ProfileB)
	idx := map[identity.Ref]int{}
	var refs []identity.Ref
	add := func(r identity.Ref) int {
		if i, ok := idx[r]; ok {
			return i
		}
		idx[r] = len(refs)
		refs = append(refs, r)
		return len(refs) - 1
	}
	add(ex.A)
	type edge struct{ a, b int }
	var edges []edge
	for _, s := range ex.Path {
		edges = append(edges, edge{add(s.From), add(s.To)})
		_, f := refLabel(s.From, n)
		_, t := refLabel(s.To, n)
		pg.Steps = append(pg.Steps, stepView{From: f, To: t, Rule: string(s.Rule), Time: fmtTime(s.Time), EventID: s.EventID, ConsentEventID: s.ConsentEventID})
	}
	bIdx := add(ex.B)
	for _, rs := range ex.Reasons {
		_, subj := refLabel(rs.Subject, n)
		if rs.Subject.Type == "" {
			subj = ""
		} else {
			add(rs.Subject) // drawn too, with its reason below it
		}
		pg.Reasons = append(pg.Reasons, reasonView{Code: string(rs.Code), Subject: subj, Detail: rs.Detail, ConsentEventID: rs.ConsentEventID, EventIDs: rs.EventIDs})
	}

	// Layout: identifiers on a line (a circle when there are many), the
	// reasons in a row below.
	g := graphView{W: 900, H: 200}
	if len(pg.Reasons) > 0 {
		g.H = 360
	}
	pos := make([]gNode, len(refs))
	for i, ref := range refs {
		l, f := refLabel(ref, n)
		nd := gNode{Label: l, Full: f, Class: "mid", Anchor: "middle"}
		if i == 0 || i == bIdx {
			nd.Class = "end"
		}
		if len(refs) <= 6 {
			nd.X = 90 + float64(i)*(g.W-180)/math.Max(1, float64(len(refs)-1))
			nd.Y = 90
		} else {
			a := 2*math.Pi*float64(i)/float64(len(refs)) - math.Pi/2
			nd.X, nd.Y = g.W/2+300*math.Cos(a), 120+90*math.Sin(a)
			g.H = math.Max(g.H, 300)
		}
		pos[i] = nd
	}
	for i, e := range edges {
		a, b := pos[e.a], pos[e.b]
		s := ex.Path[i]
		g.Edges = append(g.Edges, gEdge{X1: a.X, Y1: a.Y, X2: b.X, Y2: b.Y, LX: (a.X + b.X) / 2, LY: (a.Y+b.Y)/2 - 10,
			Label: string(s.Rule), Sub: s.EventID + " · " + fmtTime(s.Time), Title: s.EventID + " " + fmtTime(s.Time), Class: "link"})
	}
	if !ex.Linked {
		a, b := pos[0], pos[bIdx]
		g.Edges = append(g.Edges, gEdge{X1: a.X, Y1: a.Y, X2: b.X, Y2: b.Y, LX: (a.X + b.X) / 2, LY: (a.Y+b.Y)/2 - 10, Label: "not linked", Class: "nolink"})
	}
	for i, rs := range ex.Reasons {
		x := 90 + float64(i)*(g.W-180)/math.Max(1, float64(len(ex.Reasons)-1))
		if len(ex.Reasons) == 1 {
			x = g.W / 2
		}
		nd := gNode{Label: string(rs.Code), Full: pg.Reasons[i].Subject + " " + rs.Detail, X: x, Y: 300, Class: "reason", Anchor: "middle"}
		if j, ok := idx[rs.Subject]; ok {
			s := pos[j]
			g.Edges = append(g.Edges, gEdge{X1: s.X, Y1: s.Y, X2: x, Y2: 300, Class: "why"})
		}
		g.Nodes = append(g.Nodes, nd)
	}
	g.Nodes = append(pos, g.Nodes...)
	pg.Graph = g
	pg.AValue, pg.BValue = strings.TrimSpace(pg.AValue), strings.TrimSpace(pg.BValue)
}
