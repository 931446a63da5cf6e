package service_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
	"github.com/touchpoint-sdk/touchpoint/service"
)

// A technician's app reports the end of a repair visit. The client
// registers the service channels; the asset serial and technician id
// leave as pseudonyms.
func ExampleOccurrence_Event() {
	p, _ := connected.NewPseudonymizer([]byte("example-key-0123456789abcdef"))
	rec := &connectedtest.Recorder{}
	c, _ := connected.New(rec, connected.WithChannels(service.Channels()...))
	defer c.Shutdown(context.Background())

	visit := service.Occurrence{
		Kind: service.KindVisitCompleted, Time: time.Date(2026, 2, 10, 11, 16, 0, 0, time.UTC),
		WorkOrderID: "0WO5g000002AbCd", Outcome: service.OutcomeFixed, TechnicianID: "tech-0077",
		Asset: service.Asset{Product: "HEATPUMP-9KW", Serial: "HP-9X-22811"},
	}
	ev, err := visit.Event(service.Options{Pseudonymizer: p})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Track(context.Background(), ev))
	got := rec.Events()[0]
	fmt.Println(got.Event, got.Context.Channel, got.Properties["outcome"], got.Context.ExternalIDs[0].Type)
	// Output:
	// <nil>
	// Service Visit Completed field fixed asset_serial
}

// Without a pseudonymizer, a serial would leave in the clear: refused.
func ExampleFieldError() {
	_, err := service.Occurrence{Kind: service.KindProductRegistered, Time: time.Now(), UserID: "u42",
		Asset: service.Asset{Product: "HEATPUMP-9KW", Serial: "HP-9X-22811"}}.Event(service.Options{})
	var fe *service.FieldError
	fmt.Println(errors.As(err, &fe), fe.Field, errors.Is(err, service.ErrNoKey))
	// Output: true Asset true
}

func ExampleStatusCategoryOf() {
	for _, s := range []struct {
		sys    service.System
		status string
	}{{service.SystemSalesforce, "Cannot Complete"}, {service.SystemZendesk, "pending"}, {service.SystemFreshdesk, "4"}} {
		c, err := service.StatusCategoryOf(s.sys, s.status)
		fmt.Println(s.sys, s.status, "->", c, c.Open(), err)
	}
	_, err := service.StatusCategoryOf(service.SystemZendesk, "awaiting parts")
	fmt.Println(err)
	// Output:
	// salesforce Cannot Complete -> cannot_complete false <nil>
	// zendesk pending -> on_hold true <nil>
	// freshdesk 4 -> completed false <nil>
	// service: status: invalid field: unknown zendesk status "awaiting parts"
}

func ExampleAsset_Key() {
	k1, _ := service.Asset{Product: "heatpump-9kw", Serial: "HP-9X 22811"}.Key()
	k2, _ := service.Asset{Product: "HEATPUMP9KW", Serial: "hp9x22811"}.Key()
	fmt.Println(k1, k1 == k2)
	// Output: HEATPUMP9KW:HP9X22811 true
}

func ExampleChannels() {
	fmt.Println(service.Channels())
	// Output: [service field contact_center]
}

func ExampleKind_EventName() {
	fmt.Println(service.KindTechnicianArrived.EventName(), service.KindTechnicianArrived.Channel(), service.KindTechnicianArrived)
	// Output: Technician Arrived field technician_arrived
}

// A CRM import computes the pseudonym the events carry.
func ExampleAsset_Pseudonym() {
	p, _ := connected.NewPseudonymizer([]byte("example-key-0123456789abcdef"))
	a := service.Asset{Product: "HEATPUMP-9KW", Serial: "HP-9X-22811"}
	ps, _ := a.Pseudonym(p)
	ev, _ := service.Occurrence{Kind: service.KindProductRegistered, Time: time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC),
		UserID: "u42", Asset: a}.Event(service.Options{Pseudonymizer: p})
	fmt.Println(ps == ev.Properties["asset_serial"], len(ps) == connected.PseudonymLen)
	// Output: true true
}
