package main

import (
	"context"
	"sync"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// offers is the marketing use case: a shopper who put a product on their
// wishlist online gets an offer for it when they walk into its department.
// It is middleware after identity stitching, so a wishlist made as an
// anonymous web visitor and a zone entry heard from the app meet in one
// profile. Offers are queued and emitted by the simulation after the
// current event, never from inside the pipeline.
type offers struct {
	graph *identity.Graph
	mu    sync.Mutex
	// wishes remembers products by the identifier they were wished under;
	// matching goes through the graph at trigger time, because profiles
	// merge after the wish (the anonymous visitor logs in later).
	wishes  []wish
	pending []offer
}

type wish struct {
	id         identity.Identifier
	product    string
	department string
}

type offer struct {
	profile    string
	product    string
	department string
	trigger    *connected.Record
}

func newOffers(g *identity.Graph) *offers { return &offers{graph: g} }

func (o *offers) middleware(next connected.Handler) connected.Handler {
	return connected.HandlerFunc(func(ctx context.Context, r *connected.Record) error {
		e := r.Event // set: middleware always sees the Event
		if e == nil {
			return next.Handle(ctx, r)
		}
		switch e.Event {
		case connected.EventProductAddedToWishlist:
			product, _ := e.Properties["product_id"].(string)
			dept, _ := e.Properties["department"].(string)
			id := identity.Identifier{Type: identity.TypeAnonymousID, Value: e.AnonymousID}
			if e.UserID != "" {
				id = identity.Identifier{Type: identity.TypeUserID, Value: e.UserID}
			}
			o.mu.Lock()
			o.wishes = append(o.wishes, wish{id, product, dept})
			o.mu.Unlock()
		case connected.EventZoneEntered:
			o.match(r)
		}
		return next.Handle(ctx, r)
	})
}

// match queues an offer for every wish of the record's profile that is
// sold in the zone just entered.
func (o *offers) match(r *connected.Record) {
	if r.ProfileID == "" {
		return
	}
	zone := r.Event.Context.Location.Zone
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := 0; i < len(o.wishes); i++ {
		w := o.wishes[i]
		if w.department != zone {
			continue
		}
		p, err := o.graph.Profile(w.id)
		if err != nil || p.ID != r.ProfileID {
			continue
		}
		o.pending = append(o.pending, offer{r.ProfileID, w.product, zone, r})
		o.wishes = append(o.wishes[:i], o.wishes[i+1:]...) // one offer per wish
		i--
	}
}

// take returns and forgets the queued offers.
func (o *offers) take() []offer {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.pending
	o.pending = nil
	return out
}
