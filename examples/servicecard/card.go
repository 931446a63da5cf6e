package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/service"
)

// card is what the technician's app shows.
type card struct {
	profile   string
	at        time.Time
	purchases []purchase
	products  map[string]*product // by asset pseudonym
	cases     map[string]*caseState
	lastChat  string
	consent   []consentLine
	marketing bool
}

type purchase struct {
	at                    time.Time
	order, store, payment string
	total                 float64
	currency              string
}

type product struct {
	sku, asset            string
	installed, registered time.Time
	warranty, plan        string
	warrantyEnd           time.Time
}

type caseState struct {
	id, status  string
	category    service.StatusCategory
	opened      time.Time
	appointment string
}

type consentLine struct {
	purpose consent.Purpose
	fact    consent.Fact
	ok      bool
}

func str(p connected.Properties, k string) string { s, _ := p[k].(string); return s }

// buildCard reads a profile's records, in event-time order, into a card.
func buildCard(profile string, recs []*connected.Record, l *consent.Ledger, now time.Time) *card {
	slices.SortStableFunc(recs, func(a, b *connected.Record) int { return a.Time.Compare(b.Time) })
	c := &card{profile: profile, at: now, products: map[string]*product{}, cases: map[string]*caseState{}}
	prod := func(p connected.Properties) *product {
		a := str(p, "asset_serial")
		if c.products[a] == nil {
			c.products[a] = &product{sku: str(p, "product_sku"), asset: a}
		}
		return c.products[a]
	}
	for _, r := range recs {
		e := r.Event
		if e == nil || e.Type != connected.TypeTrack {
			continue
		}
		p := e.Properties
		switch e.Event {
		case connected.EventOrderCompleted:
			total, _ := p["total"].(float64)
			c.purchases = append(c.purchases, purchase{at: r.Time, order: str(p, "order_id"), store: str(p, "store_id"),
				payment: strings.TrimSpace(str(p, "payment_method") + " " + str(p, "entry_method")), total: total, currency: str(p, "currency")})
		case service.EventProductInstalled:
			prod(p).installed = r.Time
		case service.EventProductRegistered:
			prod(p).registered = r.Time
		case service.EventWarrantyRegistered:
			pr := prod(p)
			pr.warranty, pr.plan = str(p, "warranty_id"), str(p, "warranty_plan")
			pr.warrantyEnd, _ = p["warranty_end"].(time.Time)
		case service.EventCaseOpened, service.EventCaseUpdated, service.EventCaseResolved:
			id := str(p, "case_id")
			cs := c.cases[id]
			if cs == nil {
				cs = &caseState{id: id, opened: r.Time}
				c.cases[id] = cs
			}
			cs.status, cs.category = str(p, "status"), service.StatusCategory(str(p, "status_category"))
		case service.EventAppointmentScheduled:
			if cs := c.cases[str(p, "case_id")]; cs != nil {
				ws, _ := p["arrival_window_start"].(time.Time)
				we, _ := p["arrival_window_end"].(time.Time)
				cs.appointment = fmt.Sprintf("visit %s %s-%s", ws.Format("2006-01-02"), ws.Format("15:04"), we.Format("15:04"))
			}
		case service.EventChatEnded:
			secs, _ := p["conversation_duration"].(float64)
			c.lastChat = fmt.Sprintf("live chat %s on %s, %v", str(p, "conversation_id"), r.Time.Format("2006-01-02"), time.Duration(secs*float64(time.Second)))
		}
	}
	for _, pu := range []consent.Purpose{consent.PurposeAnalytics, consent.PurposePersonalization, consent.PurposeMarketing, consent.PurposeLocation} {
		f, ok := l.Current(profile, pu)
		c.consent = append(c.consent, consentLine{purpose: pu, fact: f, ok: ok})
		if pu == consent.PurposeMarketing {
			c.marketing = ok && f.Granted
		}
	}
	return c
}

func (c *card) write(w io.Writer) {
	fmt.Fprintf(w, "CUSTOMER CONTEXT CARD  %s UTC\n", c.at.Format("2006-01-02 15:04"))
	fmt.Fprintf(w, "profile %s (found from the asset on site)\n", c.profile)

	fmt.Fprintln(w, "\nInstalled products")
	assets := make([]string, 0, len(c.products))
	for a := range c.products {
		assets = append(assets, a)
	}
	slices.Sort(assets)
	for _, a := range assets {
		p := c.products[a]
		fmt.Fprintf(w, "  %s  asset %s…\n", p.sku, p.asset[:12])
		fmt.Fprintf(w, "    installed %s, registered %s\n", date(p.installed), date(p.registered))
		if p.warranty != "" {
			state := "in warranty"
			if !c.at.Before(p.warrantyEnd) {
				state = "warranty expired"
			}
			fmt.Fprintf(w, "    warranty %s (%s) until %s: %s\n", p.warranty, p.plan, date(p.warrantyEnd), state)
		}
	}

	fmt.Fprintln(w, "\nBought")
	for _, p := range c.purchases {
		fmt.Fprintf(w, "  %s  %-18s %9.2f %s  store %s, %s\n", date(p.at), p.order, p.total, p.currency, p.store, p.payment)
	}

	var open, closed []*caseState
	for _, cs := range c.cases {
		if cs.category.Open() {
			open = append(open, cs)
		} else {
			closed = append(closed, cs)
		}
	}
	slices.SortFunc(open, func(a, b *caseState) int { return b.opened.Compare(a.opened) })
	fmt.Fprintf(w, "\nOpen cases (%d)\n", len(open))
	for _, cs := range open {
		fmt.Fprintf(w, "  %s  %s (%s) since %s", cs.id, cs.category, cs.status, date(cs.opened))
		if cs.appointment != "" {
			fmt.Fprintf(w, ", %s", cs.appointment)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Closed cases: %d\n", len(closed))
	if c.lastChat != "" {
		fmt.Fprintf(w, "Last contact: %s\n", c.lastChat)
	}

	fmt.Fprintln(w, "\nConsent")
	for _, l := range c.consent {
		switch {
		case !l.ok:
			fmt.Fprintf(w, "  %-16s no decision (treated as no)\n", l.purpose)
		default:
			yes := "no"
			if l.fact.Granted {
				yes = "yes"
			}
			fmt.Fprintf(w, "  %-16s %-3s since %s (%s, %s)\n", l.purpose, yes, date(l.fact.Effective), l.fact.Source, l.fact.Document)
		}
	}
	if !c.marketing {
		fmt.Fprintln(w, "  -> do not offer products or upgrades on this visit")
	}
}

func date(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02")
}
