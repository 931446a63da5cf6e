package main

import (
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// day is the simulated date; every time below is UTC on that day.
var day = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func at(hh, mm int) time.Time {
	return day.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

// shopper is one person in the story.
type shopper struct {
	name   string
	story  string
	userID string
	phone  beacon.BeaconID // the app's per-install iBeacon, if they carry the app
	walk   *walk
}

// step is one scripted action at a time.
type step struct {
	at time.Time
	do func(s *sim) error
}

// phoneBeacon returns the iBeacon a shopper's app install advertises.
func phoneBeacon(install int) beacon.BeaconID {
	id, err := beacon.ParseBeaconID("ibeacon:" + appUUID + ":12:" + itoa(install))
	if err != nil {
		panic(err) // a constant UUID: cannot fail
	}
	return id
}

// allConsent is the Segment categoryPreferences of a visitor who accepted
// analytics, marketing and location but not advertising.
var allConsent = connected.Consent{CategoryPreferences: map[string]bool{
	"Analytics": true, "Marketing": true, "Location": true, "Advertising": false}}

// script returns the shoppers and the day's steps.
func script() ([]*shopper, []step) {
	ana := &shopper{name: "Ana", userID: "ana", phone: phoneBeacon(1001),
		story: "browses trail boots on the web, signs up and consents, wishlists them, arrives with the app",
		walk:  &walk{start: at(10, 0), stops: []stop{{0, 60 * time.Second}, {18, 5 * time.Minute}, {36, 8 * time.Minute}, {54, 11 * time.Minute}}}}
	ben := &shopper{name: "Ben", userID: "ben", phone: phoneBeacon(1002),
		story: "wishlisted a jacket on the web last night before consenting; runs with a strap, then shops"}
	ben.walk = &walk{start: at(9, 55), stops: []stop{{0, 40 * time.Second}, {36, 6 * time.Minute}, {54, 8 * time.Minute}}}
	chris := &shopper{name: "Chris", userID: "chris", story: "drives the family car in the morning, with no order to collect"}
	carla := &shopper{name: "Carla", userID: "carla", phone: phoneBeacon(1003),
		story: "orders click-and-collect, drives in with the same car (a household, not one person)",
		walk:  &walk{start: at(12, 0), stops: []stop{{0, 30 * time.Second}, {18, 4 * time.Minute}, {54, 6 * time.Minute}}}}
	dan := &shopper{name: "Dan", userID: "dan", phone: phoneBeacon(1004),
		story: "revokes marketing consent at the door",
		walk:  &walk{start: at(10, 30), stops: []stop{{0, 3 * time.Minute}, {36, 7 * time.Minute}, {54, 9 * time.Minute}}}}
	eve := &shopper{name: "Eve", userID: "eve", story: "signs in at the shared kiosk"}
	finn := &shopper{name: "Finn", userID: "finn", story: "signs in at the same kiosk twenty minutes later"}
	people := []*shopper{ana, ben, chris, carla, dan, eve, finn}

	web := connected.Context{Channel: connected.ChannelWeb, UserAgent: "Mozilla/5.0 (Macintosh)"}
	steps := []step{
		// Ben and Dan opted in to analytics, marketing and location in the
		// app last month, and came to the store last week.
		{day.AddDate(0, 0, -30), grant(ben, consent.SourceAppSetting, consent.PurposeAnalytics, consent.PurposeMarketing, consent.PurposeHealth, consent.PurposeLocation)},
		{day.AddDate(0, 0, -30), grant(dan, consent.SourceAppSetting, consent.PurposeAnalytics, consent.PurposeMarketing, consent.PurposeLocation)},
		{day.AddDate(0, 0, -7).Add(17 * time.Hour), track(ben, connected.Event{UserID: "ben", AnonymousID: "app-ben", Event: "Application Opened",
			Context: connected.Context{Channel: connected.ChannelMobile}})},
		{day.AddDate(0, 0, -6).Add(12 * time.Hour), track(dan, connected.Event{UserID: "dan", AnonymousID: "app-dan", Event: "Application Opened",
			Context: connected.Context{Channel: connected.ChannelMobile}})},

		// Last night Ben browsed anonymously on his laptop and wishlisted
		// a jacket, with no consent given there; then he signed in.
		{day.Add(-3 * time.Hour), track(ben, connected.Event{AnonymousID: "web-b3n1", Event: connected.EventProductAddedToWishlist,
			Properties: connected.Properties{"product_id": "jacket-88", "name": "Rain jacket", "price": 89.0, "department": "sportswear"}, Context: web})},
		{day.Add(-3*time.Hour + 5*time.Minute), track(ben, connected.Event{Type: connected.TypeIdentify, UserID: "ben", AnonymousID: "web-b3n1",
			Category: connected.CategoryIdentity, Context: web})},

		// Ana, anonymous on the web: no consent yet.
		{at(8, 40), track(ana, connected.Event{AnonymousID: "web-7f3a", Type: connected.TypePage, Name: "Trail boots", Context: web})},
		// She signs up and accepts the consent banner, then wishlists the boots.
		{at(8, 45), track(ana, connected.Event{Type: connected.TypeIdentify, UserID: "ana", AnonymousID: "web-7f3a",
			Traits: connected.Traits{"email": "Ana.Lima@Example.com"}, Category: connected.CategoryIdentity,
			Context: connected.Context{Channel: connected.ChannelWeb, Consent: allConsent}})},
		{at(8, 50), track(ana, connected.Event{UserID: "ana", AnonymousID: "web-7f3a", Event: connected.EventProductAddedToWishlist,
			Properties: connected.Properties{"product_id": "boot-1207", "name": "Trail boot", "price": 129.95, "department": "shoes"},
			Context:    connected.Context{Channel: connected.ChannelWeb, Consent: allConsent}})},

		// Ben's run, relayed from his strap.
		{at(9, 12), workout(ben, at(9, 12), 30*time.Minute)},

		// Chris drives the family car; he consented in the car's app, but has no order to collect.
		{at(9, 0), grant(chris, consent.SourceAppSetting, consent.PurposeAnalytics, consent.PurposeLocation, purposeFulfilment)},
		{at(9, 10), vehicle(chris, 15)},

		{at(10, 25), track(dan, connected.Event{UserID: "dan", Event: connected.EventProductViewed,
			Properties: connected.Properties{"product_id": "jacket-88", "department": "sportswear"}, Context: connected.Context{Channel: connected.ChannelMobile}})},
		{at(10, 31), revoke(dan, consent.SourceStoreKiosk, consent.PurposeMarketing)},

		// The shared kiosk.
		{at(11, 0), kiosk(eve, "eve@example.com")},
		{at(11, 2), track(eve, connected.Event{UserID: "eve", Event: connected.EventProductViewed,
			Properties: connected.Properties{"product_id": "boot-1207"}, Context: kioskContext()})},
		{at(11, 20), kiosk(finn, "finn@example.com")},

		// Carla orders for collection; checkout records that the store may
		// prepare it when her car is near (the fulfilment purpose).
		{at(10, 0), grant(carla, consent.SourceAppSetting, consent.PurposeAnalytics, consent.PurposeMarketing, consent.PurposeLocation)},
		{at(10, 40), grant(carla, consent.Source("checkout"), purposeFulfilment)},
		{at(10, 40), track(carla, connected.Event{UserID: "carla", Event: connected.EventOrderCompleted,
			Properties: connected.Properties{"order_id": "web-77120", "total": 64.5, "currency": "EUR", "fulfillment": "click_and_collect", "place_id": placeID},
			Context:    connected.Context{Channel: connected.ChannelWeb}, Category: connected.CategoryTransaction})},
		{at(11, 25), vehicle(carla, 35)},
		{at(11, 40), vehicle(carla, 18)},
	}
	// Everyone with the app opens it at the door: the app tells the store
	// which pseudonymous beacon it advertises, so zone events stitch.
	for _, p := range people {
		if p.walk != nil {
			steps = append(steps, step{p.walk.start.Add(-30 * time.Second), appOpened(p)})
		}
	}
	// Ana pays at the till with her loyalty card.
	steps = append(steps, step{at(10, 10), track(ana, connected.Event{UserID: "ana", Event: connected.EventOrderCompleted,
		Properties: connected.Properties{"order_id": "pos-12-5531", "total": 129.95, "currency": "EUR",
			"products": []any{map[string]any{"product_id": "boot-1207", "price": 129.95, "quantity": 1}}},
		Context: connected.Context{Channel: connected.ChannelPOS, ExternalIDs: []connected.ExternalID{
			{ID: "L-99812", Type: "loyalty_id", Collection: "users", Encoding: "none"}}},
		Category: connected.CategoryTransaction})})
	return people, steps
}

func kioskContext() connected.Context {
	return connected.Context{Channel: connected.ChannelKiosk, ExternalIDs: []connected.ExternalID{
		{ID: "kiosk-12-1", Type: "kiosk_id", Collection: "devices", Encoding: "none"}}}
}
