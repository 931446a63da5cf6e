package plan

import (
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// attach returns a copy of r whose event carries vs (at most maxN) in
// context.protocols.violations, re-encoded. The original record and event
// are not modified.
func attach(r *connected.Record, e *connected.Event, vs []Violation, maxN, maxBytes int) (*connected.Record, error) {
	ev := *e
	extra := make(map[string]any, len(e.Context.Extra)+1)
	for k, v := range e.Context.Extra {
		extra[k] = v
	}
	prot := map[string]any{}
	if old, ok := extra["protocols"]; ok && old != nil {
		om, ok := old.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: record %s: context.protocols is a %T, not an object", ErrAttach, r.ID, old)
		}
		for k, v := range om {
			prot[k] = v
		}
	}
	n := min(len(vs), maxN)
	list := make([]any, n)
	for i, v := range vs[:n] {
		list[i] = map[string]any{"type": v.Kind.String(), "field": v.Field, "description": v.Reason}
	}
	prot["violations"] = list
	if len(vs) > n {
		prot["violationsOmitted"] = len(vs) - n
	} else {
		delete(prot, "violationsOmitted")
	}
	extra["protocols"] = prot
	ev.Context.Extra = extra
	if ev.MessageID == "" {
		ev.MessageID = r.ID
	}
	b, err := connected.AppendSegment(nil, &ev)
	if err != nil {
		return nil, fmt.Errorf("plan: record %s: attaching violations: %w", r.ID, err)
	}
	if len(b) > maxBytes {
		return nil, &connected.SizeError{Size: len(b), Limit: maxBytes}
	}
	r2 := *r
	r2.Payload = b
	r2.Event = &ev
	return &r2, nil
}
