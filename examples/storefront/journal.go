package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// journal remembers, for the report, which shopper each event belongs to.
// It is the first middleware, so it sees every record the client emits.
// A real deployment needs none of this: it is how the demo prints journeys.
type journal struct {
	mu      sync.Mutex
	owners  map[string]*shopper  // any identifier a shopper uses -> shopper
	byEvent map[string]*shopper  // messageId -> shopper
	names   map[string]string    // messageId -> event name
	details map[string]string    // messageId -> zone, product or ETA
	times   map[string]time.Time // messageId -> event time
	order   []string             // messageIds in emit order
}

func newJournal() *journal {
	return &journal{owners: map[string]*shopper{}, byEvent: map[string]*shopper{}, names: map[string]string{},
		details: map[string]string{}, times: map[string]time.Time{}}
}

// own declares that identifier belongs to s.
func (j *journal) own(s *shopper, identifier string) {
	j.mu.Lock()
	j.owners[identifier] = s
	j.mu.Unlock()
}

func (j *journal) middleware(next connected.Handler) connected.Handler {
	return connected.HandlerFunc(func(ctx context.Context, r *connected.Record) error {
		j.mu.Lock()
		s := j.owners[r.UserID]
		if s == nil {
			s = j.owners[r.AnonymousID]
		}
		if s != nil {
			j.byEvent[r.ID] = s
		}
		var e connected.Event // middleware always sees the Event; be safe anyway
		if r.Event != nil {
			e = *r.Event
		}
		name := e.Event
		if name == "" {
			name = string(r.Type)
			if e.Name != "" {
				name += " " + e.Name
			}
		}
		j.names[r.ID] = name
		j.details[r.ID] = detail(&e)
		j.times[r.ID] = r.Time
		j.order = append(j.order, r.ID)
		j.mu.Unlock()
		return next.Handle(ctx, r)
	})
}

// detail is what the report shows next to an event's name.
func detail(e *connected.Event) string {
	if z := e.Context.Location.Zone; z != "" && e.Event != connected.EventOfferTriggered {
		return " " + z
	}
	if p, ok := e.Properties["product_id"].(string); ok {
		return " " + p
	}
	if eta, ok := e.Properties["eta_minutes"]; ok {
		return fmt.Sprintf(" eta %v min", eta)
	}
	return ""
}
