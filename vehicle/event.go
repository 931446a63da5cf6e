package vehicle

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/google/uuid"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// This file is the one place where a TripEvent becomes a connected.Event.

// ErrNoHashKey is returned by TripEvent.Event when neither
// EventOptions.Pseudonymizer nor a HashKey of at least
// connected.MinPseudonymKeyLen bytes is set (and RawVehicleIDs is not):
// vehicle identifiers leave this package only as keyed pseudonyms. A
// short HashKey gets an error matching both ErrNoHashKey and
// connected.ErrPseudonymKey.
var ErrNoHashKey = errors.New("vehicle: hash key required for vehicle identifiers")

// IdentifierType is the context.externalIds type under which events carry
// the vehicle's pseudonym. The same pseudonym is context.device.id with
// type "vehicle", which identity's middleware offers as its built-in "vin"
// type: household scope, and a connected pseudonym is a valid VIN value,
// so the family car links the people who drive it without merging them
// with no rule to declare. To link through the external id as well,
// declare it with household scope: identity.WithRule(identity.TypeRule{
// Type: vehicle.IdentifierType, Scope: identity.ScopeHousehold, Priority: 23}).
const IdentifierType = "vehicle_pseudonym"

// EventOptions controls the mapping of TripEvents to connected events.
type EventOptions struct {
	// Pseudonymizer pseudonymises vehicle ids (see connected.Pseudonymizer).
	// It takes precedence over HashKey and is the efficient choice.
	Pseudonymizer *connected.Pseudonymizer
	// HashKey is the pseudonym key when Pseudonymizer is nil (at least
	// connected.MinPseudonymKeyLen bytes); a Pseudonymizer is built from
	// it on every call.
	HashKey []byte
	// RawVehicleIDs, when true, sends the vehicle id itself (a VIN, a
	// Smartcar vehicle id) instead of its pseudonym. Only set it when the
	// destination may receive it.
	RawVehicleIDs bool
	// UserID is the customer the event is attributed to (a driver the
	// caller knows, e.g. from an order). Empty: the event is anonymous,
	// with the vehicle's (pseudonymised) id as anonymousId.
	UserID string
	// Coordinates, when true, adds the vehicle's position as
	// context.location (latitude, longitude, accuracy). Off by default:
	// the place id says enough for most uses, and a car's coordinates
	// locate a household.
	Coordinates bool
}

// messageIDSpace is the UUIDv5 namespace of vehicle message and trip ids.
var messageIDSpace = uuid.MustParse("8f4d2c71-3b9e-5a06-b1d4-6c2e9f0a7d35")

// Event maps e to a connected track event of category location and
// channel vehicle: Trip Started, Vehicle Approaching, Vehicle Arrived,
// Vehicle Departed, Vehicle Approach Ended or Trip Ended (see names.go),
// originalTimestamp e.Time, context.location.placeId the place.
//
// The vehicle id leaves only as its pseudonym by default (o.RawVehicleIDs
// sends it in the clear): in context.device {id, type "vehicle"}, in
// context.externalIds (type IdentifierType), in properties.vehicle_id
// and, without o.UserID, as anonymousId. messageId is a UUIDv5 of the
// outgoing vehicle id, the kind, the place, the time and the ring, so a
// replayed stream yields the same ids; trip_id likewise of the outgoing
// vehicle id and the trip's start.
//
// Properties (snake_case, SI units in the names): place_id, eta_minutes,
// ring_minutes, confidence (Approaching); distance_m, speed_mps;
// confidence (Arrived); dwell_seconds (Departed); reason (Approach Ended,
// Trip Ended); trip_id, trip_started_at, trip_distance_m,
// trip_duration_seconds (Trip Ended); origin/destination as place_id on
// Trip Started/Ended when known. It returns ErrNoHashKey rather than send
// an identifier in the clear.
func (e TripEvent) Event(o EventOptions) (connected.Event, error) {
	name, ok := eventNames[e.Kind]
	if !ok {
		return connected.Event{}, fmt.Errorf("vehicle: trip event kind %d has no event", e.Kind)
	}
	vid := e.VehicleID
	if !o.RawVehicleIDs {
		p := o.Pseudonymizer
		if p == nil {
			if len(o.HashKey) == 0 {
				return connected.Event{}, ErrNoHashKey
			}
			var err error
			if p, err = connected.NewPseudonymizer(o.HashKey); err != nil {
				return connected.Event{}, fmt.Errorf("%w: %w", ErrNoHashKey, err)
			}
		}
		vid = p.Pseudonym(e.VehicleID)
	}
	ts := strconv.FormatInt(e.Time.UnixNano(), 10)
	ev := connected.Event{
		Type:              connected.TypeTrack,
		Event:             name,
		MessageID:         uuid.NewSHA1(messageIDSpace, []byte(vid+"\x00"+e.Kind.String()+"\x00"+e.PlaceID+"\x00"+ts+"\x00"+e.Ring.String())).String(),
		UserID:            o.UserID,
		OriginalTimestamp: e.Time,
		Category:          connected.CategoryLocation,
		Context: connected.Context{
			Channel:     connected.ChannelVehicle,
			Device:      connected.Device{ID: vid, Type: "vehicle"},
			Location:    connected.Location{PlaceID: e.PlaceID},
			ExternalIDs: []connected.ExternalID{{ID: vid, Type: IdentifierType, Collection: "users", Encoding: "none"}},
		},
	}
	if o.UserID == "" {
		ev.AnonymousID = vid
	}
	if o.Coordinates {
		ev.Context.Location.Geo = &connected.Geo{Latitude: e.Lat, Longitude: e.Lon, Accuracy: e.Accuracy}
	}
	p := connected.Properties{"vehicle_id": vid, "speed_mps": round(e.Speed, 10)}
	if e.PlaceID != "" {
		p["place_id"] = e.PlaceID
	}
	if !e.TripStart.IsZero() {
		p["trip_id"] = uuid.NewSHA1(messageIDSpace, []byte(vid+"\x00trip\x00"+strconv.FormatInt(e.TripStart.UnixNano(), 10))).String()
		p["trip_started_at"] = e.TripStart
	}
	switch e.Kind {
	case Approaching:
		p["eta_minutes"] = round(e.ETA.Minutes(), 10)
		p["ring_minutes"] = e.Ring.Minutes()
		p["distance_m"] = math.Round(e.Distance)
		p["confidence"] = round(e.Confidence, 100)
	case Arrived:
		p["distance_m"] = math.Round(e.Distance)
		p["confidence"] = round(e.Confidence, 100)
	case Departed:
		p["dwell_seconds"] = e.Dwell.Seconds()
	case ApproachEnded:
		p["reason"] = e.Reason.String()
		p["eta_minutes"] = round(e.ETA.Minutes(), 10)
		p["distance_m"] = math.Round(e.Distance)
	case TripEnded:
		p["reason"] = e.Reason.String()
		p["trip_distance_m"] = math.Round(e.TripDistance)
		if !e.TripStart.IsZero() {
			p["trip_duration_seconds"] = e.Time.Sub(e.TripStart).Seconds()
		}
	}
	ev.Properties = p
	return ev, nil
}

var eventNames = map[EventKind]string{
	TripStarted: EventTripStarted, Approaching: EventVehicleApproaching, Arrived: EventVehicleArrived,
	Departed: EventVehicleDeparted, ApproachEnded: EventVehicleApproachEnded, TripEnded: EventTripEnded,
}

func round(v, scale float64) float64 { return math.Round(v*scale) / scale }
