package home_test

import (
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/home"
)

// HouseholdPseudonym is the anonymousId (and groupId) of a household's
// events: the keyed pseudonym of "household:" + the household id, the same
// on every run with the same key.
func ExampleHouseholdPseudonym() {
	p, err := connected.NewPseudonymizer([]byte("a secret key of 32 bytes or so.."))
	if err != nil {
		panic(err)
	}
	hh := home.HouseholdPseudonym(p, "ha-7d3f0c9e")
	fmt.Println(hh)
	fmt.Println(hh == p.Pseudonym("household:ha-7d3f0c9e"), hh == home.HouseholdPseudonym(p, "ha-0b15e2a4"))

	o := home.Occurrence{Kind: home.KindPresenceChanged, Source: home.SourceWebSocket, Household: "ha-7d3f0c9e",
		Device: "person.anna", DeviceKind: "person", Time: time.Date(2026, 1, 1, 8, 31, 40, 0, time.UTC), From: "home", To: "away"}
	e, err := o.Event(home.EventOptions{Pseudonymizer: p})
	if err != nil {
		panic(err)
	}
	fmt.Println(e.AnonymousID == hh, e.Context.Extra["groupId"] == hh, e.Context.ExternalIDs[0].Type, e.Context.ExternalIDs[0].ID == hh)
	// Output:
	// ps1_4ebc99d7566643ac11a3d3b06bfeb336
	// true false
	// true true household_id true
}

// DevicePseudonym scopes a device id by its household: the same entity id
// in two households gives two unrelated pseudonyms, and neither is the
// household's own.
func ExampleDevicePseudonym() {
	p, err := connected.NewPseudonymizer([]byte("a secret key of 32 bytes or so.."))
	if err != nil {
		panic(err)
	}
	tv := home.DevicePseudonym(p, "ha-7d3f0c9e", "media_player.living_room_tv")
	fmt.Println(tv)
	fmt.Println(tv == p.Pseudonym("home-device:ha-7d3f0c9e/media_player.living_room_tv"),
		tv == home.DevicePseudonym(p, "ha-0b15e2a4", "media_player.living_room_tv"),
		tv == home.HouseholdPseudonym(p, "ha-7d3f0c9e"))

	o := home.Occurrence{Kind: home.KindMediaSessionStarted, Source: home.SourceWebSocket, Household: "ha-7d3f0c9e",
		Device: "media_player.living_room_tv", DeviceKind: "media_player", Time: time.Date(2026, 1, 1, 19, 2, 11, 0, time.UTC)}
	e, err := o.Event(home.EventOptions{Pseudonymizer: p})
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Properties["device_id"] == tv, e.Context.ExternalIDs[1].Type, e.Context.ExternalIDs[1].ID == tv)
	// Output:
	// ps1_74f2246930a79552cef8bba29863d081
	// true false false
	// true home_device_id true
}
