package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/vehicle"
	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// sim drives the pipeline through the day. Time is simulated: the client's
// clock, the tracker and the consent router all read it, so a run with the
// same seed prints the same report.
type sim struct {
	ctx   context.Context
	now   time.Time
	p     *pipeline
	radio radio
	zones []beacon.ZoneEvent  // scratch for the tracker
	trips []vehicle.TripEvent // scratch for the vehicle tracker
	// drivers: who is signed in to the car's app, by vehicle id.
	drivers map[string]*shopper
}

// tick is how often gateways report what they hear.
const tick = 2 * time.Second

func (s *sim) run(people []*shopper, steps []step) error {
	// Gateway reports are steps too: every tick while someone is in the store.
	for _, p := range people {
		if p.walk == nil {
			continue
		}
		for t := p.walk.start; !t.After(p.walk.end()); t = t.Add(tick) {
			steps = append(steps, step{t, hear(p, t)})
		}
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].at.Before(steps[j].at) })
	for _, st := range steps {
		if err := s.advance(st.at); err != nil {
			return err
		}
		if err := st.do(s); err != nil {
			return fmt.Errorf("%s: %w", st.at.Format(time.TimeOnly), err)
		}
	}
	// Close the day: everyone still inside times out.
	return s.advance(s.now.Add(time.Hour))
}

// advance moves the clock, letting the tracker fire exits and dwells due.
func (s *sim) advance(t time.Time) error {
	if t.Before(s.now) {
		t = s.now
	}
	s.now = t
	s.zones = s.p.tracker.Advance(s.zones[:0], t)
	if err := s.emitZones(); err != nil {
		return err
	}
	s.trips = s.p.cars.Advance(s.trips[:0], t)
	return s.emitTrips()
}

// emitZones turns zone events into connected events.
func (s *sim) emitZones() error {
	for _, ze := range s.zones {
		e, err := ze.Event(beacon.EventOptions{HashKey: hashKey})
		if err != nil {
			return err
		}
		if err := s.p.client.Track(s.ctx, e); err != nil {
			return fmt.Errorf("zone event: %w", err)
		}
	}
	s.zones = s.zones[:0]
	return nil
}

// hear feeds the tracker what the gateways heard of p's phone at t.
func hear(p *shopper, t time.Time) func(*sim) error {
	return func(s *sim) error {
		for _, sg := range s.radio.sightings(p.phone, *p.walk, t) {
			var err error
			if s.zones, err = s.p.tracker.Observe(s.zones, sg); err != nil {
				return err
			}
		}
		return s.emitZones()
	}
}

// track emits e for p at the step's time.
func track(p *shopper, e connected.Event) func(*sim) error {
	return func(s *sim) error {
		e.OriginalTimestamp = s.now
		if e.Type == "" {
			e.Type = connected.TypeTrack
		}
		if e.AnonymousID != "" {
			s.p.journal.own(p, e.AnonymousID)
		}
		s.p.journal.own(p, p.userID)
		return s.p.client.Emit(s.ctx, e)
	}
}

// appOpened: the app at the door tells the store (pseudonymously) which
// beacon it advertises, so the zone events of that beacon stitch to p.
func appOpened(p *shopper) func(*sim) error {
	return func(s *sim) error {
		pseudonym := beacon.HashID(hashKey, p.phone)
		s.p.journal.own(p, pseudonym)
		return track(p, connected.Event{UserID: p.userID, AnonymousID: "app-" + p.userID, Event: "Application Opened",
			Context: connected.Context{Channel: connected.ChannelMobile, ExternalIDs: []connected.ExternalID{
				{ID: pseudonym, Type: "anonymous_id", Collection: "users", Encoding: "none"}}}})(s)
	}
}

// grant records p's consent decisions, as the app's settings screen would.
func grant(p *shopper, src consent.Source, purposes ...consent.Purpose) func(*sim) error {
	return decide(p, src, true, purposes...)
}

// revoke records a withdrawal, and the event that tells downstream.
func revoke(p *shopper, src consent.Source, purposes ...consent.Purpose) func(*sim) error {
	return func(s *sim) error {
		if err := decide(p, src, false, purposes...)(s); err != nil {
			return err
		}
		return track(p, connected.Event{UserID: p.userID, Event: connected.EventConsentUpdated,
			Properties: connected.Properties{"purpose": string(purposes[0]), "granted": false, "source": string(src)},
			Context:    connected.Context{Channel: connected.ChannelKiosk}, Category: connected.CategoryIdentity})(s)
	}
}

// decide records consent for the shopper's profile. With identity
// middleware in the pipeline the consent router sees records by their
// profile id (zone events carry only a device pseudonym), so the app's
// back-end records decisions for the profile id that identity.Graph.Resolve
// gives for the signed-in user.
func decide(p *shopper, src consent.Source, granted bool, purposes ...consent.Purpose) func(*sim) error {
	return func(s *sim) error {
		s.p.journal.own(p, p.userID)
		res, err := s.p.graph.Resolve(s.ctx, []identity.Identifier{{Type: identity.TypeUserID, Value: p.userID}}, s.now)
		if err != nil {
			return err
		}
		for _, pur := range purposes {
			if _, err := s.p.ledger.Record(s.ctx, consent.Fact{Subject: res.ProfileID, Purpose: pur, Granted: granted,
				Effective: s.now, Source: src, Document: "privacy-2026-09", Jurisdiction: "EU"}); err != nil {
				return err
			}
		}
		return nil
	}
}

// kiosk: someone signs in at the shared kiosk.
func kiosk(p *shopper, email string) func(*sim) error {
	return track(p, connected.Event{Type: connected.TypeIdentify, UserID: p.userID,
		Traits: connected.Traits{"email": email}, Context: kioskContext(), Category: connected.CategoryIdentity})
}

// workout: a 30-minute run with a heart-rate strap, relayed by the phone. The
// strap's raw 0x2A37 notifications go through a wearable.Session; the
// session's occurrences become events (the workout is health data).
func workout(p *shopper, start time.Time, length time.Duration) func(*sim) error {
	return func(s *sim) error {
		dev := wearable.Device{ID: "strap-8E2A1F", Name: "Polar H10 8E2A1F", Manufacturer: "Polar", Model: "H10"}
		sess, err := wearable.NewSession(dev, wearable.WithActivity("running"))
		if err != nil {
			return err
		}
		s.p.journal.own(p, p.userID)
		opts := wearable.EventOptions{UserID: p.userID}
		emit := func(o wearable.Occurrence) error {
			e, err := o.Event(opts)
			if err != nil {
				return err
			}
			return s.p.client.Track(s.ctx, e)
		}
		o, ok, err := sess.Connect(start)
		if err != nil {
			return err
		}
		if ok {
			if err := emit(o); err != nil {
				return err
			}
		}
		rng := rand.New(rand.NewPCG(7, 7))
		for t := start; t.Before(start.Add(length)); t = t.Add(5 * time.Second) {
			frac := float64(t.Sub(start)) / float64(length)
			bpm := 95 + 70*min(1, frac*4) + rng.NormFloat64()*3
			m := wearable.HeartRateMeasurement{BPM: uint16(bpm), Contact: wearable.ContactDetected}
			value, err := m.MarshalBinary()
			if err != nil {
				return err
			}
			if _, err := sess.Notify(t, wearable.Characteristic(0x2A37), value); err != nil {
				return err
			}
		}
		end := start.Add(length)
		o, ok, err = sess.EndWorkout(end)
		if err != nil {
			return err
		}
		if ok {
			if err := emit(o); err != nil {
				return err
			}
		}
		occ, err := sess.Disconnect(end.Add(time.Minute))
		if err != nil {
			return err
		}
		for _, o := range occ {
			if err := emit(o); err != nil {
				return err
			}
		}
		return nil
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
