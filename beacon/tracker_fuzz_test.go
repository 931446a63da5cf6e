package beacon_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

// FuzzTracker feeds arbitrary sighting streams (4 bytes each: subject,
// gateway, RSSI, time step) and checks the presence invariants: per subject
// and zone, events go entered -> dwelled* -> exited with non-decreasing
// times, dwell equals time since enter, exclusive assignments never hold a
// subject in two zones, and after a long silence everyone has exited.
func FuzzTracker(f *testing.F) {
	f.Add(byte(0), []byte{0, 0, 200, 10, 0, 1, 210, 10, 1, 2, 180, 30, 0, 0, 250, 200})
	f.Add(byte(1), []byte{0, 0, 220, 1, 0, 1, 222, 1, 0, 0, 215, 1, 0, 1, 230, 1, 0, 2, 240, 1, 0, 0, 200, 255})
	f.Add(byte(2), []byte{3, 3, 230, 0, 3, 3, 231, 0, 2, 1, 100, 5})
	f.Fuzz(runTrackerInput)
}

func runTrackerInput(t *testing.T, mode byte, data []byte) {
	{
		assign := beacon.Assignment(mode % 3)
		zones := []beacon.Zone{
			{Name: "a", Gateways: []string{"g0", "g1"}},
			{Name: "b", Gateways: []string{"g1", "g2"}}, // overlaps a through g1
			{Name: "c", Gateways: []string{"g3"}, Beacons: []beacon.Pattern{beacon.MatchIBeacon(storeUUID, 1, beacon.Any)}},
		}
		tr, err := beacon.NewTracker(zones, beacon.WithAssignment(assign), beacon.WithMaxSkew(time.Duration(mode%4)*time.Second),
			beacon.WithDefaults(beacon.ZoneConfig{EnterRSSI: -70, ExitRSSI: -80, MinHold: time.Duration(mode%3) * time.Second,
				ExitTimeout: 8 * time.Second, Dwell: 5 * time.Second, DwellRepeat: time.Duration(mode%2) * 4 * time.Second}))
		if err != nil {
			t.Fatal(err)
		}
		type key struct {
			who  string
			zone string
		}
		last := map[key]beacon.ZoneEvent{}
		inside := map[string]map[string]bool{}
		check := func(evs []beacon.ZoneEvent) {
			for _, e := range evs {
				who := e.Subject // a customer: the beacon that placed them may change
				if who == "" {
					who = e.Beacon.String()
				}
				k := key{who, e.Zone}
				prev, seen := last[k]
				switch e.Kind {
				case beacon.ZoneEntered:
					if seen && prev.Kind != beacon.ZoneExited {
						t.Fatalf("%v entered again after %v", k, prev.Kind)
					}
					if seen && e.Time.Before(prev.Time) {
						t.Fatalf("%v re-entered at %v before exit at %v", k, e.Time, prev.Time)
					}
					if inside[who] == nil {
						inside[who] = map[string]bool{}
					}
					if assign != beacon.AssignIndependent && len(inside[who]) > 0 {
						t.Fatalf("%s entered %s while inside %v", who, e.Zone, inside[who])
					}
					inside[who][e.Zone] = true
				default:
					if !seen || prev.Kind == beacon.ZoneExited {
						t.Fatalf("%v %v without enter", k, e.Kind)
					}
					if e.Time.Before(prev.Time) || e.Dwell != e.Time.Sub(e.EnteredAt) || !e.EnteredAt.Equal(enterTime(prev)) {
						t.Fatalf("%v: %v at %v after %v at %v (dwell %v)", k, e.Kind, e.Time, prev.Kind, prev.Time, e.Dwell)
					}
					if e.Kind == beacon.ZoneExited {
						delete(inside[who], e.Zone)
					}
				}
				last[k] = e
			}
		}
		now := t0
		var evs []beacon.ZoneEvent
		for i := 0; i+4 <= len(data); i += 4 {
			b := data[i : i+4]
			s := beacon.Sighting{
				Time:    now.Add(time.Duration(b[3]%64) * 250 * time.Millisecond).Add(-time.Duration(b[3]/64) * time.Second),
				Gateway: fmt.Sprintf("g%d", b[1]%4),
				RSSI:    beacon.RSSI(-110 + int(b[2])/3),
			}
			if b[0]%2 == 0 {
				s.Beacon = beacon.AddressID(beacon.Address{b[0] % 4})
			} else {
				s.Subject, s.Beacon = fmt.Sprintf("cust-%d", b[0]%4), ib(1, uint16(b[0]%3))
			}
			if s.Time.After(now) {
				now = s.Time
			}
			evs, _ = tr.Observe(evs[:0], s) // late and signal-less sightings are rejected with an error
			check(evs)
		}
		check(tr.Advance(nil, now.Add(time.Hour)))
		for who, zs := range inside {
			if len(zs) != 0 {
				t.Fatalf("%s still inside %v after an hour of silence", who, zs)
			}
		}
		if st := tr.Stats(); st.Subjects != 0 {
			t.Fatalf("%d subjects not evicted after an hour of silence", st.Subjects)
		}
	}
}

func enterTime(e beacon.ZoneEvent) time.Time {
	if e.Kind == beacon.ZoneEntered {
		return e.Time
	}
	return e.EnteredAt
}
