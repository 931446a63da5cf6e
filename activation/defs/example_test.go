package defs_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation/defs"
)

// A definition file with a typo: the error names the definition and field.
func ExampleDecode() {
	_, err := defs.Decode([]byte(`{"version": 1, "audiences": [
	  {"key": "boot_lovers", "where": {"event": {"event": "Product Viewed", "withn": "7d"}}}]}`))
	fmt.Println(err)
	fmt.Println(errors.Is(err, defs.ErrUnknownField))
	// Output:
	// defs: audience boot_lovers: where.event.withn: unknown field
	// true
}

func ExampleDuration_String() {
	fmt.Println(defs.Duration(7*24*time.Hour), defs.Duration(90*time.Minute))
	// Output: 7d 1h30m0s
}

// Load reads a definition file from disk and decodes it: durations come
// back as time.Duration, references are checked.
func ExampleLoad() {
	dir, err := os.MkdirTemp("", "defs")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "store.json")
	file := `{"version": 1,
	  "traits": [{"key": "boots_viewed_7d", "kind": "count", "event": "Product Viewed",
	              "where": [{"path": "properties.category", "op": "eq", "value": "boots"}], "within": "7d"}],
	  "audiences": [{"key": "boot_lovers", "purpose": "marketing",
	                 "where": {"trait": {"key": "boots_viewed_7d", "op": "gte", "value": 2}}}],
	  "journeys": [{"key": "boot_offer", "purpose": "marketing", "trigger": {"event": "Zone Entered"},
	                "when": {"audience": "boot_lovers"}, "action": {"emit": "Offer Triggered"},
	                "quiet_hours": {"start": "21:00", "end": "08:00", "timezone": "Europe/Berlin"}}]}`
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		panic(err)
	}
	s, err := defs.Load(path)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(s.Traits), len(s.Audiences), len(s.Journeys))
	fmt.Println(s.Traits[0].Key, s.Traits[0].Within.D())
	fmt.Println(s.Journeys[0].Key, s.Journeys[0].When.Audience, s.Journeys[0].QuietHours.Timezone)
	// Output:
	// 1 1 1
	// boots_viewed_7d 168h0m0s
	// boot_offer boot_lovers Europe/Berlin
}

// A definition file with a mistake: Load returns an *Error that names the
// definition and the field at fault, and matches a sentinel.
func ExampleLoad_invalid() {
	dir, err := os.MkdirTemp("", "defs")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "store.json")
	file := `{"version": 1, "journeys": [{"key": "boot_offer", "trigger": {"event": "Zone Entered"},
	  "action": {"emit": "Offer Triggered"}, "quiet_hours": {"start": "9pm", "end": "08:00"}}]}`
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		panic(err)
	}
	s, err := defs.Load(path)
	fmt.Println(s == nil, err)
	var e *defs.Error
	if errors.As(err, &e) {
		fmt.Println(e.Kind, e.Key, e.Field, errors.Is(err, defs.ErrInvalid))
	}
	// Output:
	// true defs: journey boot_offer: quiet_hours.start: "9pm": want HH:MM
	// journey boot_offer quiet_hours.start true
}

// Encode writes a Set built in Go as the file format (version filled in,
// durations as days where whole), which Decode reads back.
func ExampleEncode() {
	s := &defs.Set{Audiences: []defs.Audience{{Key: "boot_lovers", Purpose: "marketing",
		Where: defs.Cond{Event: &defs.EventCond{Event: "Product Viewed", Within: defs.Duration(7 * 24 * time.Hour),
			Count: &defs.Compare{Op: "gte", Value: 2}}}}}}
	b, err := defs.Encode(s)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	back, err := defs.Decode(b)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Version, back.Audiences[0].Where.Event.Within.D())
	// Output:
	// {
	//   "version": 1,
	//   "audiences": [
	//     {
	//       "key": "boot_lovers",
	//       "purpose": "marketing",
	//       "where": {
	//         "event": {
	//           "event": "Product Viewed",
	//           "within": "7d",
	//           "count": {
	//             "op": "gte",
	//             "value": 2
	//           }
	//         }
	//       }
	//     }
	//   ]
	// }
	// 1 168h0m0s
}

// ParseDuration reads Go syntax or whole days; weeks and negative durations
// are refused.
func ExampleParseDuration() {
	for _, s := range []string{"7d", "90s", "1h30m", "1w", "-2h"} {
		d, err := defs.ParseDuration(s)
		fmt.Println(s, d, err != nil)
	}
	// Output:
	// 7d 168h0m0s false
	// 90s 1m30s false
	// 1h30m 1h30m0s false
	// 1w 0s true
	// -2h 0s true
}

// ValidPath accepts the event fields a predicate may name: the fixed ones,
// and keys under properties and traits.
func ExampleValidPath() {
	for _, p := range []string{"properties.category", "traits.tier", "context.location.zone", "props.category", "properties."} {
		fmt.Println(p, defs.ValidPath(p))
	}
	// Output:
	// properties.category true
	// traits.tier true
	// context.location.zone true
	// props.category false
	// properties. false
}

// WalkAudienceRefs finds the audiences a condition refers to, however deep
// in all, any and not; it does not follow them further.
func ExampleWalkAudienceRefs() {
	where := defs.Cond{All: []defs.Cond{
		{Audience: "boot_lovers"},
		{Any: []defs.Cond{{Trait: &defs.TraitCond{Key: "tier", Op: "eq", Value: "gold"}}, {Audience: "frequent_visitor"}}},
		{Not: &defs.Cond{Audience: "recent_buyer"}},
	}}
	defs.WalkAudienceRefs(&where, func(key string) { fmt.Println(key) })
	// Output:
	// boot_lovers
	// frequent_visitor
	// recent_buyer
}

// Clock reads the "HH:MM" of quiet hours as minutes after midnight.
func ExampleClock() {
	for _, s := range []string{"21:00", "08:30", "24:00", "9pm"} {
		m, ok := defs.Clock(s)
		fmt.Println(s, m, ok)
	}
	// Output:
	// 21:00 1260 true
	// 08:30 510 true
	// 24:00 0 false
	// 9pm 0 false
}
