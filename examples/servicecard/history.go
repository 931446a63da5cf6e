package main

import (
	"context"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/pos"
	"github.com/touchpoint-sdk/touchpoint/service"
)

// The customer's heat pump and loyalty card.
var heatPump = service.Asset{Product: "HEATPUMP-9KW", Serial: "HP-9X-22811"}

const loyaltyCard = "GOLD-7712-04"

func day(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// stripeCharge is a Stripe Terminal charge.succeeded webhook as the
// shop's endpoint receives it (see pos/testdata for a full capture).
func stripeCharge(n int, at time.Time, cents int, order string) []byte {
	return fmt.Appendf(nil, `{"id":"evt_demo%03d","object":"event","type":"charge.succeeded","created":%d,"data":{"object":{`+
		`"id":"ch_demo%03d","object":"charge","amount":%d,"amount_captured":%d,"captured":true,"currency":"eur","created":%d,`+
		`"status":"succeeded","paid":true,"payment_intent":"pi_demo%03d","customer":null,`+
		`"metadata":{"order_id":%q,"store_id":"berlin-mitte","loyalty_id":%q},`+
		`"payment_method_details":{"type":"card_present","card_present":{"brand":"visa","last4":"4242","exp_month":12,"exp_year":2029,`+
		`"fingerprint":"Xt5EWLLDS7FJjR1c","read_method":"contactless_emv"}}}}}`,
		n, at.Unix(), n, cents, cents, at.Unix(), n, order, loyaltyCard)
}

// history plays what the customer did before the visit.
func history(ctx context.Context, w *world) error {
	so := service.Options{Pseudonymizer: w.ps}
	// The customer signs in to the app and adds their loyalty card: the
	// app sends the card's pseudonym, the one the till will send too.
	profile, err := w.track(ctx, connected.Event{
		Type: connected.TypeIdentify, MessageID: "app-identify-1", UserID: "u42",
		OriginalTimestamp: day(2025, 1, 2, 18, 0),
		Context: connected.Context{Channel: connected.ChannelMobile, ExternalIDs: []connected.ExternalID{{
			ID: pos.Pseudonym(w.ps, pos.IDLoyalty, loyaltyCard), Type: string(pos.IDLoyalty), Collection: "users", Encoding: "none"}}},
	})
	if err != nil {
		return err
	}
	// Their choices in the app's privacy settings.
	for _, f := range []struct {
		p       consent.Purpose
		granted bool
	}{{consent.PurposeAnalytics, true}, {consent.PurposePersonalization, true}, {consent.PurposeMarketing, false}, {consent.PurposeLocation, false}} {
		if _, err := w.ledger.Record(ctx, consent.Fact{Subject: profile, Purpose: f.p, Granted: f.granted,
			Effective: day(2025, 1, 2, 18, 1), Source: consent.SourceAppSetting, Document: "privacy-2024-11", Jurisdiction: "EU"}); err != nil {
			return err
		}
	}

	var evs []connected.Event
	// Two purchases at the till, paid by card, with the loyalty card.
	for i, p := range []struct {
		at    time.Time
		cents int
		order string
	}{{day(2025, 1, 7, 15, 12), 749900, "ord_20250107_0007"}, {day(2025, 9, 3, 11, 40), 4990, "ord_20250903_0113"}} {
		n, err := pos.DecodeStripe(stripeCharge(i+1, p.at, p.cents, p.order))
		if err != nil {
			return err
		}
		ev, err := n.Event(pos.Options{Pseudonymizer: w.ps})
		if err != nil {
			return err
		}
		evs = append(evs, ev)
	}
	// Installation, registration, warranty; an old case; a chat; the case
	// this visit is for; another open case.
	for _, o := range []service.Occurrence{
		{Kind: service.KindProductInstalled, Time: day(2025, 1, 15, 14, 0), UserID: "u42", WorkOrderID: "0WO5g000000Inst", Asset: heatPump, ProductCategory: "heat_pumps"},
		{Kind: service.KindProductRegistered, Time: day(2025, 1, 16, 9, 30), UserID: "u42", Asset: heatPump},
		{Kind: service.KindWarrantyRegistered, Time: day(2025, 1, 16, 9, 31), UserID: "u42", Asset: heatPump,
			WarrantyID: "W-2025-00912", WarrantyPlan: "5y-parts-labour", WarrantyEnd: day(2030, 1, 15, 0, 0)},
		{Kind: service.KindCaseOpened, Time: day(2025, 10, 2, 8, 15), UserID: "u42", CaseID: "500Hs00001Old01", Status: "new", StatusCategory: service.StatusNew},
		{Kind: service.KindCaseResolved, Time: day(2025, 10, 5, 16, 0), UserID: "u42", CaseID: "500Hs00001Old01", Status: "solved", StatusCategory: service.StatusCompleted},
		{Kind: service.KindCaseOpened, Time: day(2026, 1, 20, 10, 5), UserID: "u42", CaseID: "500Hs00001Fan07", Status: "new", StatusCategory: service.StatusNew, Asset: heatPump},
		{Kind: service.KindCaseUpdated, Time: day(2026, 1, 21, 9, 0), UserID: "u42", CaseID: "500Hs00001Fan07", PreviousStatus: "new", Status: "pending", StatusCategory: service.StatusOnHold},
		{Kind: service.KindChatStarted, Time: day(2026, 2, 6, 19, 2), UserID: "u42", ConversationID: "conv_5512", AgentID: "agent.mia"},
		{Kind: service.KindChatEnded, Time: day(2026, 2, 6, 19, 31), UserID: "u42", ConversationID: "conv_5512", AgentID: "agent.mia", Duration: 29*time.Minute + 30*time.Second},
		{Kind: service.KindCaseOpened, Time: day(2026, 2, 7, 8, 50), UserID: "u42", CaseID: "500Hs00001XyZab", Status: "new", StatusCategory: service.StatusNew, Asset: heatPump},
		{Kind: service.KindCaseUpdated, Time: day(2026, 2, 7, 9, 5), UserID: "u42", CaseID: "500Hs00001XyZab", PreviousStatus: "new", Status: "open", StatusCategory: service.StatusInProgress},
		{Kind: service.KindAppointmentScheduled, Time: day(2026, 2, 8, 9, 41), UserID: "u42", CaseID: "500Hs00001XyZab",
			WorkOrderID: "0WO5g000002AbCd", AppointmentID: "08p5g000001XyZ", WindowStart: day(2026, 2, 10, 9, 0), WindowEnd: day(2026, 2, 10, 11, 0), Asset: heatPump},
	} {
		ev, err := o.Event(so)
		if err != nil {
			return err
		}
		evs = append(evs, ev)
	}
	for _, ev := range evs {
		if _, err := w.track(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}
