package vehicle

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// SmartcarEventType is a Smartcar webhook eventType.
type SmartcarEventType string

// The Smartcar webhook event types (v4 webhooks).
const (
	SmartcarVerify       SmartcarEventType = "VERIFY"
	SmartcarVehicleState SmartcarEventType = "VEHICLE_STATE"
	SmartcarVehicleError SmartcarEventType = "VEHICLE_ERROR"
)

// SmartcarEvent is one decoded Smartcar webhook delivery. Field names
// follow Smartcar's payload; times are UTC.
type SmartcarEvent struct {
	EventID string            `json:"eventId,omitempty"`
	Type    SmartcarEventType `json:"eventType"`
	// VehicleID is the top-level vehicleId, or data.vehicle.id when the
	// delivery has no top-level id. It is Smartcar's vehicle id, distinct
	// from the VIN.
	VehicleID string            `json:"vehicleId,omitempty"`
	Vehicle   SmartcarVehicle   `json:"vehicle"`
	UserID    string            `json:"userId,omitempty"` // data.user.id: the Smartcar connection user
	Challenge string            `json:"challenge,omitempty"`
	Triggers  []SmartcarTrigger `json:"triggers,omitempty"`
	Signals   []SmartcarSignal  `json:"signals,omitempty"`
	Errors    []SmartcarError   `json:"errors,omitempty"`
	Meta      SmartcarMeta      `json:"meta"`
}

// SmartcarVehicle is data.vehicle.
type SmartcarVehicle struct {
	ID    string `json:"id,omitempty"`
	Make  string `json:"make,omitempty"`
	Model string `json:"model,omitempty"`
	Year  int    `json:"year,omitempty"`
	VIN   string `json:"vin,omitempty"`
}

// SmartcarTrigger says why a VEHICLE_STATE was delivered. Both shapes
// Smartcar documents are accepted: {"type": "SIGNAL_UPDATED", "signal":
// {"code", "name", "group"}} and {"code", "name", "group"}. The second
// is normalised: Type "SIGNAL_UPDATED", or Type "FIRST_DELIVERY" (Code
// "") for {"code": "FIRST_DELIVERY"}.
type SmartcarTrigger struct {
	Type  string `json:"type"`
	Code  string `json:"code,omitempty"`
	Name  string `json:"name,omitempty"`
	Group string `json:"group,omitempty"`
}

// SmartcarSignal is one entry of data.signals with its body decoded.
// Which body fields are set depends on the signal: numeric bodies set
// Value (and Unit), boolean ones Bool, string ones Text, and
// location-preciselocation sets the location fields. A body
// {"percentage": 75} (older payloads) is read as Value 75, Unit
// "percent".
type SmartcarSignal struct {
	Code  string `json:"code"`
	Name  string `json:"name,omitempty"`
	Group string `json:"group,omitempty"`
	// Status is status.value ("SUCCESS", "ERROR"), "" when absent;
	// ErrorCode and ErrorType are status.error's.
	Status    string `json:"status,omitempty"`
	ErrorCode string `json:"errorCode,omitempty"`
	ErrorType string `json:"errorType,omitempty"`
	// OEMUpdatedAt is when the vehicle recorded the value (the
	// observation time); RetrievedAt when Smartcar fetched it
	// (meta.retrievedAt or meta.fetchedAt).
	OEMUpdatedAt time.Time `json:"oemUpdatedAt,omitzero"`
	RetrievedAt  time.Time `json:"retrievedAt,omitzero"`
	HasBody      bool      `json:"hasBody"`

	Unit     string  `json:"unit,omitempty"`
	Value    float64 `json:"value,omitempty"`
	HasValue bool    `json:"hasValue,omitempty"`
	Bool     bool    `json:"bool,omitempty"`
	HasBool  bool    `json:"hasBool,omitempty"`
	Text     string  `json:"text,omitempty"`

	Latitude     float64 `json:"latitude,omitempty"`
	Longitude    float64 `json:"longitude,omitempty"`
	HasLocation  bool    `json:"hasLocation,omitempty"`
	Heading      float64 `json:"heading,omitempty"`
	HasHeading   bool    `json:"hasHeading,omitempty"`
	Direction    string  `json:"direction,omitempty"`
	LocationType string  `json:"locationType,omitempty"` // CURRENT or LAST_PARKED
}

// OK reports whether the signal carries a value: it has a body and its
// status is SUCCESS or absent.
func (g *SmartcarSignal) OK() bool { return g.HasBody && (g.Status == "" || g.Status == "SUCCESS") }

// SmartcarError is one entry of a VEHICLE_ERROR's data.errors.
type SmartcarError struct {
	Type                 string   `json:"type,omitempty"`
	Code                 string   `json:"code,omitempty"`
	State                string   `json:"state,omitempty"` // ERROR or RESOLVED
	Description          string   `json:"description,omitempty"`
	SuggestedUserMessage string   `json:"suggestedUserMessage,omitempty"`
	DocURL               string   `json:"docURL,omitempty"`
	Resolution           string   `json:"resolution,omitempty"` // resolution.type
	Signals              []string `json:"signals,omitempty"`    // codes of the affected signals
}

// SmartcarMeta is the delivery metadata. DeliveredAt accepts epoch
// milliseconds, epoch seconds (numbers up to 1e11) and RFC 3339 strings:
// Smartcar's own examples use all three.
type SmartcarMeta struct {
	Version     string    `json:"version,omitempty"`
	DeliveryID  string    `json:"deliveryId,omitempty"`
	DeliveredAt time.Time `json:"deliveredAt,omitzero"`
	WebhookID   string    `json:"webhookId,omitempty"`
	WebhookName string    `json:"webhookName,omitempty"`
	SignalCount int       `json:"signalCount,omitempty"`
	Mode        string    `json:"mode,omitempty"`
}

// Smartcar signal codes this package interprets.
const (
	SignalPreciseLocation = "location-preciselocation"
	SignalOdometer        = "odometer-traveleddistance"
	SignalStateOfCharge   = "tractionbattery-stateofcharge"
	SignalIsCharging      = "charge-ischarging"
	SignalCableConnected  = "charge-ischargingcableconnected"
	SignalChargingStatus  = "charge-detailedchargingstatus"
	SignalCurrentSpeed    = "motion-currentspeed"
)

// Signal returns the first signal with code, or nil.
func (e *SmartcarEvent) Signal(code string) *SmartcarSignal {
	for i := range e.Signals {
		if e.Signals[i].Code == code {
			return &e.Signals[i]
		}
	}
	return nil
}

// Position returns the vehicle's position from a successful
// location-preciselocation signal: observed at its oemUpdatedAt (else its
// retrievedAt, else the delivery time), with the heading when given and
// the speed of a successful motion-currentspeed signal when present.
// ok is false when the event has no usable location or time. A
// LAST_PARKED location is a position like any other (where the car was
// parked, at the time it parked).
func (e *SmartcarEvent) Position() (p Position, ok bool) {
	g := e.Signal(SignalPreciseLocation)
	if g == nil || !g.OK() || !g.HasLocation || e.VehicleID == "" {
		return Position{}, false
	}
	p = Position{VehicleID: e.VehicleID, Lat: g.Latitude, Lon: g.Longitude, Time: g.OEMUpdatedAt,
		Heading: g.Heading, HasHeading: g.HasHeading}
	if p.Time.IsZero() {
		p.Time = g.RetrievedAt
	}
	if p.Time.IsZero() {
		p.Time = e.Meta.DeliveredAt
	}
	if sp := e.Signal(SignalCurrentSpeed); sp != nil && sp.OK() && sp.HasValue {
		if f, ok := speedUnitFactor(sp.Unit); ok {
			p.Speed, p.HasSpeed = sp.Value*f, true
		}
	}
	return p, p.Valid()
}

// OdometerMeters returns the odometer-traveleddistance reading in metres
// and when the vehicle recorded it.
func (e *SmartcarEvent) OdometerMeters() (m float64, at time.Time, ok bool) {
	g := e.Signal(SignalOdometer)
	if g == nil || !g.OK() || !g.HasValue {
		return 0, time.Time{}, false
	}
	f, ok := distanceUnitFactor(g.Unit)
	return g.Value * f, g.OEMUpdatedAt, ok
}

// StateOfCharge returns tractionbattery-stateofcharge in percent (0-100).
func (e *SmartcarEvent) StateOfCharge() (pct float64, ok bool) {
	g := e.Signal(SignalStateOfCharge)
	if g == nil || !g.OK() || !g.HasValue {
		return 0, false
	}
	return g.Value, true
}

// IsCharging returns charge-ischarging.
func (e *SmartcarEvent) IsCharging() (charging, ok bool) {
	g := e.Signal(SignalIsCharging)
	if g == nil || !g.OK() || !g.HasBool {
		return false, false
	}
	return g.Bool, true
}

// SmartcarChallengeResponse returns the answer to a VERIFY challenge:
// hex(HMAC-SHA256(key = application management token, challenge)). Send
// it as {"challenge": "<answer>"} with status 200.
func SmartcarChallengeResponse(managementToken, challenge string) string {
	m := hmac.New(sha256.New, []byte(managementToken))
	m.Write([]byte(challenge))
	return hex.EncodeToString(m.Sum(nil))
}

// VerifySmartcarSignature reports whether signature (the SC-Signature
// header) is hex(HMAC-SHA256(management token, body)). It compares in
// constant time. Verify before decoding; body must be the raw request
// body.
func VerifySmartcarSignature(managementToken string, body []byte, signature string) bool {
	want, err := hex.DecodeString(signature)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(managementToken))
	m.Write(body)
	return hmac.Equal(m.Sum(nil), want)
}

func distanceUnitFactor(u string) (float64, bool) {
	switch u {
	case "kilometers", "km":
		return 1000, true
	case "miles", "mi":
		return 1609.344, true
	case "meters", "m":
		return 1, true
	}
	return 0, false
}

func speedUnitFactor(u string) (float64, bool) {
	switch u {
	case "kph", "km/h", "kilometers per hour", "kmh":
		return 1 / 3.6, true
	case "mph", "miles per hour":
		return 0.44704, true
	case "m/s", "mps", "meters per second":
		return 1, true
	}
	return 0, false
}
