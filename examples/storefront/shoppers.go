package main

import (
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/pos"
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
	// household: this entry is a household, not a person (userID is
	// empty): its events are the household's own.
	household bool
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
	chris := &shopper{name: "Chris", userID: "chris", story: "drives the family car to the store in the morning, with no order to collect"}
	carla := &shopper{name: "Carla", userID: "carla", phone: phoneBeacon(1003),
		story: "orders click-and-collect, drives in with the same car (a household, not one person)",
		walk:  &walk{start: at(12, 0), stops: []stop{{0, 30 * time.Second}, {18, 4 * time.Minute}, {54, 6 * time.Minute}}}}
	dan := &shopper{name: "Dan", userID: "dan", phone: phoneBeacon(1004),
		story: "revokes marketing consent at the door",
		walk:  &walk{start: at(10, 30), stops: []stop{{0, 3 * time.Minute}, {36, 7 * time.Minute}, {54, 9 * time.Minute}}}}
	eve := &shopper{name: "Eve", userID: "eve", story: "signs in at the shared kiosk"}
	finn := &shopper{name: "Finn", userID: "finn", story: "signs in at the same kiosk twenty minutes later"}
	mia := &shopper{name: "Mia", userID: "mia", story: "connects her flat's Home Assistant to the app"}
	leo := &shopper{name: "Leo", userID: "leo", story: "shares the flat and its TV with Mia, and connects it too"}
	flat := &shopper{name: "Mia and Leo's household", household: true,
		story: "the living-room TV and who is home, from Home Assistant (the household's events, nobody's in particular)"}
	olga := &shopper{name: "Olga", userID: "olga",
		story: "registered her washing machine last week; pays at the till with her loyalty number; a technician repairs the machine"}
	nora := &shopper{name: "Nora", userID: "nora",
		story: "tries on, in the app's AR fitting room, a dress the store does not stock; consented to attention"}
	people := []*shopper{ana, ben, chris, carla, dan, eve, finn, mia, leo, flat, olga, nora}

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
		{at(8, 30), grant(chris, consent.SourceAppSetting, consent.PurposeAnalytics, consent.PurposeLocation, purposeFulfilment)},

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

		// The smart-TV household: both connect it; the household's own
		// consent covers its events.
		{day.AddDate(0, 0, -5), linkHousehold(mia)},
		{day.AddDate(0, 0, -5).Add(time.Minute), householdConsent(flat, consent.PurposeAnalytics, consent.PurposeAdvertising, consent.PurposeLocation)},
		{day.AddDate(0, 0, -4), linkHousehold(leo)},
		{time.Date(2026, 11, 23, 19, 2, 41, 0, time.UTC), homeEvent(flat, "ha_tv_playing.json")},
		{time.Date(2026, 11, 23, 19, 31, 59, 0, time.UTC), homeEvent(flat, "ha_person_left.json")},
		{time.Date(2026, 11, 23, 21, 1, 18, 0, time.UTC), homeEvent(flat, "ha_tv_off.json")},

		// Olga: an account with her loyalty number, a payment at the
		// Stripe Terminal reader; her washing machine's repair is below.
		{day.AddDate(0, 0, -7), grant(olga, consent.SourceCMP, consent.PurposeAnalytics, consent.PurposeMarketing)},
		{day.AddDate(0, 0, -7), olgaSignsUp(olga)},
		{at(13, 5), tillPayment(olga, "stripe_charge_olga.json", pos.DecodeStripe, "")},

		// Nora's try-on, and Ana's (without attention consent).
		{day.AddDate(0, 0, -2), grant(nora, consent.SourceAppSetting, consent.PurposeAnalytics, consent.PurposeAttention, consent.PurposeAdvertising)},
		{at(12, 30).Add(6 * time.Second), tryOn(nora, "tryon_nora_start.json")},
		{at(12, 31).Add(48 * time.Second), tryOn(nora, "tryon_nora_complete.json")},
		{at(8, 55).Add(31 * time.Second), tryOn(ana, "tryon_ana_complete.json")},
	}
	steps = append(steps, repairSteps(olga)...)
	// The family car, from its position stream: Chris in the morning,
	// Carla on her way to collect her order.
	steps = append(steps, drive{driver: chris, start: at(8, 50), fromM: 10_000, bearing: 200, kmh: 45, park: 10 * time.Minute, leaveM: 3_000, seed: 1}.steps()...)
	steps = append(steps, drive{driver: carla, start: at(11, 20), fromM: 22_000, bearing: 75, kmh: 55, park: 8 * time.Minute, seed: 2}.steps()...)
	// Everyone with the app opens it at the door: the app tells the store
	// which pseudonymous beacon it advertises, so zone events stitch.
	for _, p := range people {
		if p.walk != nil {
			steps = append(steps, step{p.walk.start.Add(-30 * time.Second), appOpened(p)})
		}
	}
	// Ana pays for the boots at the Square till; she scanned her app, so
	// the till knows her.
	steps = append(steps, step{at(10, 10).Add(4 * time.Second), tillPayment(ana, "square_payment_ana.json", pos.DecodeSquare, "ana")})
	return people, steps
}

func kioskContext() connected.Context {
	return connected.Context{Channel: connected.ChannelKiosk, ExternalIDs: []connected.ExternalID{
		{ID: "kiosk-12-1", Type: "kiosk_id", Collection: "devices", Encoding: "none"}}}
}

// olgaSignsUp: Olga's account on the store's site, with the loyalty number
// the site gave her; the back-end sends it as the same pseudonym the till's
// payments carry.
func olgaSignsUp(p *shopper) func(*sim) error {
	return func(s *sim) error {
		loyalty := pos.Pseudonym(s.p.pseudonyms, pos.IDLoyalty, "M-20417")
		s.p.journal.own(p, loyalty)
		return track(p, connected.Event{Type: connected.TypeIdentify, UserID: p.userID, Category: connected.CategoryIdentity,
			Traits: connected.Traits{"email": "olga@example.com"},
			Context: connected.Context{Channel: connected.ChannelWeb, ExternalIDs: []connected.ExternalID{
				{ID: loyalty, Type: string(pos.IDLoyalty), Collection: "users", Encoding: "none"}}}})(s)
	}
}
