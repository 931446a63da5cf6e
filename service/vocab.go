package service

import (
	"strconv"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// The service vocabulary: track event names. The chat names are those of
// Segment's Live Chat spec, so chat destinations recognise them.
const (
	// EventCaseOpened: a customer's case (ticket) was opened.
	EventCaseOpened = "Service Case Opened"
	// EventCaseUpdated: a case changed status (previous_status, status,
	// status_category).
	EventCaseUpdated = "Service Case Updated"
	// EventCaseResolved: a case was solved or closed.
	EventCaseResolved = "Service Case Resolved"
	// EventAppointmentScheduled: a visit was booked for an arrival window.
	EventAppointmentScheduled = "Service Appointment Scheduled"
	// EventTechnicianDispatched: the technician was assigned and notified.
	EventTechnicianDispatched = "Technician Dispatched"
	// EventTechnicianArrived: the technician arrived on site.
	EventTechnicianArrived = "Technician Arrived"
	// EventVisitCompleted: a visit ended, with its outcome (fixed or not).
	EventVisitCompleted = "Service Visit Completed"
	// EventProductInstalled: an installed product was put in service.
	EventProductInstalled = "Product Installed"
	// EventProductRegistered: the owner registered a product and its serial.
	EventProductRegistered = "Product Registered"
	// EventWarrantyRegistered: a warranty was registered for a product.
	EventWarrantyRegistered = "Warranty Registered"
	// EventChatStarted: a support chat started (Segment Live Chat).
	EventChatStarted = "Live Chat Conversation Started"
	// EventChatEnded: a support chat ended (Segment Live Chat), with its
	// conversation_duration in seconds.
	EventChatEnded = "Live Chat Conversation Ended"
)

// The channels of service events. They are not built into connected:
// register them with connected.WithChannels(Channels()...).
const (
	// ChannelService: the service desk and self-service (cases, product
	// and warranty registration).
	ChannelService connected.Channel = "service"
	// ChannelField: work on site (appointments, technicians, visits,
	// installations).
	ChannelField connected.Channel = "field"
	// ChannelContactCenter: live chat and calls with agents.
	ChannelContactCenter connected.Channel = "contact_center"
)

// Channels returns the channels this package emits on, to register with
// connected.WithChannels. The slice is a fresh copy.
func Channels() []connected.Channel {
	return []connected.Channel{ChannelService, ChannelField, ChannelContactCenter}
}

// Kind is the kind of a service occurrence.
type Kind uint8

// The kinds, one per event name.
const (
	KindCaseOpened Kind = iota + 1
	KindCaseUpdated
	KindCaseResolved
	KindAppointmentScheduled
	KindTechnicianDispatched
	KindTechnicianArrived
	KindVisitCompleted
	KindProductInstalled
	KindProductRegistered
	KindWarrantyRegistered
	KindChatStarted
	KindChatEnded
	kindEnd
)

var kindInfo = [kindEnd]struct {
	name, event string
	channel     connected.Channel
}{
	KindCaseOpened:           {"case_opened", EventCaseOpened, ChannelService},
	KindCaseUpdated:          {"case_updated", EventCaseUpdated, ChannelService},
	KindCaseResolved:         {"case_resolved", EventCaseResolved, ChannelService},
	KindAppointmentScheduled: {"appointment_scheduled", EventAppointmentScheduled, ChannelField},
	KindTechnicianDispatched: {"technician_dispatched", EventTechnicianDispatched, ChannelField},
	KindTechnicianArrived:    {"technician_arrived", EventTechnicianArrived, ChannelField},
	KindVisitCompleted:       {"visit_completed", EventVisitCompleted, ChannelField},
	KindProductInstalled:     {"product_installed", EventProductInstalled, ChannelField},
	KindProductRegistered:    {"product_registered", EventProductRegistered, ChannelService},
	KindWarrantyRegistered:   {"warranty_registered", EventWarrantyRegistered, ChannelService},
	KindChatStarted:          {"chat_started", EventChatStarted, ChannelContactCenter},
	KindChatEnded:            {"chat_ended", EventChatEnded, ChannelContactCenter},
}

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool { return k > 0 && k < kindEnd }

// String returns the kind's snake_case name ("case_opened", ...).
func (k Kind) String() string {
	if !k.Valid() {
		return "kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindInfo[k].name
}

// EventName returns the track event name of k, or "" for an invalid kind.
func (k Kind) EventName() string {
	if !k.Valid() {
		return ""
	}
	return kindInfo[k].event
}

// Channel returns the default channel of k's events, or "".
func (k Kind) Channel() connected.Channel {
	if !k.Valid() {
		return ""
	}
	return kindInfo[k].channel
}

// StatusCategory is the canonical category of a case, work order or
// appointment status: Salesforce Field Service's seven status categories,
// to which every ticket system's statuses map.
type StatusCategory string

// The status categories (Salesforce WorkOrderStatus / ServiceAppointment
// StatusCode values, snake_case).
const (
	StatusNew            StatusCategory = "new"
	StatusInProgress     StatusCategory = "in_progress"
	StatusOnHold         StatusCategory = "on_hold"
	StatusCompleted      StatusCategory = "completed"
	StatusCannotComplete StatusCategory = "cannot_complete"
	StatusClosed         StatusCategory = "closed"
	StatusCanceled       StatusCategory = "canceled"
)

// Valid reports whether c is one of the seven categories.
func (c StatusCategory) Valid() bool {
	switch c {
	case StatusNew, StatusInProgress, StatusOnHold, StatusCompleted, StatusCannotComplete, StatusClosed, StatusCanceled:
		return true
	}
	return false
}

// Open reports whether a case in this category still needs work: new, in
// progress or on hold.
func (c StatusCategory) Open() bool {
	return c == StatusNew || c == StatusInProgress || c == StatusOnHold
}

// System names a ticket or field-service system whose statuses
// StatusCategoryOf knows.
type System string

// The systems.
const (
	// SystemSalesforce: Field Service WorkOrder and ServiceAppointment
	// statuses (New, In Progress, On Hold, Completed, Cannot Complete,
	// Closed, Canceled, and None, Scheduled, Dispatched for appointments).
	SystemSalesforce System = "salesforce"
	// SystemZendesk: ticket status categories (new, open, pending, hold,
	// solved, closed).
	SystemZendesk System = "zendesk"
	// SystemFreshdesk: ticket status codes as the API sends them (2 Open, 3
	// Pending, 4 Resolved, 5 Closed).
	SystemFreshdesk System = "freshdesk"
)

// StatusCategoryOf maps a status of system to its StatusCategory. Matching
// is case-insensitive and ignores surrounding space; '_' and ' ' are the
// same. An unknown system or status gets a *FieldError (ErrInvalid) with
// Field "status": a custom status must be mapped by the caller, not
// guessed.
func StatusCategoryOf(system System, status string) (StatusCategory, error) {
	s := strings.ToLower(strings.TrimSpace(status))
	s = strings.ReplaceAll(s, "_", " ")
	var c StatusCategory
	switch system {
	case SystemSalesforce:
		switch s {
		case "new", "none":
			c = StatusNew
		case "scheduled", "dispatched", "in progress":
			c = StatusInProgress
		case "on hold":
			c = StatusOnHold
		case "completed":
			c = StatusCompleted
		case "cannot complete":
			c = StatusCannotComplete
		case "closed":
			c = StatusClosed
		case "canceled", "cancelled":
			c = StatusCanceled
		}
	case SystemZendesk:
		switch s {
		case "new":
			c = StatusNew
		case "open":
			c = StatusInProgress
		case "pending", "hold", "on hold":
			c = StatusOnHold
		case "solved":
			c = StatusCompleted
		case "closed":
			c = StatusClosed
		}
	case SystemFreshdesk:
		switch s {
		case "2", "open":
			c = StatusInProgress
		case "3", "pending":
			c = StatusOnHold
		case "4", "resolved":
			c = StatusCompleted
		case "5", "closed":
			c = StatusClosed
		}
	default:
		return "", invalid(0, "system", "unknown system "+quote(string(system)))
	}
	if c == "" {
		return "", invalid(0, "status", "unknown "+string(system)+" status "+quote(status))
	}
	return c, nil
}

// Outcome is how a visit ended.
type Outcome string

// The outcomes.
const (
	OutcomeFixed     Outcome = "fixed"     // the problem was solved on this visit
	OutcomeFollowUp  Outcome = "follow_up" // work remains: parts ordered, another visit needed
	OutcomeNotFixed  Outcome = "not_fixed" // the visit could not solve it (Cannot Complete)
	OutcomeNoAccess  Outcome = "no_access" // nobody home, site not accessible
	OutcomeCancelled Outcome = "cancelled" // cancelled on site
)

// Valid reports whether o is one of the outcomes.
func (o Outcome) Valid() bool {
	switch o {
	case OutcomeFixed, OutcomeFollowUp, OutcomeNotFixed, OutcomeNoAccess, OutcomeCancelled:
		return true
	}
	return false
}
