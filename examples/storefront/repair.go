package main

import (
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/service"
)

// The repair visit: Olga registered her washing machine on the store's
// site last week (Product Registered, with her user id and the machine's
// serial). Today the field-service system dispatches a technician for it;
// the work order knows the machine, not Olga's account. Every visit event
// carries only the asset's pseudonym (asset_serial), and identity resolves
// it to the owner's profile.

// washer is Olga's installed product.
var washer = service.Asset{Product: "WASHER-W9", Serial: "W9-2207-0415"}

// serviceEvent emits one service occurrence at the step's time.
func serviceEvent(owner *shopper, o service.Occurrence) func(*sim) error {
	return func(s *sim) error {
		o.Time = s.now
		ps, err := washer.Pseudonym(s.p.pseudonyms)
		if err != nil {
			return err
		}
		s.p.journal.own(owner, ps)
		if o.UserID != "" {
			s.p.journal.own(owner, o.UserID)
		}
		e, err := o.Event(service.Options{Pseudonymizer: s.p.pseudonyms})
		if err != nil {
			return err
		}
		return s.p.client.Track(s.ctx, e)
	}
}

// repairSteps: registration last week, today's visit.
func repairSteps(olga *shopper) []step {
	const wo, appt = "0WO7Q00000Bx3Lm", "08p7Q00000Ck9Rt"
	return []step{
		{day.AddDate(0, 0, -6).Add(18 * time.Hour), serviceEvent(olga, service.Occurrence{Kind: service.KindProductRegistered,
			UserID: olga.userID, Asset: washer, ProductCategory: "laundry"})},
		{at(13, 30), serviceEvent(olga, service.Occurrence{Kind: service.KindTechnicianDispatched, WorkOrderID: wo, AppointmentID: appt,
			Asset: washer, TechnicianID: "tech-0042"})},
		{at(14, 10), serviceEvent(olga, service.Occurrence{Kind: service.KindTechnicianArrived, WorkOrderID: wo, AppointmentID: appt,
			Asset: washer, TechnicianID: "tech-0042"})},
		{at(14, 55), serviceEvent(olga, service.Occurrence{Kind: service.KindVisitCompleted, WorkOrderID: wo, AppointmentID: appt,
			Asset: washer, TechnicianID: "tech-0042", Outcome: service.OutcomeFixed})},
	}
}

// repairProfile resolves the washer's serial alone, as a visit event
// carries it, to a profile: the report compares it with the owner's.
func (s *sim) repairProfile() (string, error) {
	ps, err := washer.Pseudonym(s.p.pseudonyms)
	if err != nil {
		return "", err
	}
	res, err := s.p.graph.Resolve(s.ctx, []identity.Identifier{{Type: identity.TypeAssetSerial, Value: ps}}, at(15, 0))
	if err != nil {
		return "", err
	}
	return res.ProfileID, nil
}

// serviceChannels: service and field events go out on channels the client
// must know.
var serviceChannels = connected.WithChannels(service.Channels()...)
