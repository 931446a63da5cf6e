package inspect

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// maxFilterLen bounds each filter value of the events page.
const maxFilterLen = 200

// namer shows identifiers: as pseudonyms, or in the clear when revealed.
type namer struct {
	p      *connected.Pseudonymizer
	reveal bool
}

// id returns what the pages show for identifier v: "" for "", v itself
// when revealed or already a pseudonym, its pseudonym otherwise.
func (n namer) id(v string) string {
	if v == "" || n.reveal || isPseudonym(v) {
		return v
	}
	return n.p.Pseudonym(v)
}

// abbr shortens a pseudonym for display: the page shows the full one as
// its tooltip.
func abbr(v string) string {
	if isPseudonym(v) {
		return v[:12] + "…"
	}
	return v
}

func isPseudonym(v string) bool {
	if len(v) != connected.PseudonymLen || !strings.HasPrefix(v, connected.PseudonymPrefix) {
		return false
	}
	for _, c := range v[len(connected.PseudonymPrefix):] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// filter selects the events a viewer asked for.
type filter struct {
	Event   string // case-insensitive substring of the event's name
	Channel string // exact
	Dest    string // exact point
	Type    string // exact
}

func parseFilter(q url.Values) (filter, string) {
	f := filter{Event: q.Get("event"), Channel: q.Get("channel"), Dest: q.Get("dest"), Type: q.Get("type")}
	for name, v := range map[string]string{"event": f.Event, "channel": f.Channel, "dest": f.Dest, "type": f.Type} {
		if len(v) > maxFilterLen {
			return filter{}, "filter " + name + " is longer than " + strconv.Itoa(maxFilterLen) + " bytes"
		}
	}
	return f, ""
}

func (f filter) match(r *row) bool {
	return (f.Event == "" || strings.Contains(strings.ToLower(r.Name), strings.ToLower(f.Event))) &&
		(f.Channel == "" || r.Channel == f.Channel) &&
		(f.Dest == "" || r.Point == f.Dest) &&
		(f.Type == "" || r.Type == f.Type)
}

// row is one event as the events page and the stream show it. It is
// marshalled to JSON for the stream and rendered by the template for the
// page; both escape it.
type row struct {
	Seq       uint64   `json:"seq"`
	At        string   `json:"at"`    // when the tap saw it
	Clock     string   `json:"clock"` // the same, time of day only
	Time      string   `json:"time"`  // the event's time
	Point     string   `json:"point"`
	Type      string   `json:"type"`
	Name      string   `json:"name"`
	Channel   string   `json:"channel"`
	Category  string   `json:"category"`
	Place     string   `json:"place"`
	Zone      string   `json:"zone"`
	User      string   `json:"user"`
	Anon      string   `json:"anon"`
	Profile   string   `json:"profile"`
	Device    string   `json:"device"`
	MessageID string   `json:"id"`
	Keys      []string `json:"keys"`              // property and trait names
	Err       string   `json:"err"`               // the next handler's error, identifiers pseudonymised
	Payload   string   `json:"payload,omitempty"` // the Segment JSON, only when revealed
}

// rowOf builds the row of e. Records rebuilt from bytes carry no Event:
// their payload is decoded here, on the viewer's goroutine.
func (n namer) rowOf(e *Entry) row {
	r := e.Record
	w := row{
		Seq: e.Seq, At: e.At.UTC().Format(time.RFC3339Nano), Clock: e.At.UTC().Format("15:04:05.000"), Time: r.Time.UTC().Format(time.RFC3339Nano),
		Point: e.Point, Type: string(r.Type), Category: string(r.Category), MessageID: r.ID,
		User: n.id(r.UserID), Anon: n.id(r.AnonymousID), Profile: n.id(r.ProfileID),
	}
	ev := r.Event
	if ev == nil {
		if d, err := connected.DecodeSegment(r.Payload); err == nil {
			ev = &d
		}
	}
	var device string
	if ev != nil {
		w.Name = ev.Event
		if ev.Name != "" && w.Name == "" {
			w.Name = ev.Name
		}
		w.Channel = string(ev.Context.Channel)
		w.Place, w.Zone = ev.Context.Location.PlaceID, ev.Context.Location.Zone
		device = ev.Context.Device.ID
		w.Device = n.id(device)
		for k := range ev.Properties {
			w.Keys = append(w.Keys, k)
		}
		for k := range ev.Traits {
			w.Keys = append(w.Keys, "traits."+k)
		}
		sort.Strings(w.Keys)
	}
	if w.Name == "" {
		w.Name = string(r.Type)
	}
	if e.Err != nil {
		w.Err = n.scrub(e.Err.Error(), r.UserID, r.AnonymousID, r.ProfileID, device)
	}
	if n.reveal {
		w.Payload = string(r.Payload)
	}
	return w
}

// scrub replaces the record's identifiers in an error's text by their
// pseudonyms.
func (n namer) scrub(s string, ids ...string) string {
	if n.reveal {
		return s
	}
	for _, id := range ids {
		if len(id) >= 3 && strings.Contains(s, id) {
			s = strings.ReplaceAll(s, id, n.id(id))
		}
	}
	return s
}

// sseData is the JSON of one stream message.
func sseData(v any) []byte {
	b, err := json.Marshal(v) // escapes <, > and & as \u003c...: safe anywhere
	if err != nil {
		return []byte(`{}`)
	}
	return b
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func quote(s string) string { return strconv.Quote(s) }
