// Package service is Touchpoint's vocabulary for the service life cycle —
// cases, appointments, field visits, installed products, warranties and
// support chats — and the one step from such a happening to a
// connected.Event.
//
// # Vocabulary
//
// The event names (EventCaseOpened, EventTechnicianArrived,
// EventVisitCompleted, EventProductRegistered, ...) are track event names
// in Segment style; the support-chat ones are Segment's Live Chat spec
// names. Each carries its join keys as snake_case properties (case_id,
// work_order_id, appointment_id, asset_serial, conversation_id, ...).
// StatusCategoryOf maps the statuses of Salesforce Field Service,
// Zendesk and Freshdesk to one StatusCategory, so a report can count open
// cases whatever the ticket system.
//
// # Channels
//
// Service events go out on the channels "service", "field" and
// "contact_center", which are not built into connected: register them on
// the Client with connected.WithChannels(service.Channels()...).
//
// # Installed products and identity
//
// An Asset (product and serial, as Salesforce's Asset.SerialNumber with
// its Product2Id) is an installed product: a heat pump, a boiler, a
// washing machine. Occurrence.Event puts it in context.externalIds with
// type "asset_serial" (identity.TypeAssetSerial) and in the asset_serial
// property, as a keyed pseudonym (connected.Pseudonymizer) unless
// Options.RawSerials is set. The product registration carries the
// customer's userId and the serial; a repair visit that knows only the
// serial then resolves, through identity.Middleware, to the owner's
// profile. Technician and agent ids are pseudonymised the same way: no
// identifier of a person or device leaves this package in the clear
// unless the caller asked for it.
//
// # Contracts
//
// Everything here is a pure function of its input: no goroutines, no
// I/O, no context, safe for concurrent use. Invalid input is refused with
// a *FieldError naming the kind and the field (errors.Is with ErrMissing,
// ErrInvalid or ErrNoKey); nothing is fixed silently and no partial event
// is returned.
package service
