package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// report prints each shopper's journey (what was stitched, zones, offers,
// and which destinations received or refused each event) and the delivery
// totals. It reads only what the run recorded, so its output is the same
// on every run with the same seed.
func (s *sim) report(w io.Writer, people []*shopper) error {
	p := s.p
	addressedOnly := map[string]bool{}
	for _, d := range p.dests {
		addressedOnly[d.spec.name] = d.spec.addressedOnly
	}
	refused := map[string][]string{} // messageId -> "dest (reason)"
	for _, a := range p.router.Audit() {
		if a.Reason == consent.ReasonCategory || a.Action == consent.Strip || addressedOnly[a.Destination] {
			continue // a destination that never takes this kind of data; stripped copies show as delivered;
			// the staff app takes only what is addressed to it (its refusals are in the totals)
		}
		refused[a.MessageID] = append(refused[a.MessageID], a.Destination+" ("+a.Reason.String()+")")
	}
	stripped := map[string]map[string]bool{}
	for _, a := range p.router.Audit() {
		if a.Action == consent.Strip {
			if stripped[a.MessageID] == nil {
				stripped[a.MessageID] = map[string]bool{}
			}
			stripped[a.MessageID][a.Destination] = true
		}
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Touchpoint storefront: %s, %s\n", placeID, day.Format("Monday 2 January 2006"))
	for _, sh := range people {
		fmt.Fprintf(bw, "\n%s: %s\n", sh.name, sh.story)
		if sh.household {
			if err := s.reportHousehold(bw); err != nil {
				return err
			}
		} else {
			s.reportProfile(bw, sh)
		}
		for _, id := range p.journal.order {
			if p.journal.byEvent[id] != sh {
				continue
			}
			var got []string
			for _, d := range p.dests {
				if d.got[id] {
					name := d.spec.name
					if stripped[id][name] {
						name += " (stripped)"
					}
					got = append(got, name)
				}
			}
			line := fmt.Sprintf("  %s  %-38s -> %s", s.eventTime(id), p.journal.names[id]+s.detail(id), orNone(got))
			if r := refused[id]; len(r) > 0 {
				line += "  refused: " + strings.Join(r, ", ")
			}
			fmt.Fprintln(bw, line)
		}
		if !sh.household {
			s.reportDecisions(bw, sh)
		}
		if sh.userID == "olga" {
			visit, err := s.repairProfile()
			if err != nil {
				return err
			}
			prof, err := p.graph.Profile(identity.Identifier{Type: identity.TypeUserID, Value: "olga"})
			if err != nil {
				return err
			}
			fmt.Fprintf(bw, "  the washer's serial alone resolves to Olga's profile: %v\n", visit == prof.ID)
		}
	}
	fmt.Fprintf(bw, "\nKiosk: Eve and Finn both signed in at kiosk-12-1.\n")
	ex, err := p.graph.Explain(identity.Identifier{Type: identity.TypeUserID, Value: "eve"}, identity.Identifier{Type: identity.TypeUserID, Value: "finn"})
	if err != nil {
		return err
	}
	fmt.Fprintf(bw, "  same profile: %v; why not: %s\n", ex.Linked, reasons(ex))

	fmt.Fprintf(bw, "\nDelivery (Batcher -> spool -> <dir>/<destination>.ndjson):\n")
	for _, d := range append(p.dests, p.facts) {
		st := d.batcher.Stats()
		lines, err := countLines(d.path)
		if err != nil {
			return err
		}
		sp := d.spool.Stats()
		fmt.Fprintf(bw, "  %-14s accepted %3d, spooled %3d, delivered %3d, dropped %d, left in spool %d, in file %3d\n",
			d.spec.name, st.Enqueued, sp.Enqueued, sp.Delivered, st.DroppedTotal()+sp.DroppedTotal(), sp.SpoolDepth, lines)
	}
	fmt.Fprintln(bw, "\nRefusals by destination and reason (category mismatches not shown):")
	for _, ds := range p.router.Stats() {
		var parts []string
		for r, n := range ds.Refusals {
			if r != consent.ReasonCategory {
				parts = append(parts, fmt.Sprintf("%s %d", r, n))
			}
		}
		sort.Strings(parts)
		fmt.Fprintf(bw, "  %-14s %s\n", ds.Name, orNone(parts))
	}
	st := p.engine.Stats()
	fmt.Fprintf(bw, "\nActivation: events %d, audience entries %d, exits %d, actions fired %d, refused %d, late %d. Identity profiles: %d.\n",
		st.Inputs, st.Entered, st.Exited, st.Fired, st.Refused, st.Late, len(p.graph.Profiles()))
	return bw.Flush()
}

func (s *sim) reportProfile(w io.Writer, sh *shopper) {
	prof, err := s.p.graph.Profile(identity.Identifier{Type: identity.TypeUserID, Value: sh.userID})
	if err != nil {
		fmt.Fprintf(w, "  profile: none (%v)\n", err)
		return
	}
	counts := map[string]int{}
	for _, m := range prof.Members {
		counts[string(m.Type)]++
	}
	var types []string
	for t, n := range counts {
		types = append(types, fmt.Sprintf("%s x%d", t, n))
	}
	sort.Strings(types)
	line := fmt.Sprintf("  profile %s: %s", prof.ID[:14], strings.Join(types, ", "))
	if len(prof.Households) > 0 {
		line += "; household " + prof.Households[0][:14]
	}
	fmt.Fprintln(w, line)
}

// eventTime is the event's time: the time of day, or the date and time
// for events of earlier days.
func (s *sim) eventTime(id string) string { return clock(s.p.journal.times[id]) }

func clock(t time.Time) string {
	if t.Before(day) {
		return t.Format("Jan 2 15:04")
	}
	return "   " + t.Format("15:04:05")
}

// detail adds the zone or product to an event name in the report.
func (s *sim) detail(id string) string { return s.p.journal.details[id] }

func reasons(ex *identity.Explanation) string {
	var out []string
	for _, r := range ex.Reasons {
		out = append(out, string(r.Code))
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ", ")
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, ", ")
}

func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		n++
	}
	return n, sc.Err()
}
