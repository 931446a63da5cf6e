package activation

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func mustSet(t testing.TB, js string) *defs.Set {
	t.Helper()
	s, err := defs.Decode([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const storeDefs = `{"version": 1,
 "traits": [
  {"key": "visits", "kind": "count", "event": "Application Opened", "within": "30d", "purpose": "marketing"},
  {"key": "fav_zone", "kind": "most_frequent", "event": "Zone Entered", "property": "context.location.zone", "within": "30d"},
  {"key": "wished", "kind": "unique_list", "event": "Product Added to Wishlist", "property": "properties.product_id", "within": "30d", "limit": 3},
  {"key": "spend", "kind": "sum", "event": "Order Completed", "property": "properties.total", "within": "90d"},
  {"key": "avg_order", "kind": "avg", "event": "Order Completed", "property": "properties.total"},
  {"key": "max_order", "kind": "max", "event": "Order Completed", "property": "properties.total"},
  {"key": "min_order", "kind": "min", "event": "Order Completed", "property": "properties.total"},
  {"key": "first_zone", "kind": "first", "event": "Zone Entered", "property": "context.location.zone"},
  {"key": "last_zone", "kind": "last", "event": "Zone Entered", "property": "context.location.zone"},
  {"key": "zones_seen", "kind": "unique_count", "event": "Zone Entered", "property": "context.location.zone"},
  {"key": "since_order", "kind": "since_last", "event": "Order Completed"}
 ],
 "audiences": [
  {"key": "frequent", "where": {"event": {"event": "Application Opened", "within": "7d", "count": {"op": "gte", "value": 2}}}},
  {"key": "boot_fan", "where": {"all": [
     {"event": {"event": "Product Viewed", "where": [{"path": "properties.category", "op": "eq", "value": "boots"}], "within": "7d", "count": {"op": "gte", "value": 2}}},
     {"presence": {"zone": "shoes", "min_dwell": "2m", "within": "1d"}}]}},
  {"key": "vip", "where": {"any": [{"trait": {"key": "tier", "op": "eq", "value": "gold"}}, {"trait": {"key": "spend", "op": "gte", "value": 500}}]}},
  {"key": "lapsed", "where": {"all": [{"audience": "frequent"}, {"not": {"event": {"event": "Order Completed", "within": "30d"}}}]}}
 ],
 "journeys": [
  {"key": "wish_reminder", "trigger": {"event": "Zone Entered"},
   "related": {"event": "Product Added to Wishlist", "within": "30d", "match": [{"path": "properties.department", "trigger": "context.location.zone"}]},
   "action": {"emit": "Offer Triggered", "destination": "marketing", "properties": {"product_id": "$related.properties.product_id", "zone": "$trigger.context.location.zone", "campaign": "wish"}},
   "cap": {"max": 2, "per": "1d"}, "reentry": {"mode": "once", "key": "related"}},
  {"key": "cart_nudge", "trigger": {"event": "Product Added"},
   "wait": {"for": "2h", "unless": {"event": "Order Completed"}}, "exit": [{"event": "Store Closed"}],
   "action": {"emit": "Cart Reminder", "handler": "crm"}, "reentry": {"mode": "after", "after": "1d"}},
  {"key": "night", "trigger": {"event": "Night Ping"}, "quiet_hours": {"start": "22:00", "end": "07:00", "timezone": "UTC"},
   "action": {"emit": "Pinged"}},
  {"key": "night_defer", "trigger": {"event": "Night Ping"}, "quiet_hours": {"start": "22:00", "end": "07:00", "mode": "defer"},
   "action": {"emit": "Pinged Later"}},
  {"key": "half", "trigger": {"event": "Coin"}, "holdout": 50, "action": {"emit": "Heads"}}
 ]}`

// harness drives an engine with a simple event builder.
type harness struct {
	t   testing.TB
	e   *Engine
	out []Output
	n   int
	all Purposes
}

// crm registers the "crm" handler storeDefs' cart_nudge names (New refuses
// a set naming a handler not registered); it does nothing.
var crm = WithHandler("crm", func(context.Context, Output) error { return nil })

// newHarness is an engine over set with the crm handler registered first
// (opts may register another).
func newHarness(t testing.TB, set *defs.Set, opts ...Option) *harness {
	t.Helper()
	e, err := New(set, append([]Option{crm}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, e: e, all: e.PurposesOf(consent.PurposeMarketing, consent.PurposePersonalization, consent.PurposeLocation, consent.PurposeAnalytics)}
}

type ev struct {
	profile, key string
	at           time.Duration
	name         string
	props        connected.Properties
	zone         string
	purp         Purposes
	typ          connected.Type
	traits       connected.Traits
	id           string
}

func (h *harness) input(x ev) Input {
	h.n++
	if x.id == "" {
		x.id = fmt.Sprintf("m-%04d", h.n)
	}
	if x.key == "" {
		x.key = "k-" + x.profile
	}
	typ := x.typ
	if typ == "" {
		typ = connected.TypeTrack
	}
	return Input{Profile: x.profile, Identities: []Identity{{Key: x.key, Profile: x.profile}}, MessageID: x.id, Time: t0.Add(x.at),
		Purposes: x.purp, UserID: "u-" + x.profile,
		Event: &connected.Event{Type: typ, Event: x.name, Properties: x.props, Traits: x.traits,
			Context: connected.Context{Location: connected.Location{Zone: x.zone}}}}
}

func (h *harness) emit(x ev) []Output {
	h.t.Helper()
	out, err := h.e.Process(context.Background(), h.input(x), nil)
	if err != nil {
		h.t.Fatal(err)
	}
	h.out = append(h.out, out...)
	return out
}

func (h *harness) advance(d time.Duration) []Output {
	h.t.Helper()
	out, err := h.e.Advance(context.Background(), t0.Add(d), nil)
	if err != nil {
		h.t.Fatal(err)
	}
	h.out = append(h.out, out...)
	return out
}

func kinds(out []Output) string {
	s := ""
	for _, o := range out {
		if s != "" {
			s += " "
		}
		switch o.Kind {
		case AudienceEntered, AudienceExited:
			s += o.Kind.String() + ":" + o.Audience
		default:
			s += o.Kind.String() + ":" + o.Journey
			if o.Kind == ActionRefused {
				s += "(" + o.Reason + ")"
			}
		}
	}
	return s
}
