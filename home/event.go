package home

import (
	"errors"
	"strconv"

	"github.com/google/uuid"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// This file is the one place where household occurrences become
// connected.Events.
//
// Presence at home is sensitive: whether people are home, occupancy and
// presence sensors, door contacts and locks say when a household is empty.
// Those events are connected.CategoryPresence, which the consent router
// never delivers to a marketing or advertising destination and which needs
// the subject's location consent. Media sessions are
// connected.CategoryBehavioral (what kind of content, never titles);
// set-points, other device states and appliance cycles are
// connected.CategoryDevice.

// The event vocabulary of this package: track event names.
const (
	// EventDeviceStateChanged: a device changed state (on/off, mode,
	// open/closed, locked/unlocked). Properties from_state, to_state.
	EventDeviceStateChanged = "Device State Changed"
	// EventPresenceChanged: a person came home or left (home/away), or an
	// occupancy or presence sensor changed (occupied/clear). Properties
	// presence, previous_presence. Always connected.CategoryPresence.
	EventPresenceChanged = "Presence Changed"
	// EventMediaSessionStarted: a media player started playing.
	// Properties content_type (movie, tv_show, video, music, podcast,
	// live_tv, game, app, image, other), app_name.
	EventMediaSessionStarted = "Media Session Started"
	// EventMediaSessionEnded: a media player stopped playing (off, idle,
	// standby). Properties content_type, app_name, duration_s.
	EventMediaSessionEnded = "Media Session Ended"
	// EventSetPointChanged: a thermostat's target temperature changed.
	// Properties setpoint, previous_setpoint, temperature_unit, hvac_mode.
	EventSetPointChanged = "Climate Set Point Changed"
	// EventApplianceCycleStarted: an appliance started a programme.
	// Property appliance.
	EventApplianceCycleStarted = "Appliance Cycle Started"
	// EventApplianceCycleCompleted: an appliance finished a programme.
	// Properties appliance, duration_s, energy_kwh (when metered).
	EventApplianceCycleCompleted = "Appliance Cycle Completed"
)

// Identifier types on the events' context.externalIds. They are
// household-scoped, and identity knows them as such (identity.TypeHouseholdID
// and identity.TypeHomeDeviceID are built-in household-scope types): the
// identity graph groups the people of a household without merging them.
const (
	ExternalIDHousehold = "household_id"
	ExternalIDDevice    = "home_device_id"
)

// ErrUnknownKind is returned by Occurrence.Event for an Occurrence whose
// Kind is not one of the kinds above.
var ErrUnknownKind = errors.New("home: unknown occurrence kind")

// EventOptions controls the conversion of occurrences to events.
type EventOptions struct {
	// Pseudonymizer turns the household id and the household-scoped device
	// ids into keyed pseudonyms. Required unless RawIDs is set.
	Pseudonymizer *connected.Pseudonymizer
	// RawIDs sends the household and device ids in the clear. Only set it
	// when the destinations may receive them.
	RawIDs bool
	// UserID, when set, is the customer the household belongs to (userId);
	// leave it empty to keep household events off any one person.
	UserID string
}

// messageIDSpace is the UUIDv5 namespace of home message ids.
var messageIDSpace = uuid.MustParse("c6f1f0a2-6c0e-5b7d-8a51-3e2f9d7b4a10")

// HouseholdPseudonym returns the anonymousId of a household's events: the
// pseudonym of "household:" + household.
func HouseholdPseudonym(p *connected.Pseudonymizer, household string) string {
	return p.Pseudonym("household:" + household)
}

// DevicePseudonym returns the household-scoped pseudonym of a device: the
// same entity id in two households gives two unrelated pseudonyms.
func DevicePseudonym(p *connected.Pseudonymizer, household, device string) string {
	return p.Pseudonym("home-device:" + household + "/" + device)
}

// Event converts the occurrence into a track event on the home channel,
// originalTimestamp o.Time, anonymousId the household's pseudonym (see
// HouseholdPseudonym), context.groupId the same, context.device.type the
// device kind, context.externalIds the household and device pseudonyms
// (ExternalIDHousehold, ExternalIDDevice), and snake_case properties:
// source, device_kind, device_id, user_initiated (when true) and those of
// the event name (see the constants). Its messageId derives from the
// source, household, device, kind and time, so a replayed stream gives the
// same ids. The category is connected.CategoryPresence for Presence
// Changed and for state changes of people, presence and contact sensors
// and locks, connected.CategoryBehavioral for media sessions, and
// connected.CategoryDevice otherwise.
//
// It returns ErrNoHashKey without a Pseudonymizer (unless RawIDs),
// ErrUnknownKind for an unknown Kind and a *TimeError for an invalid Time.
func (o *Occurrence) Event(opts EventOptions) (connected.Event, error) {
	if !validTime(o.Time) {
		return connected.Event{}, &TimeError{Op: "Event"}
	}
	if o.Kind < KindDeviceStateChanged || o.Kind > KindApplianceCycleCompleted {
		return connected.Event{}, ErrUnknownKind
	}
	var hh, dev string
	switch {
	case opts.RawIDs:
		hh, dev = o.Household, o.Device
	case opts.Pseudonymizer == nil:
		return connected.Event{}, ErrNoHashKey
	default:
		hh, dev = HouseholdPseudonym(opts.Pseudonymizer, o.Household), DevicePseudonym(opts.Pseudonymizer, o.Household, o.Device)
	}
	p := connected.Properties{"source": o.Source.String(), "device_kind": o.DeviceKind, "device_id": dev}
	if o.UserInitiated {
		p["user_initiated"] = true
	}
	cat := connected.CategoryDevice
	switch o.Kind {
	case KindDeviceStateChanged:
		p["from_state"], p["to_state"] = o.From, o.To
		switch o.DeviceKind {
		case "person", "presence_sensor", "contact_sensor", "lock":
			cat = connected.CategoryPresence
		}
	case KindPresenceChanged:
		p["presence"], p["previous_presence"] = o.To, o.From
		cat = connected.CategoryPresence
	case KindMediaSessionStarted, KindMediaSessionEnded:
		cat = connected.CategoryBehavioral
		if o.ContentType != "" {
			p["content_type"] = o.ContentType
		}
		if o.App != "" {
			p["app_name"] = o.App
		}
		if o.Kind == KindMediaSessionEnded {
			p["duration_s"] = o.Duration.Seconds()
		}
	case KindSetPointChanged:
		p["setpoint"] = o.Setpoint
		if o.HasPrevSetpoint {
			p["previous_setpoint"] = o.PrevSetpoint
		}
		p["temperature_unit"] = o.TemperatureUnit
		if o.HVACMode != "" {
			p["hvac_mode"] = o.HVACMode
		}
	case KindApplianceCycleStarted, KindApplianceCycleCompleted:
		p["appliance"] = o.Appliance
		if o.Kind == KindApplianceCycleCompleted {
			p["duration_s"] = o.Duration.Seconds()
			if o.HasEnergy {
				p["energy_kwh"] = o.Energy
			}
		}
	}
	key := o.Source.String() + "|" + o.Household + "|" + o.Device + "|" + strconv.Itoa(int(o.Kind)) + "|" + strconv.FormatInt(o.Time.UnixNano(), 10)
	return connected.Event{
		Type:              connected.TypeTrack,
		Event:             o.Kind.String(),
		MessageID:         uuid.NewSHA1(messageIDSpace, []byte(key)).String(),
		UserID:            opts.UserID,
		AnonymousID:       hh,
		OriginalTimestamp: o.Time,
		Properties:        p,
		Category:          cat,
		Context: connected.Context{
			Channel: connected.ChannelHome,
			Device:  connected.Device{Type: o.DeviceKind},
			ExternalIDs: []connected.ExternalID{
				{ID: hh, Type: ExternalIDHousehold, Collection: "households", Encoding: "none"},
				{ID: dev, Type: ExternalIDDevice, Collection: "devices", Encoding: "none"},
			},
			Extra: map[string]any{"groupId": hh},
		},
	}, nil
}
