package service_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/service"
)

// FuzzOccurrenceEvent: whatever the fields, Event returns a *FieldError
// and no event, or an event that validates on the service channels and
// carries the asset only as a pseudonym; StatusCategoryOf either maps or
// refuses with ErrInvalid.
func FuzzOccurrenceEvent(f *testing.F) {
	for _, o := range samples() {
		f.Add(uint8(o.Kind), o.UserID, o.CaseID, o.WorkOrderID, o.Asset.Product, o.Asset.Serial, o.TechnicianID, string(o.Outcome), o.Status, int64(o.Duration))
	}
	cs, err := connected.NewChannels(service.Channels()...)
	if err != nil {
		f.Fatal(err)
	}
	opts := service.Options{Pseudonymizer: pseudonymizer()}
	f.Fuzz(func(t *testing.T, kind uint8, user, caseID, wo, product, serial, tech, outcome, status string, dur int64) {
		o := service.Occurrence{Kind: service.Kind(kind), Time: t0, UserID: user, CaseID: caseID, WorkOrderID: wo,
			AppointmentID: wo, Asset: service.Asset{Product: product, Serial: serial}, TechnicianID: tech,
			Outcome: service.Outcome(outcome), Status: status, PreviousStatus: status, ConversationID: caseID,
			Duration: time.Duration(dur), WindowStart: t0, WindowEnd: t0.Add(time.Hour)}
		ev, err := o.Event(opts)
		if err != nil {
			var fe *service.FieldError
			if !errors.As(err, &fe) || !(errors.Is(err, service.ErrMissing) || errors.Is(err, service.ErrInvalid)) {
				t.Fatalf("error %v is not a FieldError", err)
			}
			if ev.Event != "" {
				t.Fatal("partial event")
			}
			return
		}
		if err := cs.Validate(&ev); err != nil {
			// user-supplied strings may be invalid UTF-8; anything else is a bug
			if !strings.Contains(err.Error(), "UTF-8") {
				t.Fatalf("event does not validate: %v", err)
			}
			return
		}
		if !o.Asset.IsZero() {
			a, ok := ev.Properties["asset_serial"].(string)
			if !ok || !strings.HasPrefix(a, connected.PseudonymPrefix) || len(ev.Context.ExternalIDs) != 1 || ev.Context.ExternalIDs[0].ID != a {
				t.Fatalf("asset not pseudonymised: %v", ev.Properties)
			}
		}
		if c, err := service.StatusCategoryOf(service.SystemZendesk, status); err == nil && !c.Valid() {
			t.Fatalf("invalid category %q", c)
		} else if err != nil && !errors.Is(err, service.ErrInvalid) {
			t.Fatal(err)
		}
	})
}
