package service_test

import (
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/service"
)

var t0 = time.Date(2026, 2, 10, 9, 41, 5, 0, time.UTC)

// testKey is the pseudonym key of the tests and examples; in production it
// comes from a secret store.
var testKey = []byte("service-test-key-0123456789abcdef")

func pseudonymizer() *connected.Pseudonymizer {
	p, err := connected.NewPseudonymizer(testKey)
	if err != nil {
		panic(err)
	}
	return p
}

var heatPump = service.Asset{Product: "HEATPUMP-9KW", Serial: "HP-9X-22811"}

// samples has one occurrence of every kind, as a field app and a ticket
// system would report them.
func samples() []service.Occurrence {
	return []service.Occurrence{
		{Kind: service.KindCaseOpened, Time: t0.Add(-72 * time.Hour), UserID: "u42", CaseID: "500Hs00001XyZab",
			Status: "New", StatusCategory: service.StatusNew, Asset: heatPump},
		{Kind: service.KindCaseUpdated, Time: t0.Add(-70 * time.Hour), UserID: "u42", CaseID: "500Hs00001XyZab",
			PreviousStatus: "New", Status: "open", StatusCategory: service.StatusInProgress},
		{Kind: service.KindAppointmentScheduled, Time: t0.Add(-48 * time.Hour), UserID: "u42", CaseID: "500Hs00001XyZab",
			WorkOrderID: "0WO5g000002AbCd", AppointmentID: "08p5g000001XyZ", Status: "Scheduled", StatusCategory: service.StatusInProgress,
			WindowStart: t0.Add(-41 * time.Minute), WindowEnd: t0.Add(79 * time.Minute), Asset: heatPump},
		{Kind: service.KindTechnicianDispatched, Time: t0.Add(-2 * time.Hour), WorkOrderID: "0WO5g000002AbCd",
			AppointmentID: "08p5g000001XyZ", TechnicianID: "tech-0077", Asset: heatPump},
		{Kind: service.KindTechnicianArrived, Time: t0, WorkOrderID: "0WO5g000002AbCd", AppointmentID: "08p5g000001XyZ",
			Status: "In Progress", StatusCategory: service.StatusInProgress, TechnicianID: "tech-0077", Asset: heatPump,
			WindowStart: t0.Add(-41 * time.Minute), WindowEnd: t0.Add(79 * time.Minute)},
		{Kind: service.KindVisitCompleted, Time: t0.Add(95 * time.Minute), WorkOrderID: "0WO5g000002AbCd",
			AppointmentID: "08p5g000001XyZ", Status: "Completed", StatusCategory: service.StatusCompleted,
			Outcome: service.OutcomeFixed, TechnicianID: "tech-0077", Asset: heatPump},
		{Kind: service.KindCaseResolved, Time: t0.Add(2 * time.Hour), UserID: "u42", CaseID: "500Hs00001XyZab",
			Status: "solved", StatusCategory: service.StatusCompleted},
		{Kind: service.KindProductInstalled, Time: t0.Add(-400 * 24 * time.Hour), UserID: "u42", WorkOrderID: "0WO5g000000Inst",
			Asset: heatPump, ProductCategory: "heat_pumps", PlaceID: "site-berlin-17"},
		{Kind: service.KindProductRegistered, Time: t0.Add(-399 * 24 * time.Hour), UserID: "u42", Asset: heatPump},
		{Kind: service.KindWarrantyRegistered, Time: t0.Add(-399 * 24 * time.Hour), UserID: "u42", Asset: heatPump,
			WarrantyID: "W-2025-00912", WarrantyPlan: "5y-parts-labour", WarrantyEnd: time.Date(2030, 1, 7, 0, 0, 0, 0, time.UTC)},
		{Kind: service.KindChatStarted, Time: t0.Add(-73 * time.Hour), AnonymousID: "3f1e0d6c-9a5b-4c2d-8e7f-112233445566",
			ConversationID: "conv_5512", AgentID: "agent.mia"},
		{Kind: service.KindChatEnded, Time: t0.Add(-72*time.Hour - 30*time.Second), AnonymousID: "3f1e0d6c-9a5b-4c2d-8e7f-112233445566",
			UserID: "u42", ConversationID: "conv_5512", AgentID: "agent.mia", Duration: 29*time.Minute + 30*time.Second},
	}
}
