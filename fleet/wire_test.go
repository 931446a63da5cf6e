package fleet_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func ref(t identity.Type, hexKey string) identity.Ref {
	k, err := identity.ParseKey(hexKey)
	if err != nil {
		panic(err)
	}
	return identity.Ref{Type: t, Key: k}
}

var (
	card = ref(identity.TypeLoyaltyID, "0f1e2d3c4b5a69788796a5b4c3d2e1f0")
	anon = ref(identity.TypeAnonymousID, "00112233445566778899aabbccddeeff")
)

// goldenMessages is one message of every kind, as gateways and the hub
// write them.
func goldenMessages() map[string]fleet.Message {
	link, err := fleet.NewLinkMessage(identity.LinkFact{EventID: "store-a-ev-1", Time: at(1, 10), IDs: []identity.Ref{card, anon}, ProfileID: "p_00000000000000000000000000000001"}, "store-a/gw-1")
	if err != nil {
		panic(err)
	}
	rec := fleet.ConsentRecord{RecordID: "0196a1b2-0000-7000-8000-000000000001", Subject: []identity.Ref{card, anon},
		Purposes: []consent.Purpose{consent.PurposeMarketing, consent.PurposePersonalization}, Granted: true, Time: at(1, 10),
		Method: consent.SourceCMP, CMPString: "CPzHq4APzHq4AAHABBENC-CgAP_AAH_AAAAAF5wAQF5gXnABAXmAAAAA.YAAAAAAAAAAA", Notice: "privacy-2026-03",
		Language: "en-GB", Jurisdiction: "UK", Store: "store-a", Collector: "store-a/kiosk-1"}
	withdrawn := rec
	withdrawn.Granted, withdrawn.Method, withdrawn.CMPString, withdrawn.RecordID = false, fleet.SourceForm, "", "0196a1b2-0000-7000-8000-000000000002"
	consentMsg := fleet.NewConsentMessage(rec, "store-a/gw-1")
	change := fleet.Message{Kind: fleet.KindConsentChange, ID: fleet.DeriveID(fleet.KindConsentChange, consentMsg.ID), Time: at(1, 10), Source: "hub", Consent: &withdrawn}
	ms := fleet.Membership{Subject: []identity.Ref{card}, Audience: "vip-shoes", Entered: true, Purpose: consent.PurposeMarketing, Reason: "3 visits to shoes in 30 days"}
	return map[string]fleet.Message{
		"link":    link,
		"consent": consentMsg,
		"touchpoint": fleet.NewTouchpointMessage("0196a1b2-0000-7000-8000-0000000000aa", at(1, 10), fleet.Touchpoint{Subject: []identity.Ref{card, anon},
			Type: "identify", Event: "", Channel: "pos", Store: "store-a", Zone: "shoes", Purposes: []consent.Purpose{consent.PurposeAnalytics},
			Traits: map[string]any{"tier": "gold", "visits": 3.0}}, "store-a/gw-1"),
		"membership":       fleet.NewMembershipMessage("out-1", at(1, 11), ms, "store-a/gw-1"),
		"action":           fleet.NewActionMessage("act-1", at(1, 11), fleet.Action{Subject: []identity.Ref{card}, Journey: "shoe-offer", Destination: "push", Purpose: consent.PurposeMarketing, Trigger: "0196a1b2-0000-7000-8000-0000000000aa"}, "store-a/gw-1"),
		"consent_change":   change,
		"fleet_membership": {Kind: fleet.KindFleetMembership, ID: fleet.DeriveID(fleet.KindFleetMembership, "out-1"), Time: at(1, 11), Source: "hub", Membership: &ms},
		"tombstone":        {Kind: fleet.KindTombstone, ID: fleet.DeriveID(fleet.KindTombstone, "dsr-1"), Time: at(5, 9), Source: "hub", Tombstone: &fleet.Tombstone{RequestID: "dsr-1", Keys: []identity.Ref{card, anon}}},
	}
}

func TestGolden(t *testing.T) {
	for name, m := range goldenMessages() {
		t.Run(name, func(t *testing.T) {
			got := enc(t, m)
			path := filepath.Join("testdata", name+".json")
			if *update {
				if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got)+"\n" != string(want) {
				t.Fatalf("encoding changed:\n got %s\nwant %s", got, want)
			}
			back, err := fleet.Decode(want)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, m) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", back, m)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	golden, err := os.ReadFile("testdata/consent.json")
	if err != nil {
		t.Fatal(err)
	}
	link, err := os.ReadFile("testdata/link.json")
	if err != nil {
		t.Fatal(err)
	}
	// A link fact whose messageId is not the one its event id gives:
	// Encode refuses such a message, so Decode does (found by FuzzDecode).
	wrongID := strings.Replace(string(link), `"messageId":"a744d4a5`, `"messageId":"b744d4a5`, 1)
	for name, c := range map[string]struct {
		in    string
		field string
		is    error
	}{
		"syntax":      {in: `{"v":1,`, is: fleet.ErrCorrupt},
		"trailing":    {in: string(golden[:len(golden)-1]) + `{}`, is: fleet.ErrCorrupt},
		"version":     {in: `{"v":2,"kind":"consent","id":"x","time":"2026-03-01T10:00:00.000Z","consent":{}}`, field: "v", is: fleet.ErrUnsupportedVersion},
		"kind":        {in: `{"v":1,"kind":"gossip","id":"x","time":"2026-03-01T10:00:00.000Z","consent":{}}`, field: "kind", is: fleet.ErrCorrupt},
		"two bodies":  {in: `{"v":1,"kind":"action","id":"x","time":"2026-03-01T10:00:00.000Z","consent":{},"action":{}}`, is: fleet.ErrCorrupt},
		"bad key":     {in: `{"v":1,"kind":"action","id":"x","time":"2026-03-01T10:00:00.000Z","action":{"subject":[{"type":"email","key":"zz"}],"journey":"j"}}`, field: "action.subject", is: fleet.ErrCorrupt},
		"no subject":  {in: `{"v":1,"kind":"action","id":"x","time":"2026-03-01T10:00:00.000Z","action":{"subject":[],"journey":"j"}}`, field: "Action.Subject", is: fleet.ErrCorrupt},
		"bad state":   {in: `{"v":1,"kind":"consent","id":"x","time":"2026-03-01T10:00:00.000Z","consent":{"recordId":"r","subject":[{"type":"email","key":"00112233445566778899aabbccddeeff"}],"purposes":["marketing"],"state":"maybe","method":"form"}}`, field: "consent.state", is: fleet.ErrCorrupt},
		"bad purpose": {in: `{"v":1,"kind":"consent","id":"x","time":"2026-03-01T10:00:00.000Z","consent":{"recordId":"r","subject":[{"type":"email","key":"00112233445566778899aabbccddeeff"}],"purposes":["Mark eting"],"state":"given","method":"form"}}`, field: "Consent.Purposes", is: fleet.ErrCorrupt},
		"no id":       {in: `{"v":1,"kind":"tombstone","id":"","time":"2026-03-01T10:00:00.000Z","tombstone":{"requestId":"r","keys":[{"type":"email","key":"00112233445566778899aabbccddeeff"}]}}`, field: "ID", is: fleet.ErrCorrupt},
		"bad time":    {in: `{"v":1,"kind":"tombstone","id":"t","time":"yesterday","tombstone":{"requestId":"r","keys":[]}}`, field: "time", is: fleet.ErrCorrupt},
		"link":        {in: `{"type":"track","event":"Identity Linked","messageId":"m","properties":{}}`, is: identity.ErrCorrupt},
		"link id":     {in: wrongID, field: "ID", is: fleet.ErrCorrupt},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := fleet.Decode([]byte(c.in))
			var fe *fleet.FormatError
			if !errors.As(err, &fe) || !errors.Is(err, c.is) || !errors.Is(err, fleet.ErrCorrupt) {
				t.Fatalf("Decode = %+v, %v; want a *FormatError matching %v", m, err, c.is)
			}
			if fe.Field != c.field {
				t.Fatalf("field %q, want %q (%v)", fe.Field, c.field, err)
			}
			if !reflect.DeepEqual(m, fleet.Message{}) {
				t.Fatal("a partial message came back with the error")
			}
		})
	}
}

func TestEncodeRefusesInvalid(t *testing.T) {
	m := goldenMessages()["consent"]
	m.Consent.Subject = nil
	if _, err := fleet.Encode(m); !errors.Is(err, fleet.ErrInvalid) {
		t.Fatalf("no subject: %v", err)
	}
	m = goldenMessages()["touchpoint"]
	m.Action = &fleet.Action{}
	if _, err := fleet.Encode(m); !errors.Is(err, fleet.ErrInvalid) {
		t.Fatalf("two bodies: %v", err)
	}
	m = goldenMessages()["link"]
	m.ID = "another"
	if _, err := fleet.Encode(m); !errors.Is(err, fleet.ErrInvalid) {
		t.Fatalf("link with a foreign id: %v", err)
	}
}
