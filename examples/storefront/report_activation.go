package main

import (
	"fmt"
	"io"

	"github.com/touchpoint-sdk/touchpoint/activation"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// why turns the engine's reason codes into the report's words.
var why = map[string]string{
	activation.ReasonRelatedConsent: "the wish was made before the shopper consented to marketing",
	activation.ReasonNoConsent:      "the trigger was collected without consent for the journey's purpose",
	activation.ReasonReentry:        "already done for this wish or order",
	activation.ReasonRevoked:        "marketing consent withdrawn",
	activation.ReasonCap:            "frequency cap reached",
	activation.ReasonQuietHours:     "quiet hours",
	activation.ReasonHoldout:        "in the holdout group",
}

// reportDecisions prints what activation decided for the shopper: each
// action with the reason it fired (and where it went), each refusal with
// its reason, and audience entries and exits.
func (s *sim) reportDecisions(w io.Writer, sh *shopper) {
	p := s.p
	prof, err := p.graph.Profile(identity.Identifier{Type: identity.TypeUserID, Value: sh.userID})
	if err != nil {
		return
	}
	quiet := 0
	for _, o := range p.decided.all {
		if o.Profile != prof.ID {
			continue
		}
		if o.Kind == activation.ActionRefused && o.Reason == activation.ReasonNoRelated && o.Journey == "wish_reminder" {
			quiet++ // a department entered with nothing wished there: not worth a line each
			continue
		}
		var line string
		switch o.Kind {
		case activation.AudienceEntered, activation.AudienceExited:
			verb := "entered"
			if o.Kind == activation.AudienceExited {
				verb = "exited"
			}
			line = fmt.Sprintf("%s %s -> %s", verb, o.Audience, s.received(o.ID))
			if o.Kind == activation.AudienceExited {
				line += "  (" + explain(o.Reason) + ")"
			}
		case activation.ActionFired:
			what := o.Event.Event
			for _, k := range []string{"product_id", "order_id"} {
				if v, ok := o.Event.Properties[k]; ok {
					what += fmt.Sprintf(" %v", v)
				}
			}
			line = fmt.Sprintf("%s -> %s  because %s (journey %s)", what, s.received(o.ID), o.Reason, o.Journey)
		case activation.ActionRefused:
			line = fmt.Sprintf("refused %s on %s: %s", o.Journey, o.Trigger, explain(o.Reason))
		}
		fmt.Fprintf(w, "  %s  activation: %s\n", clock(o.Time), line)
	}
	if quiet > 0 {
		entries := "zone entries"
		if quiet == 1 {
			entries = "zone entry"
		}
		fmt.Fprintf(w, "              activation: %d %s with no wish for that department (wish_reminder: no_related_event)\n", quiet, entries)
	}
}

func explain(code string) string {
	if code == activation.ReasonNoRelated {
		return code + ": no click-and-collect order for this store"
	}
	if w, ok := why[code]; ok {
		return code + ": " + w
	}
	return code
}

// received lists the destinations that took an emitted event.
func (s *sim) received(id string) string {
	var got []string
	for _, d := range s.p.dests {
		if d.got[id] {
			got = append(got, d.spec.name)
		}
	}
	return orNone(got)
}

// reportHousehold prints the household: its id, how many profiles it
// groups, and why Mia and Leo are linked but not merged.
func (s *sim) reportHousehold(w io.Writer) error {
	h, members, err := s.p.graph.Household(identity.Identifier{Type: identity.TypeHouseholdID, Value: s.household()})
	if err != nil {
		return err
	}
	ex, err := s.p.graph.Explain(identity.Identifier{Type: identity.TypeUserID, Value: "mia"}, identity.Identifier{Type: identity.TypeUserID, Value: "leo"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  household %s: %d profiles; Mia and Leo the same profile: %v; why not: %s\n", h[:14], len(members), ex.Linked, reasons(ex))
	return nil
}
