package activation

import (
	"context"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// TestSensitiveNeverDrivesMarketing: presence data (whether people are at
// home, connected.CategoryPresence), like health and biometric data, never
// feeds a marketing audience or journey, even with marketing consent: the
// marketing audience is not entered, the marketing journey is refused with
// ReasonSensitive, and the input is counted (Stats.Sensitive) and reported
// to the drop handler with the reason. It still counts for a location
// audience, and needs location consent for that.
func TestSensitiveNeverDrivesMarketing(t *testing.T) {
	set := mustSet(t, `{"version":1,
	 "audiences":[
	  {"key":"home_now","where":{"event":{"event":"Presence Changed","where":[{"path":"properties.presence","op":"eq","value":"home"}]}}},
	  {"key":"home_loc","purpose":"location","where":{"event":{"event":"Presence Changed"}}}],
	 "journeys":[{"key":"welcome_home","trigger":{"event":"Presence Changed"},"action":{"emit":"Welcome Home Offer"}}]}`)
	for _, cat := range []connected.Category{connected.CategoryPresence, connected.CategoryHealth, connected.CategoryBiometric} {
		t.Run(string(cat), func(t *testing.T) {
			var drops []Drop
			e, err := New(set, WithDropHandler(func(d Drop) { drops = append(drops, d) }))
			if err != nil {
				t.Fatal(err)
			}
			need := map[connected.Category]consent.Purpose{connected.CategoryPresence: consent.PurposeLocation,
				connected.CategoryHealth: consent.PurposeHealth, connected.CategoryBiometric: consent.PurposeAttention}[cat]
			all := e.PurposesOf(consent.PurposeMarketing, consent.PurposeAdvertising, consent.PurposeLocation, need)
			send := func(id string, c connected.Category, p Purposes) []Output {
				t.Helper()
				out, err := e.Process(context.Background(), Input{Profile: "hh-" + string(cat), MessageID: id, Time: t0, Purposes: p,
					Event: &connected.Event{Type: connected.TypeTrack, Event: "Presence Changed", Category: c,
						Properties: connected.Properties{"presence": "home"}}}, nil)
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			out := send("m1", cat, all)
			want := "audience_entered:home_loc action_refused:welcome_home(" + ReasonSensitive + ")"
			if kinds(out) != want {
				t.Fatalf("%s with marketing consent: %s, want %s", cat, kinds(out), want)
			}
			if v, _ := e.Profile("hh-" + string(cat)); len(v.Audiences) != 1 || v.Audiences[0] != "home_loc" {
				t.Fatalf("memberships %v", v.Audiences)
			}
			if st := e.Stats(); st.Sensitive != 1 || st.Refused != 1 || st.Fired != 0 {
				t.Fatalf("stats %+v", st)
			}
			if len(drops) != 1 || drops[0].Reason != ReasonSensitive || drops[0].MessageID != "m1" {
				t.Fatalf("drops %+v", drops)
			}
			// The same event as behavioral data does drive marketing: the
			// refusal above came from the category alone.
			out = send("m2", connected.CategoryBehavioral, all)
			if kinds(out) != "audience_entered:home_now action_fired:welcome_home" {
				t.Fatalf("behavioral: %s", kinds(out))
			}
			if st := e.Stats(); st.Sensitive != 1 || len(drops) != 1 {
				t.Fatalf("behavioral counted as sensitive: %+v %+v", st, drops)
			}
		})
	}
}

// TestPresenceNeedsLocationConsent: presence data without location consent
// counts for nothing (like location data), and its journey refusal says
// no_consent.
func TestPresenceNeedsLocationConsent(t *testing.T) {
	set := mustSet(t, `{"version":1,
	 "audiences":[{"key":"home_any","purpose":"analytics","where":{"event":{"event":"Presence Changed"}}}],
	 "journeys":[{"key":"welcome_home","trigger":{"event":"Presence Changed"},"action":{"emit":"Welcome Home Offer"}}]}`)
	e, err := New(set)
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Profile: "hh", MessageID: "m1", Time: t0, Purposes: e.PurposesOf(consent.PurposeAnalytics, consent.PurposeMarketing),
		Event: &connected.Event{Type: connected.TypeTrack, Event: "Presence Changed", Category: connected.CategoryPresence}}
	out, err := e.Process(context.Background(), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if kinds(out) != "action_refused:welcome_home("+ReasonNoConsent+")" {
		t.Fatalf("without location consent: %s", kinds(out))
	}
	in.MessageID, in.Purposes = "m2", in.Purposes|e.PurposesOf(consent.PurposeLocation)
	if out, err = e.Process(context.Background(), in, nil); err != nil {
		t.Fatal(err)
	}
	if kinds(out) != "audience_entered:home_any action_refused:welcome_home("+ReasonSensitive+")" {
		t.Fatalf("with location consent: %s", kinds(out))
	}
}
